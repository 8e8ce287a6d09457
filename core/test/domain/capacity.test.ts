import { describe, expect, it } from '@jest/globals';
import {
  STORE_CLOSED_MESSAGE,
  atCapacityMessage,
  capacityError,
  checkCapacity,
  decideCapacity,
  type CapacityInput,
} from '../../src/domain/capacity.js';
import type { OrderStatus } from '../../src/domain/order.js';

const config = { eventId: 'NYC', storeOpen: true, maxOrdersInQueue: 3, maxOrdersPerUser: 1 };
let next = 0;
const order = (userId: string, status: OrderStatus = 'SUBMITTED', eventId = 'NYC') => ({
  orderId: `o${next++}`,
  eventId,
  userId,
  status,
});
const check = (input: Partial<CapacityInput> & Pick<CapacityInput, 'orders'>) =>
  checkCapacity({ config, userId: 'alice', ...input });

describe('checkCapacity', () => {
  it('accepts while the event is under capacity and the customer has no open order', () => {
    expect(check({ orders: [order('bob'), order('carol', 'CREATED')] })).toEqual({
      accepted: true,
      openOrders: 2,
      userOpenOrders: 0,
    });
  });

  it('counts every open state, CREATED included, and nothing finished', () => {
    const orders = [
      order('bob', 'CREATED'),
      order('carol', 'SUBMITTED'),
      order('dan', 'MAKING'),
      order('erin', 'COMPLETED'),
      order('alice', 'CANCELLED'),
    ];
    expect(check({ orders })).toMatchObject({
      accepted: false,
      reason: 'AT_CAPACITY',
      openOrders: 3,
      userOpenOrders: 0,
    });
  });

  it('counts only the orders of this event', () => {
    const busyElsewhere = [
      order('bob', 'SUBMITTED', 'LDN'),
      order('carol', 'MAKING', 'LDN'),
      order('dan', 'CREATED', 'LDN'),
      order('alice', 'SUBMITTED', 'LDN'),
    ];
    expect(check({ orders: busyElsewhere })).toEqual({ accepted: true, openOrders: 0, userOpenOrders: 0 });
  });

  it('refuses at exactly the capacity, with a message for the customer', () => {
    const decision = check({ orders: [order('bob'), order('carol'), order('dan')] });
    expect(decision).toEqual({
      accepted: false,
      reason: 'AT_CAPACITY',
      message: 'The baristas are at capacity (3 open orders); please try again in a few minutes.',
      openOrders: 3,
      userOpenOrders: 0,
    });
    expect(check({ orders: [], config: { ...config, maxOrdersInQueue: 0 } })).toMatchObject({
      accepted: false,
      reason: 'AT_CAPACITY',
    });
  });

  it("refuses a customer's order beyond their open-order limit", () => {
    expect(check({ orders: [order('alice', 'MAKING')] })).toEqual({
      accepted: false,
      reason: 'USER_LIMIT',
      message: 'You already have an open order; collect or cancel it before ordering another drink.',
      openOrders: 1,
      userOpenOrders: 1,
    });
    const two = { ...config, maxOrdersPerUser: 2 };
    expect(check({ config: two, orders: [order('alice')] }).accepted).toBe(true);
    expect(check({ config: two, orders: [order('alice'), order('alice', 'CREATED')] })).toMatchObject({
      reason: 'USER_LIMIT',
      message: 'You already have 2 open orders, the most allowed; collect or cancel one before ordering another drink.',
    });
  });

  it('does not count the order being checked against itself (a retried check)', () => {
    const own = order('alice', 'CREATED');
    expect(check({ orders: [own, order('bob'), order('carol')], orderId: own.orderId })).toEqual({
      accepted: true,
      openOrders: 2,
      userOpenOrders: 0,
    });
  });

  it('refuses everything while the store is closed, before any other reason', () => {
    expect(
      check({ config: { ...config, storeOpen: false }, orders: [order('alice'), order('bob'), order('carol')] }),
    ).toMatchObject({
      accepted: false,
      reason: 'STORE_CLOSED',
      message: 'The coffee bar is closed right now, so it takes no orders.',
    });
  });

  it('reports the customer limit before the capacity (the customer can do something about it)', () => {
    expect(check({ orders: [order('alice'), order('bob'), order('carol')] })).toMatchObject({ reason: 'USER_LIMIT' });
  });
});

describe('capacityError', () => {
  it('is a 409 with the reason as code', () => {
    const decision = check({ orders: [order('alice')] });
    if (decision.accepted) throw new Error('expected a refusal');
    expect(capacityError(decision)).toEqual({ status: 409, code: 'USER_LIMIT', message: decision.message });
  });
});

describe('decideCapacity', () => {
  it('decides from counts as checkCapacity does from orders', () => {
    expect(decideCapacity(config, { openOrders: 2, userOpenOrders: 0 })).toEqual({
      accepted: true,
      openOrders: 2,
      userOpenOrders: 0,
    });
    expect(decideCapacity(config, { openOrders: 3, userOpenOrders: 0 })).toMatchObject({
      accepted: false,
      reason: 'AT_CAPACITY',
      message: atCapacityMessage(3),
    });
    expect(decideCapacity(config, { openOrders: 0, userOpenOrders: 1 })).toMatchObject({
      accepted: false,
      reason: 'USER_LIMIT',
    });
    expect(decideCapacity({ ...config, storeOpen: false }, { openOrders: 0, userOpenOrders: 0 })).toMatchObject({
      accepted: false,
      reason: 'STORE_CLOSED',
      message: STORE_CLOSED_MESSAGE,
    });
  });
});

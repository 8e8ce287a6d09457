import { describe, expect, it } from '@jest/globals';
import type { DrinkOrder } from '../../src/domain/menu.js';
import type { Order } from '../../src/domain/order.js';
import { customerOrder, ordersAhead, staffOrder } from '../../src/domain/queuePlace.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const drink: DrinkOrder = { drink: 'Latte', modifiers: [], icon: 'latte' };
let n = 0;
function order(patch: Partial<Order>): Order {
  n += 1;
  return {
    orderId: `o${n}`,
    eventId: 'NYC',
    userId: `u${n}`,
    status: 'SUBMITTED',
    robot: false,
    version: 3,
    createdAt: T0,
    updatedAt: T0,
    ...patch,
  };
}
const queued = (number: number, patch: Partial<Order> = {}): Order =>
  order({
    orderNumber: String(number),
    drinkOrder: drink,
    completionTaskToken: `token-${number}`,
    queuedAt: T0 + number * 1000,
    ...patch,
  });

describe('ordersAhead', () => {
  it('counts the orders queued or being made that were numbered before it', () => {
    const mine = queued(4, { userId: 'alice' });
    const event = [
      queued(1, { status: 'MAKING', claimedAt: T0 + 10_000 }),
      queued(2),
      queued(3),
      mine,
      queued(5),
      queued(6, { status: 'MAKING', claimedAt: T0 + 11_000 }), // picked out of turn: behind it
    ];
    expect(ordersAhead(mine, event)).toBe(3);
  });

  it('is 0 for the next order, and ignores other events and orders not in the queue', () => {
    const mine = queued(4);
    const event = [
      queued(1, { eventId: 'LDN' }),
      order({ status: 'SUBMITTED', drinkOrder: drink }), // waiting for its number
      order({ status: 'CREATED' }),
      queued(2, { status: 'COMPLETED' }),
      queued(3, { status: 'CANCELLED' }),
      mine,
    ];
    expect(ordersAhead(mine, event)).toBe(0);
  });

  it('trusts the order as given when the queue read is older or lacks it', () => {
    const mine = queued(3);
    expect(ordersAhead(mine, [queued(1), queued(2)])).toBe(2);
    expect(ordersAhead(mine, [queued(1), { ...mine, status: 'CREATED' }])).toBe(1);
  });

  it('has no place for an order that is not queued', () => {
    const making = queued(1, { status: 'MAKING' });
    expect(ordersAhead(making, [making])).toBeUndefined();
    expect(ordersAhead(order({ status: 'CREATED' }), [queued(1)])).toBeUndefined();
    expect(ordersAhead(queued(2, { status: 'COMPLETED' }), [queued(1)])).toBeUndefined();
  });
});

describe('customerOrder', () => {
  it('adds only the count to the public order: no other order, no task token', () => {
    const mine = queued(2, { userId: 'alice' });
    const view = customerOrder(mine, [queued(1, { userId: 'bob' }), mine]);
    expect(view).toMatchObject({ orderId: mine.orderId, orderNumber: '2', ordersAhead: 1 });
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/bob|token-|"version"/);
  });

  it('names nobody of the staff: no barista id, no finishedBy, no held completion; staff see them', () => {
    const making = queued(1, { userId: 'alice', status: 'MAKING', baristaUserId: 'barista-sub-1', claimedAt: 5 });
    const done = queued(1, {
      userId: 'alice',
      status: 'COMPLETED',
      baristaUserId: 'barista-sub-1',
      finishedBy: 'barista-sub-1',
    });
    const held = order({ userId: 'alice', pendingCompletion: { baristaUserId: 'robot-barista-1', at: 5 } });
    for (const o of [making, done, held]) {
      expect(JSON.stringify(customerOrder(o, [o]))).not.toMatch(
        /barista-sub-1|robot-barista-1|baristaUserId|finishedBy/,
      );
      expect(customerOrder(o, [o])).toMatchObject({ orderId: o.orderId, status: o.status });
    }
    expect(staffOrder(making, [making])).toMatchObject({ baristaUserId: 'barista-sub-1' });
    expect(staffOrder(queued(2), [queued(1), queued(2)])).toMatchObject({ ordersAhead: 1 });
  });

  it('carries no ordersAhead when the order is not queued', () => {
    const view = customerOrder(order({ status: 'CREATED' }), [queued(1)]);
    expect(view).not.toHaveProperty('ordersAhead');
  });
});

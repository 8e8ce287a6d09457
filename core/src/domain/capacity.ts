// Whether an event takes one more order: the store must be open, the customer under their open-order
// limit, and the event's queue under its capacity. Per event: one busy bar must not refuse orders at
// another (the original counted the running workflows of every event together).
import type { EventConfig } from './config.js';
import { conflict, type DomainError } from './errors.js';
import { isOpen, type Order } from './order.js';

export type CapacityRefusalReason = 'STORE_CLOSED' | 'USER_LIMIT' | 'AT_CAPACITY';

export interface Counts {
  /** Open orders of the event, the new one excluded. */
  openOrders: number;
  /** Open orders of this customer at the event, the new one excluded. */
  userOpenOrders: number;
}

export type CapacityDecision =
  ({ accepted: true } & Counts) | ({ accepted: false; reason: CapacityRefusalReason; message: string } & Counts);

export interface CapacityInput {
  config: Pick<EventConfig, 'eventId' | 'storeOpen' | 'maxOrdersInQueue' | 'maxOrdersPerUser'>;
  /** The event's open orders (finished orders and other events' orders are ignored, should any slip in). */
  orders: readonly Pick<Order, 'orderId' | 'eventId' | 'userId' | 'status'>[];
  userId: string;
  /** The order being checked, when it is already stored: it must not count against itself on a retry. */
  orderId?: string;
}

/**
 * Decides on a new order. Every open order counts toward capacity, CREATED ones included: they hold a
 * place until their customer orders or times out (5 minutes). Refusals, most actionable first:
 * STORE_CLOSED, then USER_LIMIT (the customer can fix it), then AT_CAPACITY.
 */
export function checkCapacity(input: CapacityInput): CapacityDecision {
  const { config, userId } = input;
  const open = input.orders.filter((o) => o.eventId === config.eventId && isOpen(o) && o.orderId !== input.orderId);
  return decideCapacity(config, {
    openOrders: open.length,
    userOpenOrders: open.filter((o) => o.userId === userId).length,
  });
}

/**
 * The same decision from counts alone, for callers that count open orders another way (the
 * validator and the order processor keep each event's and customer's open orders as sets in
 * DynamoDB, so that the check and the reservation are one atomic update).
 */
export function decideCapacity(config: CapacityInput['config'], counts: Counts): CapacityDecision {
  if (!config.storeOpen) {
    return { accepted: false, reason: 'STORE_CLOSED', message: STORE_CLOSED_MESSAGE, ...counts };
  }
  if (counts.userOpenOrders >= config.maxOrdersPerUser) {
    const message =
      config.maxOrdersPerUser === 1
        ? 'You already have an open order; collect or cancel it before ordering another drink.'
        : `You already have ${counts.userOpenOrders} open orders, the most allowed; collect or cancel one before ordering another drink.`;
    return { accepted: false, reason: 'USER_LIMIT', message, ...counts };
  }
  if (counts.openOrders >= config.maxOrdersInQueue) {
    return { accepted: false, reason: 'AT_CAPACITY', message: atCapacityMessage(config.maxOrdersInQueue), ...counts };
  }
  return { accepted: true, ...counts };
}

/** The refusal texts the order processor's state machine repeats (a test keeps them equal). */
export const STORE_CLOSED_MESSAGE = 'The coffee bar is closed right now, so it takes no orders.';
export const atCapacityMessage = (maxOrdersInQueue: number): string =>
  `The baristas are at capacity (${maxOrdersInQueue} open orders); please try again in a few minutes.`;

/** A refusal as an HTTP error: 409, the state of the bar (not the request) is what stands in the way. */
export function capacityError(decision: Extract<CapacityDecision, { accepted: false }>): DomainError {
  return conflict(decision.reason, decision.message);
}

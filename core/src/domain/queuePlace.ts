// A customer's place in the queue. The queue itself is staff's (it names other customers' orders);
// a customer gets only a count: how many orders of the same event are ahead of their queued one.
// Ahead, as a barista sees it: queued or being made, and before it in the barista queue (numbered
// earlier). An order being made that was numbered after it does not count: it was picked out of turn.
import { baristaQueue, isQueued, publicOrder, type Order, type PublicOrder } from './order.js';

/** An order as its customer sees it: ordersAhead only while it is queued. */
export type CustomerOrder = PublicOrder & { ordersAhead?: number };

/**
 * How many orders are ahead of a queued order, given its event's open orders (SUBMITTED and MAKING,
 * what the barista queue reads); undefined when the order is not queued. The order itself is taken
 * as given (the fresher read), whatever the queue read says of it.
 */
export function ordersAhead(order: Order, eventOrders: readonly Order[]): number | undefined {
  if (!isQueued(order)) return undefined;
  const others = eventOrders.filter((o) => o.orderId !== order.orderId);
  return baristaQueue([...others, order], order.eventId).findIndex((o) => o.orderId === order.orderId);
}

/** The public order with its place in the queue when it is queued: nothing of the other orders but the count. */
export function customerOrder(order: Order, eventOrders: readonly Order[]): CustomerOrder {
  const ahead = ordersAhead(order, eventOrders);
  return ahead === undefined ? publicOrder(order) : { ...publicOrder(order), ordersAhead: ahead };
}

// A customer's place in the queue. The queue itself is staff's (it names other customers' orders);
// a customer gets only a count: how many orders of the same event are ahead of their queued one.
// Ahead, as a barista sees it: queued or being made, and before it in the barista queue (numbered
// earlier). An order being made that was numbered after it does not count: it was picked out of turn.
// Customers never see who on the staff makes, made or cancelled their order (staff ids stay with staff).
import { baristaQueue, isQueued, publicOrder, type Order, type PublicOrder } from './order.js';

/** Who on the staff makes or made an order: staff see it, customers never do. */
export type StaffIdentifiers = 'baristaUserId' | 'finishedBy' | 'pendingCompletion';
/** An order as its customer sees it: no staff identifier, and ordersAhead only while it is queued. */
export type CustomerOrder = Omit<PublicOrder, StaffIdentifiers> & { ordersAhead?: number };
/** An order as staff see it: the public order (who makes it included), and ordersAhead while queued. */
export type StaffOrder = PublicOrder & { ordersAhead?: number };

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

/** The public order without staff identifiers. */
export function customerView(order: Order): CustomerOrder {
  const { baristaUserId: _barista, finishedBy: _by, pendingCompletion: _pending, ...rest } = publicOrder(order);
  return rest;
}

/** The customer's order with its place in the queue when it is queued: nothing of the other orders but the count, nothing of the staff. */
export function customerOrder(order: Order, eventOrders: readonly Order[]): CustomerOrder {
  const ahead = ordersAhead(order, eventOrders);
  return ahead === undefined ? customerView(order) : { ...customerView(order), ordersAhead: ahead };
}

/** The order as staff see it, with its place in the queue when it is queued. */
export function staffOrder(order: Order, eventOrders: readonly Order[]): StaffOrder {
  const ahead = ordersAhead(order, eventOrders);
  return ahead === undefined ? publicOrder(order) : { ...publicOrder(order), ordersAhead: ahead };
}

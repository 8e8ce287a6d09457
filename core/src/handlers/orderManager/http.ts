// Order manager routes. Customers read their orders, order their drink and may cancel their own open
// order; the baristas (and admins) of the order's event work its queue: make (claim), unmake
// (release), complete, cancel. Staff of another event are refused (403 NOT_EVENT_STAFF).
// Every change goes through the domain's transition and a conditional write; the table's stream
// then emits the order manager's events.
import {
  ORDER_STATUSES,
  badRequest,
  baristaQueue,
  customerOrder,
  customerView,
  forbidden,
  isQueued,
  notFound,
  notYet,
  publicOrder,
  staffOrder,
  validateDrinkOrder,
  type Actor,
  type Order,
  type OrderAction,
  type OrderStatus,
} from '../../domain/index.js';
import { isStaffAnywhere, isStaffAt, staffActorAt } from '../../adapters/http/auth.js';
import { json, Problem, valueOf } from '../../adapters/http/responses.js';
import { eventIdParam, httpRoutes, objectBody, orderIdParam, type HttpRequest } from '../../adapters/http/router.js';
import { loadConfig } from '../../adapters/configStore.js';
import { applyOrderAction, loadOrder, ordersInState, ordersOfUser } from '../../adapters/orderStore.js';
import { loadReservation } from '../../adapters/reservationStore.js';

async function existingOrder(orderId: string): Promise<Order> {
  const order = await loadOrder(orderId);
  if (!order) throw new Problem(notFound('ORDER_NOT_FOUND', 'No such order.'));
  return order;
}

/** The caller's order, or an order the staff of its event look at; 403 for anyone else's. */
async function visibleOrder(request: HttpRequest): Promise<Order> {
  const order = await existingOrder(orderIdParam(request));
  if (order.userId !== request.caller.userId && !isStaffAt(request.caller, order.eventId))
    throw new Problem(forbidden('NOT_YOUR_ORDER', 'This order belongs to another customer.'));
  return order;
}

/** The event's open orders as the barista queue reads them (SUBMITTED and MAKING). */
async function openOrdersOf(eventId: string): Promise<Order[]> {
  const [submitted, making] = await Promise.all([
    ordersInState(eventId, 'SUBMITTED'),
    ordersInState(eventId, 'MAKING'),
  ]);
  return [...submitted, ...making];
}

/**
 * Orders as their viewer sees them: a queued one with its place (ordersAhead), read once per event;
 * staff see who makes it, a customer sees no staff identifier.
 */
async function withPlaces(orders: readonly Order[], viewer: 'customer' | 'staff') {
  const events = [...new Set(orders.filter(isQueued).map((o) => o.eventId))];
  const open = new Map(await Promise.all(events.map(async (e) => [e, await openOrdersOf(e)] as const)));
  const view = viewer === 'staff' ? staffOrder : customerOrder;
  return orders.map((o) => view(o, open.get(o.eventId) ?? []));
}

async function act(orderId: string, action: OrderAction, actor: Actor) {
  const outcome = valueOf(await applyOrderAction(orderId, action, actor));
  const order = actor.role === 'customer' ? customerView(outcome.order) : publicOrder(outcome.order);
  return json(200, { order, duplicate: outcome.duplicate });
}

/**
 * The order a customer orders a drink for. The validator answers 201 before the order processor has
 * stored the order (it does so on its WorkflowStarted, a moment later): for an order the validator
 * admitted for this caller (its place's reservation, written with the admission), that moment is a
 * 409 with Retry-After, never a 404.
 */
async function orderForDrink(request: HttpRequest): Promise<Order> {
  const orderId = orderIdParam(request);
  const order = await loadOrder(orderId);
  if (order) return order;
  const reservation = await loadReservation(orderId);
  if (reservation?.userId === request.caller.userId)
    throw new Problem(
      notYet('ORDER_NOT_READY', 'Your order is still being set up. Try again in a second.', RETRY_AFTER_SECONDS),
    );
  throw new Problem(notFound('ORDER_NOT_FOUND', 'No such order.'));
}
const RETRY_AFTER_SECONDS = 1;

async function orderDrink(request: HttpRequest) {
  const body = objectBody(request, '{"drink": "Flat White", "modifiers": ["Oat"]}');
  const order = await orderForDrink(request);
  // Whose order first: a stranger learns nothing about the menu check of someone else's order.
  if (order.userId !== request.caller.userId)
    throw new Problem(forbidden('NOT_YOUR_ORDER', 'This order belongs to another customer.'));
  const config = await loadConfig(order.eventId);
  const drinkOrder = valueOf(validateDrinkOrder(config?.menu ?? [], body));
  return act(
    order.orderId,
    { type: 'submitDrink', drinkOrder, at: request.now },
    { role: 'customer', userId: request.caller.userId },
  );
}

async function cancel(request: HttpRequest) {
  const order = await existingOrder(orderIdParam(request));
  const { caller } = request;
  // The customer cancels as the customer (even a barista, for their own coffee); others must be staff.
  let actor: Actor;
  if (order.userId === caller.userId) actor = { role: 'customer', userId: caller.userId };
  // Staff (of this event or another) hear about the event; customers that the order is not theirs.
  else if (isStaffAnywhere(caller)) actor = staffActorAt(caller, order.eventId, 'cancel an order');
  else throw new Problem(forbidden('NOT_YOUR_ORDER', 'This order belongs to another customer.'));
  return act(order.orderId, { type: 'cancel', at: request.now }, actor);
}

// The order's event decides who may act on it (an order's event never changes, so reading it first is safe).
const staffAction = (type: 'make' | 'unmake' | 'complete', what: string) => async (request: HttpRequest) => {
  const order = await existingOrder(orderIdParam(request));
  const actor = staffActorAt(request.caller, order.eventId, what);
  return act(order.orderId, { type, at: request.now }, actor);
};

async function ordersOfEvent(request: HttpRequest) {
  const eventId = eventIdParam(request);
  staffActorAt(request.caller, eventId, 'list the orders of an event');
  const status = request.query.status ?? '';
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new Problem(
      badRequest('INVALID_STATUS', `Query parameter status must be one of ${ORDER_STATUSES.join(', ')}.`),
    );
  }
  const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new Problem(badRequest('INVALID_LIMIT', 'Query parameter limit must be a whole number from 1 to 1000.'));
  const orders = await ordersInState(eventId, status as OrderStatus, { newestFirst: true, limit });
  return json(200, { eventId, status, orders: orders.map(publicOrder) });
}

export const handler = httpRoutes({
  'GET /orders/{orderId}': async (request) => {
    const order = await visibleOrder(request);
    // Staff of the order's event see who works on it; its customer (and anyone else) never does.
    const [view] = await withPlaces([order], isStaffAt(request.caller, order.eventId) ? 'staff' : 'customer');
    return json(200, view);
  },
  'GET /events/{eventId}/my-orders': async (request) => {
    const orders = await ordersOfUser(request.caller.userId, { eventId: eventIdParam(request) });
    return json(200, { orders: await withPlaces(orders, 'customer') });
  },
  'GET /events/{eventId}/orders': ordersOfEvent,
  'GET /events/{eventId}/queue': async (request) => {
    const eventId = eventIdParam(request);
    staffActorAt(request.caller, eventId, 'see the barista queue');
    return json(200, { eventId, orders: baristaQueue(await openOrdersOf(eventId), eventId).map(publicOrder) });
  },
  'PUT /orders/{orderId}/drink': orderDrink,
  'POST /orders/{orderId}/make': staffAction('make', 'make an order'),
  'POST /orders/{orderId}/unmake': staffAction('unmake', 'release an order'),
  'POST /orders/{orderId}/complete': staffAction('complete', 'complete an order'),
  'POST /orders/{orderId}/cancel': cancel,
});

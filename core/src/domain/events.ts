// The details of every event the core puts on the bus, typed by the contract (types only: the catalog
// is not bundled into the Lambdas). Messages are short sentences for the order journey and the display.
import type {
  ConfigServiceConfigChanged,
  DetailTypeMap,
  OrderManagerMakeOrder,
  OrderManagerOrderCancelled,
  OrderManagerOrderCompleted,
  OrderManagerWaitingCompletion,
  OrderProcessorOrderFailed,
  OrderProcessorOrderFinished,
  OrderProcessorOrderTimeOut,
  OrderProcessorShopUnavailable,
  OrderProcessorWaitingCompletion,
  OrderProcessorWorkflowStarted,
  ValidatorNewOrder,
} from '@serverlesspresso/catalog';
import type { EventConfig } from './config.js';
import { isQueued, type Order, type OrderFailure, type TimeoutCause } from './order.js';
import type { QrBucket } from './qrcode.js';

/** The source of every event on the bus (the catalog's EVENT_SOURCE, repeated: no run-time import of the catalog). */
export const EVENT_SOURCE = 'awsserverlessda.serverlesspresso';
/** The bus (the catalog's BUS_NAME). */
export const BUS_NAME = 'Serverlesspresso';

/** A detail-type as the contract writes it; a family embeds the tenant, e.g. "OrderManager.Order{eventId}-COMPLETED". */
export type ContractTemplate = keyof DetailTypeMap;

/** An event to put on the bus: its contract entry, its concrete detail-type and its detail. */
export interface BusEvent<T extends ContractTemplate> {
  template: T;
  detailType: string;
  detail: DetailTypeMap[T];
}
/** Any event of the contract. */
export type AnyBusEvent = { [T in ContractTemplate]: BusEvent<T> }[ContractTemplate];

/** How long the workflow waits (its HeartbeatSeconds), for messages and documentation. */
/** The waits' defaults (an event's config may set others: customerWaitMinutes, baristaWaitMinutes). */
export const TIMEOUT_MINUTES: Record<TimeoutCause, number> = { customer: 5, barista: 15 };

/** OrderTimeOut's Message for a wait of so many minutes (the order processor writes the same words). */
export function timeoutMessage(cause: TimeoutCause, minutes: number = TIMEOUT_MINUTES[cause]): string {
  const span = `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return cause === 'customer'
    ? `The order timed out: no drink was ordered within ${span}.`
    : `The order timed out: the barista did not finish it within ${span}.`;
}

export const MESSAGES = {
  newOrder: 'A QR code was scanned and accepted: the order workflow starts.',
  workflowStarted: 'The store is open and has room for your order; the workflow waits for your drink order.',
  processorWaitingCompletion: 'Your order has a number; the workflow waits for the barista.',
  orderFinished: 'The order has reached the end of the workflow.',
  timeout: {
    customer: timeoutMessage('customer'),
    barista: timeoutMessage('barista'),
  },
  /** OrderProcessor.OrderFailed: what the customer reads (the workflow's Fail path and the sweep put the same words). */
  failed:
    'Sorry, your order could not be processed and was stopped. Your place was given back: scan the QR code again to order.',
  waitingCompletion: 'The order is in the barista queue.',
  backInQueue: 'A barista released the order; it is back in the barista queue.',
  makeOrder: 'A barista is making your drink.',
  completed: 'Barista has completed the order.',
  cancelled: {
    customer: 'The customer cancelled the order.',
    barista: 'Barista has cancelled the order.',
    timeout: 'The order was cancelled because it timed out.',
    // Never on the bus (eventsForChange puts nothing for a refused order); the order's own text.
    refused: 'The order was refused: the store is closed or at capacity.',
  },
} as const;

/** The concrete detail-type of the finished-order family, e.g. "OrderManager.OrderNYC-COMPLETED" (as the catalog's detailTypeOf). */
export const orderFinishedDetailType = (eventId: string, state: 'COMPLETED' | 'CANCELLED'): string =>
  `OrderManager.Order${eventId}-${state}`;

/**
 * The deterministic id of an event (detail.idempotencyKey): the same for every send of the same fact,
 * whoever sends it and however often, so a consumer drops a repeat by it (delivery is at least once,
 * and a producer's retry puts the event again under a new envelope id). `subject` is the order (the
 * event for ConfigChanged), `version` the order's (the config's) version the event comes from, 0 for
 * the validator's and the workflow's events (each happens at most once per order), `kind` the concrete
 * detail-type.
 */
export const idempotencyKey = (subject: string, version: number, kind: string): string =>
  `${subject}:${version}:${kind}`;

const event = <T extends ContractTemplate>(
  template: T,
  detail: DetailTypeMap[T],
  detailType: string = template,
): BusEvent<T> => ({ template, detailType, detail });

/** An event whose detail carries its idempotency key, last (after the contract's fields). */
const keyed = <T extends ContractTemplate>(
  template: T,
  detail: DetailTypeMap[T],
  key: { subject: string; version: number },
  detailType: string = template,
): BusEvent<T> =>
  event(template, { ...detail, idempotencyKey: idempotencyKey(key.subject, key.version, detailType) }, detailType);

// Builders of events derived from an order demand what the contract requires; a missing field here is
// a bug in the caller (wrong state), not bad input, hence an exception.
function need<T>(value: T | undefined, order: Order, field: string, what: string): T {
  if (value === undefined)
    throw new RangeError(`order ${order.orderId} (${order.status}) has no ${field}, needed for ${what}`);
  return value;
}

/** ConfigService.ConfigChanged: the whole config (the schema rejects unknown fields, so only its own are copied). */
export function configChangedEvent(config: EventConfig, message: string): BusEvent<'ConfigService.ConfigChanged'> {
  const detail: ConfigServiceConfigChanged = {
    eventId: config.eventId,
    storeOpen: config.storeOpen,
    ...(config.robotsAllowed === undefined ? {} : { robotsAllowed: config.robotsAllowed }),
    maxOrdersInQueue: config.maxOrdersInQueue,
    maxOrdersPerUser: config.maxOrdersPerUser,
    drinksPerCode: config.drinksPerCode,
    codeRotationMinutes: config.codeRotationMinutes,
    customerWaitMinutes: config.customerWaitMinutes,
    baristaWaitMinutes: config.baristaWaitMinutes,
    menu: config.menu.map((m) => ({
      drink: m.drink,
      icon: m.icon,
      available: m.available,
      modifiers: m.modifiers.map((g) => ({ Name: g.Name, Options: g.Options })),
    })),
    version: config.version,
    Message: message,
  };
  return keyed('ConfigService.ConfigChanged', detail, { subject: config.eventId, version: config.version });
}

/**
 * Validator.NewOrder. eventId at the top level as well as in bucket (the original had it only in
 * bucket). The bucket is described by its id and tokens left, never its code: whoever reads the bus
 * must not be able to order with it (the original put the whole bucket, code included).
 */
export function newOrderEvent(input: {
  orderId: string;
  userId: string;
  bucket: Pick<QrBucket, 'eventId' | 'bucketId' | 'availableTokens'>;
}): BusEvent<'Validator.NewOrder'> {
  const { eventId, bucketId, availableTokens } = input.bucket;
  const detail: ValidatorNewOrder & { bucket: { bucketId: number; availableTokens: number } } = {
    orderId: input.orderId,
    userId: input.userId,
    eventId,
    bucket: { eventId, bucketId, availableTokens },
    Message: MESSAGES.newOrder,
  };
  return keyed('Validator.NewOrder', detail, { subject: input.orderId, version: 0 });
}

type OrderRef = { orderId: string; userId: string; eventId: string };

/** OrderProcessor.WorkflowStarted (the workflow waits for the customer's drink with this token). */
export function workflowStartedEvent(
  input: OrderRef & { taskToken: string },
): BusEvent<'OrderProcessor.WorkflowStarted'> {
  const detail: OrderProcessorWorkflowStarted = {
    orderId: input.orderId,
    userId: input.userId,
    eventId: input.eventId,
    TaskToken: input.taskToken,
    Message: MESSAGES.workflowStarted,
  };
  return keyed('OrderProcessor.WorkflowStarted', detail, { subject: input.orderId, version: 0 });
}

/** OrderProcessor.WaitingCompletion (numbered; the workflow waits for the barista with this token). */
export function processorWaitingCompletionEvent(
  input: OrderRef & { orderNumber: string; taskToken: string },
): BusEvent<'OrderProcessor.WaitingCompletion'> {
  const detail: OrderProcessorWaitingCompletion = {
    orderId: input.orderId,
    userId: input.userId,
    eventId: input.eventId,
    orderNumber: input.orderNumber,
    TaskToken: input.taskToken,
    Message: MESSAGES.processorWaitingCompletion,
  };
  return keyed('OrderProcessor.WaitingCompletion', detail, { subject: input.orderId, version: 0 });
}

/** OrderProcessor.ShopUnavailable, with the refusal's message and its machine-readable reason (an extra field). */
export function shopUnavailableEvent(input: {
  orderId?: string;
  userId: string;
  eventId: string;
  refusal: { reason: string; message: string };
}): BusEvent<'OrderProcessor.ShopUnavailable'> {
  const detail: OrderProcessorShopUnavailable & { reason: string } = {
    ...(input.orderId === undefined ? {} : { orderId: input.orderId }),
    userId: input.userId,
    eventId: input.eventId,
    reason: input.refusal.reason,
    Message: input.refusal.message,
  };
  // Without an order there is no fact to key (a customer may be refused twice).
  return input.orderId === undefined
    ? event('OrderProcessor.ShopUnavailable', detail)
    : keyed('OrderProcessor.ShopUnavailable', detail, { subject: input.orderId, version: 0 });
}

/** OrderProcessor.OrderTimeOut; cause says who the workflow waited for. */
export function orderTimeOutEvent(
  input: OrderRef & { cause: TimeoutCause; minutes?: number },
): BusEvent<'OrderProcessor.OrderTimeOut'> {
  const detail: OrderProcessorOrderTimeOut = {
    orderId: input.orderId,
    userId: input.userId,
    eventId: input.eventId,
    cause: input.cause,
    Message: timeoutMessage(input.cause, input.minutes),
  };
  return keyed('OrderProcessor.OrderTimeOut', detail, { subject: input.orderId, version: 0 });
}

/**
 * OrderProcessor.OrderFailed: the workflow stopped the order (a step failed for good, or the execution
 * was stopped or timed out) and its places were given back. orderNumber when it had one (the board).
 */
export function orderFailedEvent(
  input: OrderRef & { failure: OrderFailure; orderNumber?: string },
): BusEvent<'OrderProcessor.OrderFailed'> {
  const detail: OrderProcessorOrderFailed = {
    orderId: input.orderId,
    userId: input.userId,
    eventId: input.eventId,
    error: input.failure.error,
    cause: input.failure.cause,
    ...(input.orderNumber === undefined ? {} : { orderNumber: input.orderNumber }),
    Message: MESSAGES.failed,
  };
  return keyed('OrderProcessor.OrderFailed', detail, { subject: input.orderId, version: 0 });
}

/** OrderProcessor.orderFinished (lower-case o, as in the original). */
export function orderFinishedEvent(input: OrderRef): BusEvent<'OrderProcessor.orderFinished'> {
  const detail: OrderProcessorOrderFinished = {
    orderId: input.orderId,
    userId: input.userId,
    eventId: input.eventId,
    Message: MESSAGES.orderFinished,
  };
  return keyed('OrderProcessor.orderFinished', detail, { subject: input.orderId, version: 0 });
}

/**
 * OrderManager.WaitingCompletion: the order is in the barista queue. state is "<eventId>-CREATED"
 * because the original's recordings carry that value here (its ORDERSTATE only changed on completion
 * or cancellation) and consumers written for them match on it. TS is when it was queued.
 */
export function waitingCompletionEvent(
  order: Order,
  message: string = MESSAGES.waitingCompletion,
): BusEvent<'OrderManager.WaitingCompletion'> {
  const what = 'OrderManager.WaitingCompletion';
  const drink = need(order.drinkOrder, order, 'drinkOrder', what);
  const detail: OrderManagerWaitingCompletion = {
    orderId: order.orderId,
    orderNumber: need(order.orderNumber, order, 'orderNumber', what),
    state: `${order.eventId}-CREATED`,
    drinkOrder: { drink: drink.drink, modifiers: [...drink.modifiers], icon: drink.icon, userId: order.userId },
    userId: order.userId,
    robot: order.robot,
    eventId: order.eventId,
    TS: need(order.queuedAt, order, 'queuedAt', what),
    Message: message,
  };
  return keyed('OrderManager.WaitingCompletion', detail, { subject: order.orderId, version: order.version });
}

/**
 * The drink of an order, an extra field of MakeOrder, -COMPLETED and -CANCELLED (WaitingCompletion has
 * it with the customer's id): the realtime channels show each step with its drink.
 */
const drinkField = (order: Order): { drinkOrder?: { drink: string; modifiers: string[]; icon: string } } =>
  order.drinkOrder === undefined
    ? {}
    : {
        drinkOrder: {
          drink: order.drinkOrder.drink,
          modifiers: [...order.drinkOrder.modifiers],
          icon: order.drinkOrder.icon,
        },
      };

/** OrderManager.MakeOrder: a barista claimed it. */
export function makeOrderEvent(order: Order): BusEvent<'OrderManager.MakeOrder'> {
  const detail: OrderManagerMakeOrder & { orderNumber?: string } = {
    orderId: order.orderId,
    eventId: order.eventId,
    userId: order.userId,
    baristaUserId: need(order.baristaUserId, order, 'baristaUserId', 'OrderManager.MakeOrder'),
    ...(order.orderNumber === undefined ? {} : { orderNumber: order.orderNumber }),
    ...drinkField(order),
    Message: MESSAGES.makeOrder,
  };
  return keyed('OrderManager.MakeOrder', detail, { subject: order.orderId, version: order.version });
}

/** OrderManager.Order<eventId>-COMPLETED, with the order number for the pick-up board (an extra field). */
export function orderCompletedEvent(order: Order): BusEvent<'OrderManager.Order{eventId}-COMPLETED'> {
  const detail: OrderManagerOrderCompleted & { orderNumber?: string; baristaUserId?: string } = {
    orderId: order.orderId,
    eventId: order.eventId,
    userId: order.userId,
    ORDERSTATE: `${order.eventId}-COMPLETED`,
    ...(order.orderNumber === undefined ? {} : { orderNumber: order.orderNumber }),
    ...(order.finishedBy === undefined ? {} : { baristaUserId: order.finishedBy }),
    ...drinkField(order),
    Message: MESSAGES.completed,
  };
  return keyed(
    'OrderManager.Order{eventId}-COMPLETED',
    detail,
    { subject: order.orderId, version: order.version },
    orderFinishedDetailType(order.eventId, 'COMPLETED'),
  );
}

/** OrderManager.Order<eventId>-CANCELLED with its reason: customer, barista or timeout. */
export function orderCancelledEvent(order: Order): BusEvent<'OrderManager.Order{eventId}-CANCELLED'> {
  const reason = order.reason ?? 'barista';
  const detail: OrderManagerOrderCancelled & { orderNumber?: string; timeoutCause?: string } = {
    orderId: order.orderId,
    eventId: order.eventId,
    userId: order.userId,
    ORDERSTATE: `${order.eventId}-CANCELLED`,
    reason,
    ...(order.timeoutCause === undefined ? {} : { timeoutCause: order.timeoutCause }),
    ...(order.orderNumber === undefined ? {} : { orderNumber: order.orderNumber }),
    ...drinkField(order),
    Message: MESSAGES.cancelled[reason],
  };
  return keyed(
    'OrderManager.Order{eventId}-CANCELLED',
    detail,
    { subject: order.orderId, version: order.version },
    orderFinishedDetailType(order.eventId, 'CANCELLED'),
  );
}

/**
 * The events the order manager emits for a change of an order, from its old and new image: a pure
 * function of the two, so it serves a handler right after its write or a DynamoDB stream consumer
 * alike (the stream way also survives a crash between the write and the put). Nothing for a duplicate
 * (the same version before and after).
 * - entered the queue (numbered and drink known, in either order): OrderManager.WaitingCompletion;
 * - back in the queue after unmake: OrderManager.WaitingCompletion again (the contract has no
 *   "unmake" event, and "in the barista queue" is exactly what it says);
 * - claimed: OrderManager.MakeOrder; completed / cancelled: OrderManager.Order<eventId>-COMPLETED / -CANCELLED;
 * - queued and completed in one write (a robot barista's completion held until the order was
 *   queued): OrderManager.WaitingCompletion, then -COMPLETED, as if it had waited in the queue;
 * - refused by the workflow (reason refused): nothing, as the original put nothing for it.
 */
export function eventsForChange(before: Order | undefined, after: Order): AnyBusEvent[] {
  if (before && before.version === after.version) return [];
  const events: AnyBusEvent[] = [];
  const was = before?.status;
  if (after.reason === 'refused') return events;
  const completedOnEntry =
    after.status === 'COMPLETED' &&
    before !== undefined &&
    (was === 'CREATED' || was === 'SUBMITTED') &&
    !isQueued(before);
  if ((isQueued(after) && !(before && isQueued(before))) || completedOnEntry) {
    events.push(waitingCompletionEvent(after, was === 'MAKING' ? MESSAGES.backInQueue : MESSAGES.waitingCompletion));
  }
  if (after.status === 'MAKING' && (was !== 'MAKING' || before?.baristaUserId !== after.baristaUserId))
    events.push(makeOrderEvent(after));
  if (after.status === 'COMPLETED' && was !== 'COMPLETED') events.push(orderCompletedEvent(after));
  if (after.status === 'CANCELLED' && was !== 'CANCELLED') events.push(orderCancelledEvent(after));
  return events;
}

/** A PutEvents entry for the AWS SDK (Detail as JSON text). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Resources?: string[];
  Time?: Date;
}

export function toPutEventsEntry(
  e: AnyBusEvent,
  options: { busName?: string; resources?: string[]; time?: Date } = {},
): PutEventsEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: e.detailType,
    Detail: JSON.stringify(e.detail),
    EventBusName: options.busName ?? BUS_NAME,
    ...(options.resources ? { Resources: options.resources } : {}),
    ...(options.time ? { Time: options.time } : {}),
  };
}

// What an event on the bus tells about one order's wait: pure, so it is tested without AWS.
import type { OrderManagerOrderCompleted, OrderManagerWaitingCompletion } from '@serverlesspresso/catalog';

/** The envelope EventBridge delivers to the function (only the fields read here). */
export interface BusEvent<D = Record<string, unknown>> {
  id: string;
  'detail-type': string;
  /** When EventBridge accepted the event (ISO 8601, whole seconds): one clock for every event. */
  time: string;
  detail: D;
}

export type OrderEvent = BusEvent<Partial<OrderManagerWaitingCompletion> | Partial<OrderManagerOrderCompleted>>;

/**
 * One fact about an order. `at` is the envelope's time: both ends of a wait are then read on the same
 * clock, and a replay stamps it anew (detail.TS of a replayed WaitingCompletion is the recording's).
 */
export type OrderFact =
  | { kind: 'queued'; eventId: string; orderId: string; at: string; drink: string }
  | { kind: 'completed'; eventId: string; orderId: string; at: string };

const COMPLETED = /^OrderManager\.Order(.+)-COMPLETED$/;

function text(event: BusEvent, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new Error(`${field} is missing in event ${event.id} (${event['detail-type']})`);
  return value;
}

/** The fact an event carries; throws, naming the field, on an event the rule never delivers. */
export function factOf(event: OrderEvent): OrderFact {
  const detailType = event['detail-type'];
  const at = event.time;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
    throw new Error(`time "${String(at)}" of event ${event.id} is not an ISO 8601 date`);
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const eventId = text(event, 'detail.eventId', detail.eventId);
  const orderId = text(event, 'detail.orderId', detail.orderId);
  if (detailType === 'OrderManager.WaitingCompletion') {
    const drinkOrder = detail.drinkOrder as { drink?: unknown } | undefined;
    return { kind: 'queued', eventId, orderId, at, drink: text(event, 'detail.drinkOrder.drink', drinkOrder?.drink) };
  }
  const tenant = COMPLETED.exec(detailType)?.[1];
  if (tenant === undefined)
    throw new Error(`detail-type "${detailType}" of event ${event.id} is not one this function reads`);
  if (tenant !== eventId)
    throw new Error(`detail.eventId "${eventId}" differs from the tenant "${tenant}" of the detail-type`);
  return { kind: 'completed', eventId, orderId, at };
}

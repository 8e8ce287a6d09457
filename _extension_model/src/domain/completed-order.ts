// What the extension keeps of a completed order: pure, so it is tested without AWS.
import type { OrderManagerOrderCompleted } from '@serverlesspresso/catalog';

/** The envelope EventBridge delivers to the function (only the fields read here). */
export interface CompletedOrderEvent {
  id: string;
  'detail-type': string;
  time: string;
  'replay-name'?: string;
  /** `replay`: the EventPlayer's execution, on events it replayed. */
  detail: OrderManagerOrderCompleted & { orderNumber?: unknown; replay?: unknown };
}

/** One row of CompletedOrdersTable: key eventId (the tenant) + orderId. */
export interface CompletedOrder {
  eventId: string;
  orderId: string;
  userId: string;
  /** When the order was completed: the event's time (ISO 8601). */
  completedAt: string;
  /** The order number shown on the pick-up board, when the event carries it. */
  orderNumber?: string;
  /** The envelope's id, to trace the row back to the event. */
  sourceEventId: string;
  /** Set when the event is a replay rather than live traffic: the EventBridge replay's name, or the EventPlayer execution that replayed it. */
  replayName?: string;
}

const FAMILY = /^OrderManager\.Order(.+)-COMPLETED$/;

/**
 * The row for a completed order. Throws on an event the rule should never deliver (another
 * detail-type, a missing id), naming the field: EventBridge retries, then the failure is visible.
 */
export function completedOrderOf(event: CompletedOrderEvent): CompletedOrder {
  const tenant = FAMILY.exec(event['detail-type'])?.[1];
  if (tenant === undefined)
    throw new Error(`detail-type "${event['detail-type']}" is not OrderManager.Order<eventId>-COMPLETED`);
  const { eventId, orderId, userId, orderNumber } = event.detail ?? ({} as CompletedOrderEvent['detail']);
  for (const [field, value] of Object.entries({ eventId, orderId, userId })) {
    if (typeof value !== 'string' || value === '') throw new Error(`detail.${field} is missing in event ${event.id}`);
  }
  if (eventId !== tenant)
    throw new Error(`detail.eventId "${eventId}" differs from the tenant "${tenant}" of the detail-type`);
  return {
    eventId,
    orderId,
    userId,
    completedAt: event.time,
    ...(typeof orderNumber === 'string' || typeof orderNumber === 'number' ? { orderNumber: String(orderNumber) } : {}),
    sourceEventId: event.id,
    ...(event['replay-name']
      ? { replayName: event['replay-name'] }
      : typeof event.detail.replay === 'string'
        ? { replayName: event.detail.replay }
        : {}),
  };
}

// What the order manager's bus consumers share (workflowEvents.ts and robotEvents.ts): delivery is at
// least once and in any order, and the domain's transitions make repeats no-ops and tolerate the known
// reorderings. A refusal is logged and dropped (retrying cannot change it); an order that does not
// exist yet is thrown back, so the delivery is retried (Lambda's asynchronous retries: twice, a minute
// and two minutes later) once the order has been stored. What may come before its time is kept on the
// order instead (a robot's drink before the workflow starts, a robot barista's answer before the queue):
// those do not depend on a retry window.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { nonEmptyString, type Actor, type OrderAction } from '../../domain/index.js';
import { applyOrderAction } from '../../adapters/orderStore.js';

export type Detail = Record<string, unknown>;
export type BusEvent = EventBridgeEvent<string, Detail>;

/** An event's order action, on behalf of whom. */
export interface Step {
  orderId: string;
  action: OrderAction;
  actor: Actor;
}

export class OrderNotYetStored extends Error {
  override name = 'OrderNotYetStored';
}

function log(level: 'warn' | 'info', message: string, event: BusEvent): void {
  console[level](
    JSON.stringify({
      level,
      message,
      detailType: event['detail-type'],
      eventId: event.id,
      orderId: event.detail?.orderId,
    }),
  );
}

const RETRY_LATER = new Set(['ORDER_NOT_FOUND']);

/** What a consumer reads an event's step from: every step names its order. */
export interface Delivered {
  detailType: string;
  detail: Detail;
  orderId: string;
  at: number;
}

/** A handler that applies the step of each event (stepOf: the step, or why the event is not one). */
export function busConsumer(stepOf: (delivered: Delivered) => Promise<Step | string>) {
  return middy<BusEvent, void>().handler(async (event) => {
    const detail = event.detail ?? {};
    const orderId = nonEmptyString(detail.orderId);
    if (!orderId) return log('warn', 'ignored: detail.orderId is missing', event);
    const step = await stepOf({ detailType: event['detail-type'], detail, orderId, at: Date.now() });
    if (typeof step === 'string') return log('warn', `ignored: ${step}`, event);
    const result = await applyOrderAction(step.orderId, step.action, step.actor);
    if (result.ok)
      return log('info', result.value.duplicate ? 'already applied' : `applied ${step.action.type}`, event);
    if (RETRY_LATER.has(result.error.code))
      throw new OrderNotYetStored(`Order ${step.orderId} is not stored yet; ${step.action.type} will be retried.`);
    log('warn', `refused: ${result.error.code} ${result.error.message}`, event);
  });
}

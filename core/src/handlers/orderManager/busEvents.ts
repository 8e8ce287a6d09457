// The order manager's bus consumers: the order processor's steps (workflow started, numbered, timed
// out) and the robots' actions (ProducerRobot.FulfillOrder orders a simulated customer's drink,
// OrderRobot.FulfillOrder completes or cancels as a simulated barista). Delivery is at least once
// and in any order: the domain's transitions make repeats no-ops and tolerate the known reorderings.
// A refusal is logged and dropped (retrying cannot change it); an order that does not exist yet is
// thrown back, so EventBridge retries the delivery once the order has been stored.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { validateDrinkOrder, type Actor, type DomainError, type OrderAction, type TimeoutCause } from '../../domain/index.js';
import { loadConfig } from '../../adapters/configStore.js';
import { applyOrderAction, loadOrder } from '../../adapters/orderStore.js';

type Detail = Record<string, unknown>;
type BusEvent = EventBridgeEvent<string, Detail>;

const SYSTEM: Actor = { role: 'system' };
/** The simulated customers of the original OrderRobot use this user id. */
const ROBOT_USER = 'robot';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class OrderNotYetStored extends Error {
  override name = 'OrderNotYetStored';
}

interface Step {
  orderId: string;
  action: OrderAction;
  actor: Actor;
}

function log(level: 'warn' | 'info', message: string, event: BusEvent, extra: Record<string, unknown> = {}): void {
  console[level](JSON.stringify({ level, message, detailType: event['detail-type'], eventId: event.id, orderId: event.detail?.orderId, ...extra }));
}

async function timeoutCause(orderId: string, claimed: unknown): Promise<TimeoutCause> {
  if (claimed === 'customer' || claimed === 'barista') return claimed;
  // The original put Step Functions' error cause here: tell the waits apart by whether the order was numbered.
  const order = await loadOrder(orderId);
  return order?.orderNumber === undefined ? 'customer' : 'barista';
}

/** The order action an event asks for, or a reason it is not one. */
async function stepOf(event: BusEvent): Promise<Step | string> {
  const d = event.detail ?? {};
  const at = Date.now();
  const orderId = text(d.orderId);
  if (!orderId) return 'detail.orderId is missing';
  switch (event['detail-type']) {
    case 'OrderProcessor.WorkflowStarted': {
      const eventId = text(d.eventId), userId = text(d.userId), taskToken = text(d.TaskToken);
      if (!eventId || !userId || !taskToken) return 'detail.eventId, userId and TaskToken are required';
      return { orderId, action: { type: 'workflowStarted', orderId, eventId, userId, taskToken, robot: userId === ROBOT_USER, at }, actor: SYSTEM };
    }
    case 'OrderProcessor.WaitingCompletion': {
      const orderNumber = text(d.orderNumber), taskToken = text(d.TaskToken);
      if (!orderNumber || !taskToken) return 'detail.orderNumber and TaskToken are required';
      return { orderId, action: { type: 'numbered', orderNumber, taskToken, at }, actor: SYSTEM };
    }
    case 'OrderProcessor.OrderTimeOut':
      return { orderId, action: { type: 'timeout', cause: await timeoutCause(orderId, d.cause), at }, actor: SYSTEM };
    case 'ProducerRobot.FulfillOrder': {
      const eventId = text(d.eventId);
      const body = d.body as Detail | undefined;
      const userId = text(body?.userId);
      if (!eventId || !userId) return 'detail.eventId and body.userId are required';
      const config = await loadConfig(eventId);
      const drink = validateDrinkOrder(config?.menu ?? [], body);
      if (!drink.ok) return `the drink is refused: ${drink.error.message}`;
      return { orderId, action: { type: 'submitDrink', drinkOrder: drink.value, robot: true, early: { orderId, eventId }, at }, actor: { role: 'customer', userId } };
    }
    case 'OrderRobot.FulfillOrder': {
      const baristaUserId = text(d.baristaUserId);
      if (!baristaUserId || (d.action !== 'complete' && d.action !== 'cancel')) return 'detail.baristaUserId and an action of complete or cancel are required';
      return { orderId, action: { type: d.action, at }, actor: { role: 'barista', userId: baristaUserId } };
    }
    default:
      return `the order manager does not consume ${event['detail-type']}`;
  }
}

const RETRY_LATER = new Set(['ORDER_NOT_FOUND']);

export const handler = middy<BusEvent, void>().handler(async (event) => {
  const step = await stepOf(event);
  if (typeof step === 'string') return log('warn', `ignored: ${step}`, event);
  const result = await applyOrderAction(step.orderId, step.action, step.actor);
  if (result.ok) return log('info', result.value.duplicate ? 'already applied' : `applied ${step.action.type}`, event);
  const error: DomainError = result.error;
  if (RETRY_LATER.has(error.code)) throw new OrderNotYetStored(`Order ${step.orderId} is not stored yet; ${step.action.type} will be retried.`);
  log('warn', `refused: ${error.code} ${error.message}`, event);
});

// The order processor's steps, as the order manager records them: the workflow started (the order
// is created with the token of the customer wait), the order was numbered (the token of the barista
// wait; the order enters the queue), the workflow timed out (the order is cancelled with its cause),
// the workflow refused it (OrderProcessor.ShopUnavailable: stored refused, so a robot's drink that
// follows is refused instead of creating an order no workflow will start), the workflow failed
// (OrderProcessor.OrderFailed, from its Fail path or the reservation sweep: the order is FAILED).
import { nonEmptyString, ROBOT_USER_ID, type Actor, type TimeoutCause } from '../../domain/index.js';
import { loadOrder } from '../../adapters/orderStore.js';
import { busConsumer, type Delivered, type Step } from './busConsumer.js';

const SYSTEM: Actor = { role: 'system' };

async function timeoutCause(orderId: string, claimed: unknown): Promise<TimeoutCause> {
  if (claimed === 'customer' || claimed === 'barista') return claimed;
  // The original put Step Functions' error cause here: tell the waits apart by whether the order was numbered.
  const order = await loadOrder(orderId);
  return order?.orderNumber === undefined ? 'customer' : 'barista';
}

async function stepOf({ detailType, detail: d, orderId, at }: Delivered): Promise<Step | string> {
  switch (detailType) {
    case 'OrderProcessor.WorkflowStarted': {
      const eventId = nonEmptyString(d.eventId),
        userId = nonEmptyString(d.userId),
        taskToken = nonEmptyString(d.TaskToken);
      if (!eventId || !userId || !taskToken) return 'detail.eventId, userId and TaskToken are required';
      return {
        orderId,
        action: { type: 'workflowStarted', orderId, eventId, userId, taskToken, robot: userId === ROBOT_USER_ID, at },
        actor: SYSTEM,
      };
    }
    case 'OrderProcessor.WaitingCompletion': {
      const orderNumber = nonEmptyString(d.orderNumber),
        taskToken = nonEmptyString(d.TaskToken);
      if (!orderNumber || !taskToken) return 'detail.orderNumber and TaskToken are required';
      return { orderId, action: { type: 'numbered', orderNumber, taskToken, at }, actor: SYSTEM };
    }
    case 'OrderProcessor.ShopUnavailable': {
      const eventId = nonEmptyString(d.eventId),
        userId = nonEmptyString(d.userId);
      if (!eventId || !userId) return 'detail.eventId and userId are required';
      // reason is the core's own field (STORE_CLOSED, AT_CAPACITY); the original's events had only the Message.
      const code = nonEmptyString(d.reason) ?? 'SHOP_UNAVAILABLE';
      const message = nonEmptyString(d.Message) ?? 'The coffee bar could not take the order.';
      return {
        orderId,
        action: { type: 'refused', orderId, eventId, userId, code, message, robot: userId === ROBOT_USER_ID, at },
        actor: SYSTEM,
      };
    }
    case 'OrderProcessor.OrderFailed': {
      const eventId = nonEmptyString(d.eventId),
        userId = nonEmptyString(d.userId),
        error = nonEmptyString(d.error);
      if (!eventId || !userId || !error) return 'detail.eventId, userId and error are required';
      const cause = typeof d.cause === 'string' ? d.cause : '';
      return {
        orderId,
        action: {
          type: 'failed',
          orderId,
          eventId,
          userId,
          failure: { error, cause },
          robot: userId === ROBOT_USER_ID,
          at,
        },
        actor: SYSTEM,
      };
    }
    case 'OrderProcessor.OrderTimeOut':
      return { orderId, action: { type: 'timeout', cause: await timeoutCause(orderId, d.cause), at }, actor: SYSTEM };
    default:
      return `the order manager's workflow consumer does not take ${detailType}`;
  }
}

export const handler = busConsumer(stepOf);

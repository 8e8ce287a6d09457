// The order table: one item per order (PK = orderId) with the index attributes of the original
// (ORDERSTATE "<eventId>-<STATUS>", USERID, TS), so orders are queried per event and state (the
// barista queue, the board) and per customer. Writes are conditional on the version read, and the
// table's stream turns every change into the order manager's events.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  isFinished,
  orderStateOf,
  orderWritePrecondition,
  transition,
  type Actor,
  type Order,
  type OrderAction,
  type OrderStatus,
  type OrderWritePrecondition,
  type Result,
  type TransitionOutcome,
  type WorkflowResume,
} from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';
import { resumeWorkflow } from './workflow.js';

const table = (): string => requiredEnv('ORDER_TABLE');

/** The table's global secondary indexes (names as in template.yaml). */
export const ORDER_INDEXES = { byState: 'ByState', byUser: 'ByUser' } as const;

const ITEM_ATTRIBUTES = ['PK', 'ORDERSTATE', 'USERID', 'TS', 'resume'] as const;

/**
 * The item of an order. resume, when given, is the workflow resume this write owes: the table's
 * stream consumer sends it after it has put the change's events on the bus (see applyOrderAction).
 */
export function orderToItem(order: Order, resume?: WorkflowResume): Record<string, unknown> {
  // TS is the last change: the newest completions come first on the board, a customer's latest orders first.
  return {
    ...order,
    PK: order.orderId,
    ORDERSTATE: orderStateOf(order),
    USERID: order.userId,
    TS: order.updatedAt,
    ...(resume ? { resume } : {}),
  };
}

/** The resume a stored change owes, if any. */
export function resumeOwed(item: Record<string, unknown>): WorkflowResume | undefined {
  const resume = item.resume as Partial<WorkflowResume> | undefined;
  return typeof resume?.taskToken === 'string' && typeof resume.output?.cancelled === 'boolean'
    ? { taskToken: resume.taskToken, output: { cancelled: resume.output.cancelled } }
    : undefined;
}

export function itemToOrder(item: Record<string, unknown>): Order {
  const order: Record<string, unknown> = { ...item };
  for (const key of ITEM_ATTRIBUTES) delete order[key];
  return order as unknown as Order;
}

export async function loadOrder(orderId: string): Promise<Order | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: table(), Key: { PK: orderId }, ConsistentRead: true }),
  );
  return Item ? itemToOrder(Item) : undefined;
}

/** The domain's precondition of a write (orderWritePrecondition) as DynamoDB's condition on the item's version. */
export function orderWriteCondition(before: Order | undefined): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, number>;
} {
  const must: OrderWritePrecondition = orderWritePrecondition(before);
  if (must.absent)
    return {
      ConditionExpression: 'attribute_not_exists(#version)',
      ExpressionAttributeNames: { '#version': 'version' },
    };
  return {
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':version': must.version },
  };
}

/** Writes `after` if the stored order is still `before`; false when someone else wrote in between. */
export async function saveOrder(before: Order | undefined, after: Order, resume?: WorkflowResume): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({ TableName: table(), Item: orderToItem(after, resume), ...orderWriteCondition(before) }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

async function queryAll(params: ConstructorParameters<typeof QueryCommand>[0], limit: number): Promise<Order[]> {
  const orders: Order[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(new QueryCommand({ ...params, ExclusiveStartKey, Limit: limit - orders.length }));
    orders.push(...(page.Items ?? []).map(itemToOrder));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && orders.length < limit);
  return orders;
}

/** The orders of an event in one state, newest change first or oldest first. */
export function ordersInState(
  eventId: string,
  status: OrderStatus,
  options: { limit?: number; newestFirst?: boolean } = {},
): Promise<Order[]> {
  return queryAll(
    {
      TableName: table(),
      IndexName: ORDER_INDEXES.byState,
      KeyConditionExpression: 'ORDERSTATE = :state',
      ExpressionAttributeValues: { ':state': orderStateOf({ eventId, status }) },
      ScanIndexForward: !options.newestFirst,
    },
    options.limit ?? 1000,
  );
}

/** A customer's orders, newest change first; only one event's when eventId is given. */
export function ordersOfUser(userId: string, options: { eventId?: string; limit?: number } = {}): Promise<Order[]> {
  return queryAll(
    {
      TableName: table(),
      IndexName: ORDER_INDEXES.byUser,
      KeyConditionExpression: 'USERID = :user',
      ...(options.eventId === undefined
        ? { ExpressionAttributeValues: { ':user': userId } }
        : {
            FilterExpression: 'eventId = :eventId',
            ExpressionAttributeValues: { ':user': userId, ':eventId': options.eventId },
          }),
      ScanIndexForward: false,
    },
    options.limit ?? 100,
  );
}

/** Attempts before giving up on an order that keeps changing under us (each attempt re-reads it). */
const MAX_ATTEMPTS = 5;

/**
 * The order manager's one way to change an order: read it, apply the domain's transition, write it
 * conditionally (re-reading and re-applying when another writer won), and see that the workflow is
 * resumed when the transition says so.
 * - A resume that ends the workflow (the order is finished) is written with the order and sent by the
 *   table's stream consumer once the change's events are on the bus: OrderManager.Order…-COMPLETED /
 *   -CANCELLED always come before the processor's OrderProcessor.orderFinished, and a crash between
 *   the write and the resume loses nothing (the stream redelivers the change). A duplicate of such a
 *   change resumes nothing: its stream record does.
 * - Any other resume (the customer's drink) is sent here, at once; a duplicate sends it again, since
 *   the first attempt may have stopped between its write and its resume.
 */
export async function applyOrderAction(
  orderId: string,
  action: OrderAction,
  actor: Actor,
): Promise<Result<TransitionOutcome>> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const before = await loadOrder(orderId);
    const result = transition(before, action, actor);
    if (!result.ok) return result;
    const { order, duplicate, resume } = result.value;
    const owedByStream = resume !== undefined && isFinished(order.status);
    if (!duplicate && !(await saveOrder(before, order, owedByStream ? resume : undefined))) continue;
    if (!owedByStream) await resumeWorkflow(resume);
    return result;
  }
  throw new Error(`Order ${orderId} kept changing during ${MAX_ATTEMPTS} attempts to ${action.type} it; try again.`);
}

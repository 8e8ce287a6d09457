// The validator's table: one item per event and QR time bucket (PK "<eventId>-<bucketId>", expiring
// a day after the bucket ends), and the customers' open-order sets in the counters table. A scan takes
// a token of the bucket and a place in the customer's set in one transaction: both or neither.
import { GetCommand, PutCommand, TransactWriteCommand, type GetCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  bucketIdAt,
  bucketKey,
  createBucketParams,
  decrementTokenParams,
  eventOpenOrdersKey,
  openOrderCount,
  releaseOpenOrderParams,
  reserveOpenOrderParams,
  userOpenOrdersKey,
  type QrBucket,
} from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';

const validatorTable = (): string => requiredEnv('VALIDATOR_TABLE');
const countersTable = (): string => requiredEnv('COUNTERS_TABLE');

export async function loadBucket(eventId: string, bucketId: number): Promise<QrBucket | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: validatorTable(), Key: { PK: bucketKey(eventId, bucketId) }, ConsistentRead: true }),
  );
  return Item as QrBucket | undefined;
}

/** The bucket stored for the moment nowMs with this rotation, if any. */
export function loadCurrentBucket(
  eventId: string,
  rotationMinutes: number,
  nowMs: number,
): Promise<QrBucket | undefined> {
  return loadBucket(eventId, bucketIdAt(nowMs, rotationMinutes));
}

/** Stores a new bucket unless another display stored one first; returns the one that is stored. */
export async function storeNewBucket(bucket: QrBucket): Promise<QrBucket> {
  try {
    await dynamo().send(new PutCommand({ TableName: validatorTable(), ...createBucketParams(bucket) }));
    return bucket;
  } catch (e) {
    if (errorName(e) !== 'ConditionalCheckFailedException') throw e;
    const winner = await loadBucket(bucket.eventId, bucket.bucketId);
    if (!winner) throw new Error(`QR bucket ${bucket.PK} was neither created nor found; try again.`);
    return winner;
  }
}

export interface Admission {
  bucket: QrBucket;
  eventId: string;
  userId: string;
  orderId: string;
  /** The customer's open-order limit (config.maxOrdersPerUser). */
  maxOrdersPerUser: number;
  nowMs: number;
}

/**
 * Takes one token of the bucket and a place in the customer's open orders, atomically.
 * 'bucket': the bucket's condition failed (no tokens left, or it ended): re-read it for the reason.
 * 'user': the customer already holds their limit of open orders.
 */
export async function admit(a: Admission): Promise<'admitted' | 'bucket' | 'user'> {
  const token = decrementTokenParams(a.bucket, a.nowMs);
  const { ReturnValues: _all, ...tokenUpdate } = token;
  const place = reserveOpenOrderParams(userOpenOrdersKey(a.eventId, a.userId), a.orderId, a.maxOrdersPerUser);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: validatorTable(), ...tokenUpdate } },
          { Update: { TableName: countersTable(), ...place } },
        ],
      }),
    );
    return 'admitted';
  } catch (e) {
    if (errorName(e) !== 'TransactionCanceledException') throw e;
    const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'bucket';
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'user';
    throw e;
  }
}

/** Undoes an admission whose NewOrder could not be put on the bus: the token and the place go back. */
export async function undoAdmission(a: Pick<Admission, 'bucket' | 'eventId' | 'userId' | 'orderId'>): Promise<void> {
  await dynamo().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: validatorTable(),
            Key: { PK: a.bucket.PK },
            UpdateExpression: 'SET #tokens = #tokens + :one',
            ConditionExpression: 'attribute_exists(#tokens)',
            ExpressionAttributeNames: { '#tokens': 'availableTokens' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
        {
          Update: {
            TableName: countersTable(),
            ...releaseOpenOrderParams(userOpenOrdersKey(a.eventId, a.userId), a.orderId),
          },
        },
      ],
    }),
  );
}

/** How many open orders an event holds (its workflows between the capacity check and their end). */
export async function eventOpenOrders(eventId: string): Promise<number> {
  const result: GetCommandOutput = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: eventOpenOrdersKey(eventId) }, ConsistentRead: true }),
  );
  return openOrderCount(result.Item);
}

/** How many open orders a customer holds at an event. */
export async function userOpenOrders(eventId: string, userId: string): Promise<number> {
  const result: GetCommandOutput = await dynamo().send(
    new GetCommand({
      TableName: countersTable(),
      Key: { PK: userOpenOrdersKey(eventId, userId) },
      ConsistentRead: true,
    }),
  );
  return openOrderCount(result.Item);
}

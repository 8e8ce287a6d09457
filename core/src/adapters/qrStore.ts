// The validator's table: one item per event and QR time bucket (PK "<eventId>-<bucketId>", expiring
// a day after the bucket ends), and the customers' open-order sets in the counters table. A scan takes
// a token of the bucket, a place in the customer's set and one in their mailbox's list in one
// transaction, with the place's reservation (its expiry, for the reservation sweep:
// reservationStore.ts): all or nothing.
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand, type GetCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  bucketIdAt,
  bucketKey,
  eventOpenOrdersKey,
  liveMailboxOrders,
  mailboxOrdersKey,
  newReservation,
  reservationKey,
  userOpenOrdersKey,
  type QrBucket,
  type Reservation,
} from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';

const validatorTable = (): string => requiredEnv('VALIDATOR_TABLE');
const countersTable = (): string => requiredEnv('COUNTERS_TABLE');

// How the domain's rules are written as DynamoDB conditions and updates (document-client values,
// without TableName).

/** DynamoDB PutItem parameters (without TableName): only the first writer of a bucket wins, so every display shows one code. */
export function createBucketParams(bucket: QrBucket): { Item: QrBucket; ConditionExpression: string } {
  return { Item: bucket, ConditionExpression: 'attribute_not_exists(PK)' };
}

/** DynamoDB UpdateItem parameters (without TableName), as plain document-client values. */
export interface TokenUpdateParams {
  Key: { PK: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number>;
  ReturnValues: 'ALL_NEW';
}

/**
 * Takes one token of a verified bucket, atomically: the update only happens while tokens are left,
 * the item is still this event's bucket with this code, and the bucket has not ended (nowMs), so a
 * check-then-act race or a scan at the rotation instant cannot admit an order too many. A failed
 * condition (ConditionalCheckFailedException) means: re-read and verify again for the precise error.
 */
export function decrementTokenParams(
  bucket: Pick<QrBucket, 'PK' | 'eventId' | 'bucketId' | 'code'>,
  nowMs: number,
): TokenUpdateParams {
  return {
    Key: { PK: bucket.PK },
    UpdateExpression: 'SET #tokens = #tokens - :one',
    ConditionExpression:
      '#tokens > :zero AND #eventId = :eventId AND #bucketId = :bucketId AND #code = :code AND #endMs >= :now',
    // Every attribute behind a placeholder: "code" and friends may be DynamoDB reserved words.
    ExpressionAttributeNames: {
      '#tokens': 'availableTokens',
      '#eventId': 'eventId',
      '#bucketId': 'bucketId',
      '#code': 'code',
      '#endMs': 'endMs',
    },
    ExpressionAttributeValues: {
      ':one': 1,
      ':zero': 0,
      ':eventId': bucket.eventId,
      ':bucketId': bucket.bucketId,
      ':code': bucket.code,
      ':now': nowMs,
    },
    ReturnValues: 'ALL_NEW',
  };
}

/** DynamoDB UpdateItem parameters (without TableName), as document-client values. */
export interface OpenOrdersUpdate {
  Key: { PK: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number | Set<string>>;
}

/**
 * Adds an order to a set while it has fewer than limit members; the order already being a member
 * also passes (a retried reservation). A failed condition (ConditionalCheckFailedException) means full.
 */
export function reserveOpenOrderParams(key: string, orderId: string, limit: number): OpenOrdersUpdate {
  // With limit 0 the empty set would still take one: callers refuse that case before reserving.
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`an open-order limit must be a whole number from 1, got ${limit}`);
  return {
    Key: { PK: key },
    UpdateExpression: 'ADD #orders :order',
    ConditionExpression: 'attribute_not_exists(#orders) OR size(#orders) < :limit OR contains(#orders, :orderId)',
    ExpressionAttributeNames: { '#orders': 'orderIds' },
    ExpressionAttributeValues: { ':order': new Set([orderId]), ':orderId': orderId, ':limit': limit },
  };
}

/**
 * Removes an order from a set. The condition keeps a release of a set that does not exist from
 * creating an empty item: a failed condition there means "nothing to release".
 */
export function releaseOpenOrderParams(key: string, orderId: string): OpenOrdersUpdate {
  return {
    Key: { PK: key },
    UpdateExpression: 'DELETE #orders :order',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#orders': 'orderIds', '#pk': 'PK' },
    ExpressionAttributeValues: { ':order': new Set([orderId]) },
  };
}

/** How many orders a stored set item holds (none when the item or the set is missing). */
export function openOrderCount(item: Record<string, unknown> | undefined): number {
  const orders = item?.orderIds;
  return orders instanceof Set ? orders.size : Array.isArray(orders) ? orders.length : 0;
}

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

/** The sparse index of reservations by expiry (core/template.yaml, CountersTable): only reservations carry its keys. */
export const RESERVATIONS_INDEX = 'ByReservedUntil';
/** Its partition key's one value: every reservation, sorted by reservedUntil. */
export const RESERVATIONS = 'reservation';

/** The counters-table item of a reservation (no TTL attribute: the sweep, not DynamoDB, decides when it goes). */
export function reservationItem(r: Reservation): Record<string, unknown> {
  return { PK: reservationKey(r.orderId), RESERVATIONS, ...r };
}

export interface Admission {
  bucket: QrBucket;
  eventId: string;
  userId: string;
  orderId: string;
  /** The customer's open-order limit (config.maxOrdersPerUser), also the limit of their mailbox. */
  maxOrdersPerUser: number;
  nowMs: number;
  /** How long the place is reserved before the sweep looks at its workflow (RESERVATION_LEASE_SECONDS). */
  leaseMs: number;
  /** The customer's verified mailbox (canonicalMailbox of the token's email): its accounts share the limit. */
  mailbox?: string;
}

/** The mailbox's list in the counters table: orderId → the account that placed it, under a version. */
interface MailboxItem {
  PK: string;
  orders?: Record<string, string>;
  version?: number;
}

/** The mailbox's key: a digest, so that the table holds no email address. */
export const mailboxKey = (eventId: string, mailbox: string): string =>
  mailboxOrdersKey(eventId, createHash('sha256').update(mailbox).digest('base64url').slice(0, 32));

async function openOrdersOf(key: string): Promise<Set<string>> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: key }, ConsistentRead: true }),
  );
  const orders = Item?.orderIds;
  return orders instanceof Set ? (orders as Set<string>) : new Set(Array.isArray(orders) ? (orders as string[]) : []);
}

/**
 * The mailbox's reservation, as a transaction item: its still-open orders (each still in its
 * account's set: the workflow gives those back, so the mailbox needs no release of its own) plus
 * this one, written only if nobody changed the list since it was read; or, when the list is full,
 * 'user' (the account's own orders fill it) or 'mailbox' (other accounts' do).
 */
async function mailboxReservation(a: Admission & { mailbox: string }) {
  const key = mailboxKey(a.eventId, a.mailbox);
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: key }, ConsistentRead: true }),
  );
  const item = Item as MailboxItem | undefined;
  const entries = item?.orders ?? {};
  const accounts = [...new Set(Object.values(entries))];
  const sets = new Map(
    await Promise.all(accounts.map(async (u) => [u, await openOrdersOf(userOpenOrdersKey(a.eventId, u))] as const)),
  );
  const live = liveMailboxOrders(entries, (u) => sets.get(u) ?? new Set());
  if (!(a.orderId in live) && Object.keys(live).length >= a.maxOrdersPerUser)
    // Full with the account's own orders only: that is the account's limit, said as such.
    return Object.values(live).every((u) => u === a.userId) ? ('user' as const) : ('mailbox' as const);
  const version = item?.version ?? 0;
  return {
    Put: {
      TableName: countersTable(),
      Item: { PK: key, orders: { ...live, [a.orderId]: a.userId }, version: version + 1 },
      ...(item
        ? {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' } as Record<string, string>,
            ExpressionAttributeValues: { ':version': version },
          }
        : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'PK' } }),
    },
  };
}

/** Tries of an admission whose transaction met another on the same items (many scans of one code at once). */
const CONFLICT_ATTEMPTS = 8;

/**
 * Takes one token of the bucket, a place in the customer's open orders and, with a mailbox, one in
 * the mailbox's, atomically, and writes the place's reservation (reclaimed by the sweep if no
 * workflow gives the place back).
 * 'bucket': the bucket's condition failed (no tokens left, or it ended): re-read it for the reason.
 * 'user': the customer already holds their limit of open orders.
 * 'mailbox': other accounts on the customer's mailbox hold the limit.
 */
export async function admit(a: Admission): Promise<'admitted' | 'bucket' | 'user' | 'mailbox'> {
  const token = decrementTokenParams(a.bucket, a.nowMs);
  const { ReturnValues: _all, ...tokenUpdate } = token;
  const place = reserveOpenOrderParams(userOpenOrdersKey(a.eventId, a.userId), a.orderId, a.maxOrdersPerUser);
  // Another scan on the same mailbox between the read and the write: read again (a few times).
  for (let attempt = 1; ; attempt++) {
    const mailbox = a.mailbox === undefined ? undefined : await mailboxReservation({ ...a, mailbox: a.mailbox });
    if (mailbox === 'user' || mailbox === 'mailbox') return mailbox;
    try {
      await dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: validatorTable(), ...tokenUpdate } },
            { Update: { TableName: countersTable(), ...place } },
            {
              Put: {
                TableName: countersTable(),
                Item: reservationItem(
                  newReservation({
                    orderId: a.orderId,
                    eventId: a.eventId,
                    userId: a.userId,
                    nowMs: a.nowMs,
                    leaseMs: a.leaseMs,
                  }),
                ),
              },
            },
            ...(mailbox ? [mailbox] : []),
          ],
        }),
      );
      return 'admitted';
    } catch (e) {
      if (errorName(e) !== 'TransactionCanceledException') throw e;
      const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      // Concurrent scans of one code: DynamoDB cancels a transaction on an item another transaction is
      // writing (TransactionConflict). Nothing was written: try again after a short, jittered pause.
      if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < CONFLICT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, attempt * 10 + Math.random() * 40));
        continue;
      }
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'bucket';
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'user';
      if (reasons[3]?.Code === 'ConditionalCheckFailed' && attempt < 5) continue;
      if (reasons[3]?.Code === 'ConditionalCheckFailed') return 'mailbox';
      throw e;
    }
  }
}

/** Undoes an admission whose NewOrder could not be put on the bus: the token, the place and its reservation go back. */
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
        { Delete: { TableName: countersTable(), Key: { PK: reservationKey(a.orderId) } } },
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

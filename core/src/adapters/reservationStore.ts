// Reservations in the counters table: one item per admitted order ("reservation-<orderId>", written
// by the validator's admission with its expiry), found past their expiry through the sparse index
// ByReservedUntil (only reservation items carry its keys), and what the sweep does with them: read
// the order's workflow claim, claim an order no workflow took, extend, give the places back, delete.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  SWEEP_CLAIM,
  eventOpenOrdersKey,
  reservationKey,
  userOpenOrdersKey,
  workflowClaimKey,
  type Reservation,
} from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';
import { RESERVATIONS, RESERVATIONS_INDEX, releaseOpenOrderParams } from './qrStore.js';

const countersTable = (): string => requiredEnv('COUNTERS_TABLE');

function toReservation(item: Record<string, unknown>): Reservation {
  return {
    orderId: String(item.orderId),
    eventId: String(item.eventId),
    userId: String(item.userId),
    reservedAt: Number(item.reservedAt),
    reservedUntil: Number(item.reservedUntil),
  };
}

/** Reservations whose expiry is at or before nowMs, oldest first, at most limit. */
export async function expiredReservations(nowMs: number, limit: number): Promise<Reservation[]> {
  const found: Reservation[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: countersTable(),
        IndexName: RESERVATIONS_INDEX,
        KeyConditionExpression: '#r = :r AND #until <= :now',
        ExpressionAttributeNames: { '#r': 'RESERVATIONS', '#until': 'reservedUntil' },
        ExpressionAttributeValues: { ':r': RESERVATIONS, ':now': nowMs },
        Limit: limit - found.length,
        ExclusiveStartKey,
      }),
    );
    found.push(...(page.Items ?? []).map(toReservation));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && found.length < limit);
  return found;
}

/** The execution that claimed the order (the processor's claim), SWEEP_CLAIM, or undefined when none did. */
export async function workflowClaim(orderId: string): Promise<string | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: workflowClaimKey(orderId) }, ConsistentRead: true }),
  );
  return typeof Item?.executionArn === 'string' ? Item.executionArn : undefined;
}

/**
 * Claims an order no workflow took, as the processor's claim item (with its day of TTL): a late
 * Validator.NewOrder then ends at the processor's claim. False when a workflow claimed it meanwhile.
 */
export async function claimForSweep(orderId: string, nowMs: number): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: countersTable(),
        Item: {
          PK: workflowClaimKey(orderId),
          executionArn: SWEEP_CLAIM,
          expiresAt: Math.floor(nowMs / 1000) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

/** Looks again later: the workflow still runs. Nothing when the reservation is gone already. */
export async function extendReservation(orderId: string, reservedUntil: number): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: countersTable(),
        Key: { PK: reservationKey(orderId) },
        UpdateExpression: 'SET #until = :until',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#until': 'reservedUntil' },
        ExpressionAttributeValues: { ':until': reservedUntil },
      }),
    );
  } catch (e) {
    if (errorName(e) !== 'ConditionalCheckFailedException') throw e;
  }
}

/** Removes the order from the event's open orders and the customer's; either may be gone already. */
export async function releasePlaces(r: Pick<Reservation, 'orderId' | 'eventId' | 'userId'>): Promise<void> {
  for (const key of [eventOpenOrdersKey(r.eventId), userOpenOrdersKey(r.eventId, r.userId)]) {
    try {
      await dynamo().send(new UpdateCommand({ TableName: countersTable(), ...releaseOpenOrderParams(key, r.orderId) }));
    } catch (e) {
      if (errorName(e) !== 'ConditionalCheckFailedException') throw e;
    }
  }
}

export async function deleteReservation(orderId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: countersTable(), Key: { PK: reservationKey(orderId) } }));
}

/** The reservation of an order, if any (an early drink's order: admitted, not yet stored). */
export async function loadReservation(orderId: string): Promise<Reservation | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: reservationKey(orderId) }, ConsistentRead: true }),
  );
  return Item ? toReservation(Item) : undefined;
}

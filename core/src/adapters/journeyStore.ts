// The journey table: every envelope of an order as it came off the bus (PK = orderId, SK = the
// envelope's id), so a redelivered event overwrites itself instead of appearing twice. Envelopes are
// kept as JSON text: extensions' details may hold anything, and the journey reads them back as they were.
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEnvelope } from '../domain/index.js';
import { dynamo } from './aws.js';
import { requiredEnv } from './env.js';

const table = (): string => requiredEnv('JOURNEY_TABLE');

/** Journeys are kept 30 days (DynamoDB TTL), long enough for any question about an order. */
export const JOURNEY_RETENTION_SECONDS = 30 * 24 * 60 * 60;

export async function recordEnvelope(orderId: string, envelope: StoredEnvelope, nowMs: number): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: { PK: orderId, SK: envelope.id, envelope: JSON.stringify(envelope), expiresAt: Math.floor(nowMs / 1000) + JOURNEY_RETENTION_SECONDS },
    }),
  );
}

export async function loadEnvelopes(orderId: string): Promise<StoredEnvelope[]> {
  const envelopes: StoredEnvelope[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({ TableName: table(), KeyConditionExpression: 'PK = :order', ExpressionAttributeValues: { ':order': orderId }, ExclusiveStartKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) envelopes.push(JSON.parse(String(item.envelope)) as StoredEnvelope);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return envelopes;
}

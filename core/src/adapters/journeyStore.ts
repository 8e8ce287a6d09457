// The journey table: every envelope of an order as it came off the bus (PK = orderId, SK = the
// envelope's id), written by the journey recorder (statemachines/journeyRecorder.asl.json) as JSON
// text: extensions' details may hold anything, and the journey reads them back as they were.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEnvelope } from '../domain/index.js';
import { dynamo } from './aws.js';
import { requiredEnv } from './env.js';

const table = (): string => requiredEnv('JOURNEY_TABLE');

export async function loadEnvelopes(orderId: string): Promise<StoredEnvelope[]> {
  const envelopes: StoredEnvelope[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :order',
        ExpressionAttributeValues: { ':order': orderId },
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) envelopes.push(JSON.parse(String(item.envelope)) as StoredEnvelope);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return envelopes;
}

// Ids of facts a consumer has acted on, so that a repeat (at-least-once delivery, a retried stream
// batch) acts once: one conditional PutItem per id in the counters table (PK `seen-<consumer>-<id>`),
// kept 2 days (TTL), longer than any redelivery (a stream record lives 24 hours).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';

const KEEP_SECONDS = 2 * 24 * 3600;

/** True the first time `consumer` marks `id`; false for every repeat. */
export async function firstTime(consumer: string, id: string, now = Date.now()): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: requiredEnv('COUNTERS_TABLE'),
        Item: { PK: `seen-${consumer}-${id}`, expiresAt: Math.floor(now / 1000) + KEEP_SECONDS },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

// Blocked accounts, as the validator reads them: an admin's block is kept in the counters table
// (blockedUser-<sub>), because the ID tokens issued before it stay valid for up to an hour; the user
// pool side (no sign-in, no refresh) is userPool.ts's. Only DynamoDB here: the validator loads it.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { blockedUserKey } from '../domain/index.js';
import { dynamo } from './aws.js';
import { requiredEnv } from './env.js';

const countersTable = (): string => requiredEnv('COUNTERS_TABLE');

export async function isBlocked(userId: string): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: blockedUserKey(userId) }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

/** Lists an account as blocked (who blocked it and when); repeating it changes nothing that matters. */
export async function listBlocked(userId: string, by: string, nowMs: number): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: countersTable(),
      Item: { PK: blockedUserKey(userId), blockedAt: new Date(nowMs).toISOString(), blockedBy: by },
    }),
  );
}

export async function unlistBlocked(userId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: countersTable(), Key: { PK: blockedUserKey(userId) } }));
}

// Blocked accounts: an admin's block disables the account in the user pool (AdminDisableUser: no
// sign-in, no refresh) and signs it out everywhere (AdminUserGlobalSignOut), and is kept in the
// counters table (blockedUser-<sub>) for the validator: the ID tokens issued before the block stay
// valid for up to an hour, and the validator refuses their orders.
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { blockedUserKey } from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';

let cognito: CognitoIdentityProviderClient | undefined;
const userPool = () => {
  cognito ??= new CognitoIdentityProviderClient({});
  return { client: cognito, UserPoolId: requiredEnv('USER_POOL_ID') };
};
const countersTable = (): string => requiredEnv('COUNTERS_TABLE');

export async function isBlocked(userId: string): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: countersTable(), Key: { PK: blockedUserKey(userId) }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

/**
 * Blocks an account: disabled and signed out in the pool, then listed for the validator. 'not-found'
 * when the pool has no such user (nothing is written). Repeating it changes nothing.
 */
export async function blockAccount(userId: string, by: string, nowMs: number): Promise<'blocked' | 'not-found'> {
  const { client, UserPoolId } = userPool();
  try {
    await client.send(new AdminDisableUserCommand({ UserPoolId, Username: userId }));
    await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: userId }));
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
  await dynamo().send(
    new PutCommand({
      TableName: countersTable(),
      Item: { PK: blockedUserKey(userId), blockedAt: new Date(nowMs).toISOString(), blockedBy: by },
    }),
  );
  return 'blocked';
}

/** Unblocks an account: enabled in the pool and off the list (it signs in again to get tokens). */
export async function unblockAccount(userId: string): Promise<'unblocked' | 'not-found'> {
  const { client, UserPoolId } = userPool();
  try {
    await client.send(new AdminEnableUserCommand({ UserPoolId, Username: userId }));
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
  await dynamo().send(new DeleteCommand({ TableName: countersTable(), Key: { PK: blockedUserKey(userId) } }));
  return 'unblocked';
}

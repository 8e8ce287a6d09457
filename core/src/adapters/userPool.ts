// The core's user pool, for the admin's account routes: a blocked account is disabled
// (AdminDisableUser: no sign-in, no refresh) and signed out everywhere (AdminUserGlobalSignOut); an
// unblocked one enabled again. Username is the account's sub (the pool's username, its email being
// the sign-in alias).
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { errorName } from './aws.js';
import { requiredEnv } from './env.js';

let cognito: CognitoIdentityProviderClient | undefined;
const client = () => (cognito ??= new CognitoIdentityProviderClient({}));

/** Disables the account and ends its sessions and refresh tokens; 'not-found' when the pool has no such user. */
export async function disableAccount(userId: string): Promise<'disabled' | 'not-found'> {
  const UserPoolId = requiredEnv('USER_POOL_ID');
  try {
    await client().send(new AdminDisableUserCommand({ UserPoolId, Username: userId }));
    await client().send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: userId }));
    return 'disabled';
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
}

export async function enableAccount(userId: string): Promise<'enabled' | 'not-found'> {
  try {
    await client().send(new AdminEnableUserCommand({ UserPoolId: requiredEnv('USER_POOL_ID'), Username: userId }));
    return 'enabled';
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
}

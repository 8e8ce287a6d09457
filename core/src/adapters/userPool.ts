// The core's user pool through Cognito's admin API (USER_POOL_ID): the per-event groups of staff and
// display devices (created on demand), their members, the display devices' own users, and blocked
// accounts (disabled: no sign-in, no refresh; signed out everywhere). The same
// calls in AWS and on the local cloud (AWS_ENDPOINT_URL); the function's role grants each of them.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { errorName } from './aws.js';
import { requiredEnv } from './env.js';

let client: CognitoIdentityProviderClient | undefined;
const cognito = (): CognitoIdentityProviderClient => (client ??= new CognitoIdentityProviderClient({}));
const UserPoolId = (): string => requiredEnv('USER_POOL_ID');

export interface PoolMember {
  /** Cognito's username (the sub in a pool whose username is the email). */
  username: string;
  email: string;
  enabled: boolean;
  status: string;
  created?: string;
}

const memberOf = (user: UserType): PoolMember => {
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
  return {
    username: user.Username ?? '',
    email: attribute('email') ?? '',
    enabled: user.Enabled ?? true,
    status: user.UserStatus ?? 'UNKNOWN',
    ...(user.UserCreateDate ? { created: user.UserCreateDate.toISOString() } : {}),
  };
};

/** Creates the group unless it exists (CreateGroup; GroupExistsException means it does). */
export async function ensureGroup(name: string, description: string): Promise<void> {
  try {
    await cognito().send(
      new CreateGroupCommand({ UserPoolId: UserPoolId(), GroupName: name, Description: description }),
    );
  } catch (e) {
    if (errorName(e) !== 'GroupExistsException') throw e;
  }
}

/** Adds a user (by email or username) to a group; false when there is no such user. */
export async function addToGroup(user: string, group: string): Promise<boolean> {
  try {
    await cognito().send(
      new AdminAddUserToGroupCommand({ UserPoolId: UserPoolId(), Username: user, GroupName: group }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return false;
    throw e;
  }
}

/** Removes a user from a group; false when there is no such user. A group that does not exist has no one to remove. */
export async function removeFromGroup(user: string, group: string): Promise<boolean> {
  try {
    await cognito().send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: UserPoolId(), Username: user, GroupName: group }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return false;
    if (errorName(e) === 'ResourceNotFoundException') return true;
    throw e;
  }
}

/** The members of a group; none when the group does not exist yet. */
export async function membersOf(group: string): Promise<PoolMember[]> {
  const members: PoolMember[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await cognito().send(
        new ListUsersInGroupCommand({ UserPoolId: UserPoolId(), GroupName: group, NextToken }),
      );
      members.push(...(page.Users ?? []).map(memberOf));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return [];
    throw e;
  }
  return members;
}

/** The groups of a user; undefined when there is no such user. */
export async function groupsOf(user: string): Promise<string[] | undefined> {
  try {
    const { Groups } = await cognito().send(
      new AdminListGroupsForUserCommand({ UserPoolId: UserPoolId(), Username: user }),
    );
    return (Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return undefined;
    throw e;
  }
}

/**
 * A user who signs in with this email and password at once (no invitation email, no new password to
 * choose), in the given group: a display device. Deleted again when a step after its creation fails.
 */
export async function createDeviceUser(email: string, password: string, group: string): Promise<PoolMember> {
  const { User } = await cognito().send(
    new AdminCreateUserCommand({
      UserPoolId: UserPoolId(),
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const member = memberOf(User ?? {});
  try {
    await cognito().send(
      new AdminSetUserPasswordCommand({
        UserPoolId: UserPoolId(),
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
    await cognito().send(
      new AdminAddUserToGroupCommand({ UserPoolId: UserPoolId(), Username: email, GroupName: group }),
    );
  } catch (e) {
    await deleteUser(member.username || email);
    throw e;
  }
  return { ...member, status: 'CONFIRMED' };
}

/** Ends every sign-in of the user (refresh tokens) and deletes them; false when there is no such user. */
export async function deleteUser(user: string): Promise<boolean> {
  try {
    await cognito().send(new AdminUserGlobalSignOutCommand({ UserPoolId: UserPoolId(), Username: user }));
    await cognito().send(new AdminDeleteUserCommand({ UserPoolId: UserPoolId(), Username: user }));
    return true;
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return false;
    throw e;
  }
}

/** Disables the account and ends its sessions and refresh tokens; 'not-found' when the pool has no such user. */
export async function disableAccount(userId: string): Promise<'disabled' | 'not-found'> {
  try {
    await cognito().send(new AdminDisableUserCommand({ UserPoolId: UserPoolId(), Username: userId }));
    await cognito().send(new AdminUserGlobalSignOutCommand({ UserPoolId: UserPoolId(), Username: userId }));
    return 'disabled';
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
}

export async function enableAccount(userId: string): Promise<'enabled' | 'not-found'> {
  try {
    await cognito().send(new AdminEnableUserCommand({ UserPoolId: UserPoolId(), Username: userId }));
    return 'enabled';
  } catch (e) {
    if (errorName(e) === 'UserNotFoundException') return 'not-found';
    throw e;
  }
}

// The Cognito user pools API on the edge (AWSCognitoIdentityProviderService, JSON 1.1): the admin
// operations a coffee bar needs, for @aws-sdk/client-cognito-identity-provider and the aws CLI.
// Users of a local pool sign in with their email (UsernameAttributes: [email]): their username is
// a UUID, the sub, and every operation takes the email in its place.
import { randomInt } from 'node:crypto';
import { AwsError } from '../../edge/errors.js';
import type { EdgeRequest, JsonService } from '../../edge/types.js';
import { epochSeconds, required, str } from '../request.js';
import type { UserPool, UserPools } from '../apis/user-pools.js';
import type { CognitoMessages } from './messages.js';
import type { OAuthServer } from './oauth.js';
import { UserError, type PoolUser, type UserDirectory } from './users.js';

type Input = Record<string, unknown>;

/** The operations an app calls without AWS credentials (with its ClientId), as in Cognito: IAM has no say. */
export const PUBLIC_OPERATIONS = new Set(['SignUp', 'ConfirmSignUp', 'ResendConfirmationCode']);

/** Where a code went, as Cognito answers it: the address masked (a***@e***). */
const delivery = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return { Destination: `${local[0] ?? ''}***@${domain[0] ?? ''}***`, DeliveryMedium: 'EMAIL', AttributeName: 'email' };
};

const attributes = (user: PoolUser) => [
  { Name: 'sub', Value: user.sub },
  { Name: 'email', Value: user.email },
  { Name: 'email_verified', Value: String(user.emailVerified) },
];

const describe = (user: PoolUser) => ({
  Username: user.username,
  Attributes: attributes(user),
  UserCreateDate: epochSeconds(new Date(user.created)),
  UserLastModifiedDate: epochSeconds(new Date(user.modified)),
  Enabled: user.enabled,
  UserStatus: user.status,
});

/** Cognito's GroupName: 1 to 128 letters, marks, symbols, numbers or punctuation (no spaces). */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** What CreateGroup was given beside the name (groups of a template have none of it). */
interface GroupDetails {
  description?: string;
  precedence?: number;
  roleArn?: string;
  created: number;
  modified: number;
}

/** The groups CreateGroup made (a template's come back with its stack), as kept on disk with --data-dir. */
export interface GroupsSnapshot {
  groups: Array<{ poolId: string; name: string } & GroupDetails>;
}

/** A temporary password that passes Cognito's default policy, for AdminCreateUser without one. */
function temporaryPassword(): string {
  const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[randomInt(chars.length)]).join('');
  return `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ', 3)}${pick('abcdefghijkmnopqrstuvwxyz', 4)}${pick('23456789', 3)}!`;
}

/** ListUsers' Filter: `attribute = "value"` or `attribute ^= "prefix"`, on the attributes we keep. */
function filterOf(filter: string | undefined): (user: PoolUser) => boolean {
  if (filter === undefined || filter.trim() === '') return () => true;
  const match = /^\s*(\w+)\s*(=|\^=)\s*"([^"]*)"\s*$/.exec(filter);
  if (!match) throw new AwsError('InvalidParameterException', 'Error while parsing filter.');
  const [, name, op, value] = match;
  const read: Record<string, (u: PoolUser) => string> = {
    username: (u) => u.username,
    email: (u) => u.email,
    sub: (u) => u.sub,
    status: (u) => (u.enabled ? 'Enabled' : 'Disabled'),
    'cognito:user_status': (u) => u.status,
  };
  const get = read[name!];
  if (!get) throw new AwsError('InvalidParameterException', `Invalid search attribute: ${name}`);
  return (u) => (op === '=' ? get(u) === value : get(u).startsWith(value!));
}

export class CognitoIdentityProviderService implements JsonService {
  readonly name = 'cognito-idp';
  readonly targetPrefixes = ['AWSCognitoIdentityProviderService'];
  readonly jsonVersion = '1.1' as const;

  constructor(
    private readonly pools: UserPools,
    private readonly users: UserDirectory,
    private readonly log: (line: string) => void,
    /** Where codes are "sent" (GET /_presso/cognito/messages) and the sessions a global sign-out ends. */
    private readonly options: { messages?: CognitoMessages; oauth?: OAuthServer; onChange?: () => void } = {},
  ) {}

  /** poolId → group name → what CreateGroup was given. */
  private readonly details = new Map<string, Map<string, GroupDetails>>();
  /** Groups made by CreateGroup before a restart whose pool is not deployed again yet. */
  private waiting: GroupsSnapshot['groups'] = [];

  /** The groups CreateGroup made, those still waiting for their pool included (to keep on disk). */
  groupsSnapshot(): GroupsSnapshot {
    const made = [...this.details].flatMap(([poolId, groups]) =>
      [...groups].map(([name, details]) => ({ poolId, name, ...details })),
    );
    return { groups: [...made, ...this.waiting] };
  }

  /** Groups kept from before a restart: each comes back once its pool is deployed again (restoreGroups). */
  loadGroups(snapshot: GroupsSnapshot): void {
    this.waiting.push(...snapshot.groups);
    this.restoreGroups();
  }

  /**
   * Gives the pools deployed (again) the groups CreateGroup made in them before a restart; a group
   * of that name the template now makes itself keeps what CreateGroup was given. Returns how many.
   */
  restoreGroups(): number {
    let restored = 0;
    this.waiting = this.waiting.filter(({ poolId, name, ...details }) => {
      const pool = this.pools.get(poolId);
      if (!pool) return true;
      if (!pool.groups.includes(name)) this.pools.addGroup(poolId, name);
      this.detailsOf(poolId).set(name, details);
      restored++;
      return false;
    });
    return restored;
  }

  async handle(operation: string, input: Input, _request: EdgeRequest): Promise<unknown> {
    try {
      return await this.operation(operation, input);
    } catch (e) {
      // Field-level messages of the sign-in page are Cognito's exceptions here.
      if (e instanceof UserError) throw new AwsError(e.code, e.message);
      throw e;
    }
  }

  private async operation(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'AdminCreateUser':
        return await this.adminCreateUser(input);
      case 'AdminGetUser': {
        const { pool, user } = this.user(input);
        const { Attributes, ...rest } = describe(user);
        void pool;
        return { ...rest, UserAttributes: Attributes };
      }
      case 'AdminDeleteUser': {
        const { pool, user } = this.user(input);
        this.users.delete(pool.id, user.username);
        this.options.oauth?.signOutEverywhere(pool.id, user.username);
        return {};
      }
      case 'AdminAddUserToGroup': {
        const { pool, user } = this.user(input);
        this.users.addToGroup(pool.id, user.username, this.group(pool, input));
        return {};
      }
      case 'AdminRemoveUserFromGroup': {
        const { pool, user } = this.user(input);
        this.users.removeFromGroup(pool.id, user.username, this.group(pool, input));
        return {};
      }
      case 'AdminListGroupsForUser': {
        const { pool, user } = this.user(input);
        return { Groups: user.groups.map((g) => ({ GroupName: g, UserPoolId: pool.id })) };
      }
      case 'ListGroups': {
        const pool = this.pool(input);
        return { Groups: pool.groups.map((g) => this.describeGroup(pool, g)) };
      }
      case 'CreateGroup':
        return this.createGroup(input);
      case 'GetGroup': {
        const pool = this.pool(input);
        return { Group: this.describeGroup(pool, this.group(pool, input)) };
      }
      case 'ListUsersInGroup': {
        const pool = this.pool(input);
        const group = this.group(pool, input);
        return {
          Users: this.users
            .list(pool.id)
            .filter((u) => u.groups.includes(group))
            .map(describe),
        };
      }
      case 'ListUsers':
        return this.listUsers(input);
      case 'ListUserPools':
        return this.listUserPools(input);
      case 'AdminConfirmSignUp': {
        const { pool, user } = this.user(input);
        if (user.status !== 'UNCONFIRMED')
          throw new AwsError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
        this.users.confirmWithoutCode(pool.id, user.username);
        return {};
      }
      case 'SignUp':
        return await this.signUp(input);
      case 'ConfirmSignUp': {
        const pool = this.poolOfClient(input);
        const user = this.users.get(pool.id, required(input, 'Username'));
        if (user.status !== 'UNCONFIRMED')
          throw new AwsError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
        this.users.confirm(pool.id, user.username, required(input, 'ConfirmationCode'));
        this.log(`[cognito] ${pool.id}: ${user.email} confirmed`);
        return {};
      }
      case 'ResendConfirmationCode': {
        const pool = this.poolOfClient(input);
        const { user, code } = this.users.resendCode(pool.id, required(input, 'Username'));
        this.sendCode(pool, user, code);
        return { CodeDeliveryDetails: delivery(user.email) };
      }
      case 'AdminDisableUser': {
        const { pool, user } = this.user(input);
        this.users.setEnabled(pool.id, user.username, false);
        // Cognito revokes a disabled user's refresh tokens; the tokens already issued stay valid until they expire.
        this.options.oauth?.signOutEverywhere(pool.id, user.username);
        this.log(`[cognito] ${pool.id}: ${user.email} disabled`);
        return {};
      }
      case 'AdminEnableUser': {
        const { pool, user } = this.user(input);
        this.users.setEnabled(pool.id, user.username, true);
        return {};
      }
      case 'AdminUserGlobalSignOut': {
        const { pool, user } = this.user(input);
        this.options.oauth?.signOutEverywhere(pool.id, user.username);
        return {};
      }
      case 'AdminSetUserPassword': {
        const { pool, user } = this.user(input);
        await this.users.setPassword(
          pool.id,
          user.username,
          required(input, 'Password'),
          pool.passwordPolicy,
          input.Permanent === true,
        );
        return {};
      }
      default:
        throw new AwsError(
          'UnknownOperationException',
          `The local Cognito API has no ${operation} (it has SignUp, ConfirmSignUp, ResendConfirmationCode, AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminUserGlobalSignOut, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, AdminConfirmSignUp, AdminSetUserPassword, CreateGroup, GetGroup, ListUsers, ListUsersInGroup, ListGroups, ListUserPools)`,
        );
    }
  }

  /** CreateGroup: a group of the pool, as a template's AWS::Cognito::UserPoolGroup makes one. */
  private createGroup(input: Input): unknown {
    const pool = this.pool(input);
    const name = required(input, 'GroupName');
    if (!GROUP_NAME.test(name))
      throw new AwsError(
        'InvalidParameterException',
        `1 validation error detected: Value '${name}' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+ and length 1 to 128`,
      );
    const description = str(input, 'Description');
    if (description !== undefined && description.length > 2048)
      throw new AwsError(
        'InvalidParameterException',
        "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048",
      );
    const precedence = input.Precedence;
    if (precedence !== undefined && (typeof precedence !== 'number' || !Number.isInteger(precedence) || precedence < 0))
      throw new AwsError(
        'InvalidParameterException',
        "1 validation error detected: Value at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0",
      );
    if (pool.groups.includes(name))
      throw new AwsError('GroupExistsException', `A group with the name ${name} already exists.`);
    // The group lives as long as its pool (deleting the stack takes both).
    this.pools.addGroup(pool.id, name);
    const now = Date.now();
    const roleArn = str(input, 'RoleArn');
    this.detailsOf(pool.id).set(name, {
      ...(description !== undefined ? { description } : {}),
      ...(typeof precedence === 'number' ? { precedence } : {}),
      ...(roleArn !== undefined ? { roleArn } : {}),
      created: now,
      modified: now,
    });
    this.options.onChange?.();
    return { Group: this.describeGroup(pool, name) };
  }

  private detailsOf(poolId: string): Map<string, GroupDetails> {
    let map = this.details.get(poolId);
    if (!map) this.details.set(poolId, (map = new Map()));
    return map;
  }

  private describeGroup(pool: UserPool, name: string) {
    const d = this.details.get(pool.id)?.get(name);
    return {
      GroupName: name,
      UserPoolId: pool.id,
      ...(d?.description !== undefined ? { Description: d.description } : {}),
      ...(d?.precedence !== undefined ? { Precedence: d.precedence } : {}),
      ...(d?.roleArn !== undefined ? { RoleArn: d.roleArn } : {}),
      ...(d
        ? { CreationDate: epochSeconds(new Date(d.created)), LastModifiedDate: epochSeconds(new Date(d.modified)) }
        : {}),
    };
  }

  private async adminCreateUser(input: Input): Promise<unknown> {
    const pool = this.pool(input);
    const username = required(input, 'Username');
    const given = Array.isArray(input.UserAttributes)
      ? (input.UserAttributes as Array<{ Name?: unknown; Value?: unknown }>)
      : [];
    const attribute = (name: string) => given.find((a) => a.Name === name)?.Value;
    const email = typeof attribute('email') === 'string' ? (attribute('email') as string) : username;
    if (!email.includes('@')) throw new AwsError('InvalidParameterException', 'Username should be an email.');
    const generated = str(input, 'TemporaryPassword') === undefined;
    const password = str(input, 'TemporaryPassword') ?? temporaryPassword();
    const user = await this.users.adminCreate(pool.id, email, {
      temporaryPassword: password,
      emailVerified: attribute('email_verified') === 'true',
      policy: pool.passwordPolicy,
    });
    // The stand-in for the invitation email Cognito sends (unless MessageAction is SUPPRESS).
    if (input.MessageAction !== 'SUPPRESS') {
      const line = `invitation for ${user.email}: temporary password ${generated ? password : '(the one given)'}`;
      if (this.options.messages)
        this.options.messages.send(
          { userPoolId: pool.id, email: user.email, kind: 'invitation', code: password },
          line,
        );
      else this.log(`[cognito] ${pool.id}: ${line}`);
    }
    return { User: describe(user) };
  }

  /** SignUp with the app client's id, as an app calls it: an UNCONFIRMED user and a code "emailed". */
  private async signUp(input: Input): Promise<unknown> {
    const pool = this.poolOfClient(input);
    const given = Array.isArray(input.UserAttributes)
      ? (input.UserAttributes as Array<{ Name?: unknown; Value?: unknown }>)
      : [];
    const username = required(input, 'Username');
    const email = given.find((a) => a.Name === 'email')?.Value;
    const { user, code } = await this.users.signUp(
      pool.id,
      typeof email === 'string' ? email : username,
      required(input, 'Password'),
      pool.passwordPolicy,
    );
    this.sendCode(pool, user, code);
    return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: delivery(user.email) };
  }

  private sendCode(pool: UserPool, user: PoolUser, code: string): void {
    if (this.options.messages)
      this.options.messages.send({ userPoolId: pool.id, email: user.email, kind: 'confirmation', code });
    else this.log(`[cognito] ${pool.id}: confirmation code for ${user.email}: ${code}`);
  }

  /** The pool of the app client an unauthenticated operation names (ClientId). */
  private poolOfClient(input: Input): UserPool {
    const clientId = required(input, 'ClientId');
    const pool = this.pools.list().find((p) => p.clients.some((c) => c.clientId === clientId));
    if (!pool) throw new AwsError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return pool;
  }

  private listUserPools(input: Input): unknown {
    const max = input.MaxResults;
    if (typeof max !== 'number' || max < 1 || max > 60)
      throw new AwsError(
        'InvalidParameterException',
        `1 validation error detected: Value '${String(max ?? null)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60`,
      );
    const all = this.pools.list();
    const start = Number(str(input, 'NextToken') ?? '0') || 0;
    const page = all.slice(start, start + max);
    const next = start + page.length;
    return {
      UserPools: page.map((p) => ({ Id: p.id, Name: p.name })),
      ...(next < all.length ? { NextToken: String(next) } : {}),
    };
  }

  private listUsers(input: Input): unknown {
    const pool = this.pool(input);
    const limit = typeof input.Limit === 'number' ? input.Limit : 60;
    if (limit < 0 || limit > 60)
      throw new AwsError(
        'InvalidParameterException',
        `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60`,
      );
    const keep = filterOf(str(input, 'Filter'));
    const all = this.users
      .list(pool.id)
      .filter(keep)
      .sort((a, b) => a.created - b.created || a.username.localeCompare(b.username));
    const start = Number(str(input, 'PaginationToken') ?? '0') || 0;
    const page = all.slice(start, start + (limit || 60));
    const next = start + page.length;
    return { Users: page.map(describe), ...(next < all.length ? { PaginationToken: String(next) } : {}) };
  }

  private pool(input: Input): UserPool {
    const id = required(input, 'UserPoolId');
    const pool = this.pools.get(id);
    if (!pool) throw new AwsError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return pool;
  }

  private user(input: Input): { pool: UserPool; user: PoolUser } {
    const pool = this.pool(input);
    const user = this.users.find(pool.id, required(input, 'Username'));
    if (!user) throw new AwsError('UserNotFoundException', 'User does not exist.');
    return { pool, user };
  }

  private group(pool: UserPool, input: Input): string {
    const group = required(input, 'GroupName');
    if (!pool.groups.includes(group)) throw new AwsError('ResourceNotFoundException', 'Group not found.');
    return group;
  }
}

// presso users: the users of a deployed user pool, through the edge's Cognito API with the same SDK
// calls an operator makes against AWS (ListUsers, AdminAddUserToGroup, ...). `users list` shows each
// user's email, status and groups; `users add-to-group EMAIL GROUP` makes a barista or an admin of an
// event (`NYC.barista`, `NYC.admin`: the core's per-event groups, created on demand as the core's
// staff routes create them) or an operator (`admin`).
import {
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  ListGroupsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

export interface UsersOptions {
  endpoint: string;
  userPool?: string;
}

/** The core's per-event groups (core/src/domain/roles.ts): `<eventId>.admin`, `.barista`, `.display`. */
const EVENT_GROUP = /^[A-Za-z0-9_]{1,40}\.(admin|barista|display)$/;

/** A refusal the command prints as it is (which option to change). */
class UsersError extends Error {}

function client(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
}

/** The pool named by --user-pool (its id or name), by default the only one deployed. */
async function poolOf(idp: CognitoIdentityProviderClient, ref: string | undefined): Promise<string> {
  const pools: Array<{ Id?: string; Name?: string }> = [];
  let token: string | undefined;
  do {
    const page = await idp.send(new ListUserPoolsCommand({ MaxResults: 60, ...(token ? { NextToken: token } : {}) }));
    pools.push(...(page.UserPools ?? []));
    token = page.NextToken;
  } while (token);
  const listed = pools.map((p) => `${p.Name} (${p.Id})`).join(', ');
  if (ref === undefined) {
    if (pools.length === 1) return pools[0]!.Id!;
    throw new UsersError(
      pools.length === 0
        ? 'no user pool is deployed (deploy the core, or an app with an AWS::Cognito::UserPool)'
        : `${pools.length} user pools are deployed: pick one with --user-pool (${listed})`,
    );
  }
  const match = pools.filter((p) => p.Id === ref || p.Name === ref);
  if (match.length === 1) return match[0]!.Id!;
  throw new UsersError(`no user pool ${ref} is deployed (deployed: ${listed || 'none'})`);
}

async function allUsers(idp: CognitoIdentityProviderClient, poolId: string): Promise<UserType[]> {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const page = await idp.send(
      new ListUsersCommand({ UserPoolId: poolId, Limit: 60, ...(token ? { PaginationToken: token } : {}) }),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
}

const emailOf = (user: UserType) => user.Attributes?.find((a) => a.Name === 'email')?.Value ?? user.Username ?? '';

async function run(out: NodeJS.WritableStream, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (e) {
    const error = e as Error;
    if (error instanceof UsersError) out.write(`presso users: ${error.message}\n`);
    else if (error.name === 'TypeError' && /fetch failed/.test(error.message))
      out.write(`presso users: no local cloud answers (start one with \`npx presso up\`, or pass --endpoint)\n`);
    else out.write(`presso users: ${error.name}: ${error.message}\n`);
    return 1;
  }
}

export function usersListCommand(options: UsersOptions, out: NodeJS.WritableStream): Promise<number> {
  return run(out, async () => {
    const idp = client(options.endpoint);
    try {
      const poolId = await poolOf(idp, options.userPool);
      const users = await allUsers(idp, poolId);
      const groups = (await idp.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups ?? [];
      const membership = new Map<string, string[]>();
      for (const group of groups) {
        const members = await idp.send(
          new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: group.GroupName! }),
        );
        for (const user of members.Users ?? [])
          membership.set(user.Username!, [...(membership.get(user.Username!) ?? []), group.GroupName!]);
      }
      out.write(`user pool ${poolId}: ${users.length} user${users.length === 1 ? '' : 's'}\n`);
      const rows = users.map((u) => [
        emailOf(u),
        u.UserStatus ?? '',
        (membership.get(u.Username!) ?? []).join(',') || '-',
      ]);
      const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length), ['EMAIL', 'STATUS'][i]!.length);
      if (rows.length > 0) {
        out.write(`${'EMAIL'.padEnd(width(0))}  ${'STATUS'.padEnd(width(1))}  GROUPS\n`);
        for (const r of rows) out.write(`${r[0]!.padEnd(width(0))}  ${r[1]!.padEnd(width(1))}  ${r[2]}\n`);
      }
    } finally {
      idp.destroy();
    }
  });
}

export function usersGroupCommand(
  change: 'add' | 'remove',
  email: string,
  group: string,
  options: UsersOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  return run(out, async () => {
    const idp = client(options.endpoint);
    try {
      const poolId = await poolOf(idp, options.userPool);
      const groups = ((await idp.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups ?? []).map(
        (g) => g.GroupName!,
      );
      let created = false;
      if (!groups.includes(group)) {
        // An event's group is made when its first member is added, as the core's staff routes do.
        if (change === 'add' && EVENT_GROUP.test(group)) {
          await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
          created = true;
        } else
          throw new UsersError(
            `user pool ${poolId} has no group ${group} (its groups: ${groups.join(', ') || 'none'}; an event's groups are <eventId>.admin, <eventId>.barista, <eventId>.display)`,
          );
      }
      const input = { UserPoolId: poolId, Username: email, GroupName: group };
      try {
        await idp.send(
          change === 'add' ? new AdminAddUserToGroupCommand(input) : new AdminRemoveUserFromGroupCommand(input),
        );
      } catch (e) {
        if ((e as Error).name === 'UserNotFoundException')
          throw new UsersError(
            `no user ${email} in user pool ${poolId} (they sign up on the sign-in page first; \`presso users list\` shows who did)`,
          );
        throw e;
      }
      out.write(
        change === 'add'
          ? `${email} is in group ${group}${created ? ' (created)' : ''}: their next token (sign-in or refresh) carries it\n`
          : `${email} is no longer in group ${group}\n`,
      );
    } finally {
      idp.destroy();
    }
  });
}

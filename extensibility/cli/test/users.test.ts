// presso users as an operator runs it against `presso up`: list who signed up, make one a barista,
// and the errors that say which argument to change. Users are created with the SDK's
// AdminCreateUser against the same edge.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { presso } from './presso.js';
import { startUp, type RunningUp } from './up.js';

const app = new URL('./fixtures/user-pool-app', import.meta.url).pathname;
let up: RunningUp;
let idp: CognitoIdentityProviderClient;
let poolId: string;

const run = (...args: string[]) => presso([...args, '--endpoint', up.endpoint]);
/** Each test runs presso two or three times, a Node process each. */
const SLOW = 90_000;

beforeAll(async () => {
  up = await startUp(['--no-apps', '--port', '0']);
  idp = new CognitoIdentityProviderClient({
    endpoint: up.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const deployed = await run('deploy', app, '--stack-name', 'pool');
  expect(deployed.code).toBe(0);
  const stacks = await run('stacks');
  poolId = /PoolId = (\S+)/.exec(stacks.stdout)![1]!;
  // Three presso processes after `presso up`, each a Node start with tsx: slow on a busy machine.
}, 120_000);

afterAll(async () => {
  idp?.destroy();
  await up?.stop();
}, SLOW);

it(
  "prints the domain's local sign-in URL among the stack's outputs",
  async () => {
    const { stdout } = await run('stacks');
    expect(stdout).toContain(`SignInUrl = ${up.endpoint}/auth/users-cli-test/login`);
  },
  SLOW,
);

it(
  'adds a user to a group, which the pool then reports, and lists users with their groups',
  async () => {
    await idp.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'nia@example.com', MessageAction: 'SUPPRESS' }),
    );
    expect(await run('users', 'add-to-group', 'nia@example.com', 'barista')).toMatchObject({
      code: 0,
      stdout: 'nia@example.com is in group barista: their next token (sign-in or refresh) carries it\n',
    });
    const groups = await idp.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'nia@example.com' }),
    );
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['barista']);
    const list = await run('users', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^nia@example\.com\s+FORCE_CHANGE_PASSWORD\s+barista$/m);
  },
  SLOW,
);

it(
  "creates an event's group (<eventId>.barista) when its first member is added, as the core's staff routes do",
  async () => {
    expect(await run('users', 'add-to-group', 'nia@example.com', 'LA.barista')).toMatchObject({
      code: 0,
      stdout: 'nia@example.com is in group LA.barista (created): their next token (sign-in or refresh) carries it\n',
    });
    const groups = await idp.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'nia@example.com' }),
    );
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['barista', 'LA.barista']);
  },
  SLOW,
);

it(
  'says which argument is wrong: a group the pool lacks, a user who never signed up, a pool not deployed',
  async () => {
    expect(await run('users', 'add-to-group', 'nia@example.com', 'owner')).toMatchObject({
      code: 1,
      stdout: `presso users: user pool ${poolId} has no group owner (its groups: barista, LA.barista; an event's groups are <eventId>.admin, <eventId>.barista, <eventId>.display)\n`,
    });
    const nobody = await run('users', 'add-to-group', 'nobody@example.com', 'barista');
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toContain(`no user nobody@example.com in user pool ${poolId}`);
    const pool = await run('users', 'list', '--user-pool', 'nope');
    expect(pool.code).toBe(1);
    expect(pool.stdout).toContain('no user pool nope is deployed (deployed: ');
  },
  SLOW,
);

// Users who registered on a local cloud with a data directory (presso up --data-dir) are still there
// after a restart, with their password and groups: the same stack deployed again finds its pool's
// users, and they sign in. Without a data directory nothing is written.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  GetGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { authorizeUrl, claimsOf, HttpBrowser, pkce, tokenRequest } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = new URL('./fixtures/coffee-pool', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-users-'));
const clouds: LocalCloud[] = [];
let app: Server;
let callback: string;

beforeAll(async () => {
  app = createServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
});

afterAll(async () => {
  for (const cloud of clouds) await cloud.close();
  await new Promise((resolve) => app?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(logs: string[]) {
  const cloud = await startLocalCloud({ port: 0, dataDir, log: (line) => void logs.push(line) });
  clouds.push(cloud);
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'coffee',
    parameterOverrides: { CallbackURL: callback },
  });
  const idp = new CognitoIdentityProviderClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  return {
    cloud,
    idp,
    authUrl: stack.localOutputs.AuthUrl!,
    poolId: stack.outputs.PoolId!,
    clientId: stack.outputs.ClientId!,
  };
}

function authorize(authUrl: string, clientId: string, challenge: string) {
  return authorizeUrl(authUrl, { clientId: clientId, redirectUri: callback, challenge: challenge });
}

it('keeps registered users, their passwords and groups (those made with CreateGroup too) across a restart with a data directory', async () => {
  const logs: string[] = [];
  const first = await start(logs);
  const browser = new HttpBrowser();
  const login = await browser.open(authorize(first.authUrl, first.clientId, pkce().challenge));
  const signup = await browser.open(login.url.replace('/login?', '/signup?'));
  const confirm = await browser.submit(signup, { email: 'lu@example.com', password: 'Cortado!2026' });
  const code = await until('the confirmation code in the log', () =>
    logs.map((l) => /confirmation code for lu@example\.com: (\d{6})/.exec(l)?.[1]).find(Boolean),
  );
  expect((await browser.submit(confirm, { code }, 'Confirm')).url.startsWith(callback)).toBe(true);
  await first.idp.send(
    new AdminAddUserToGroupCommand({ UserPoolId: first.poolId, Username: 'lu@example.com', GroupName: 'barista' }),
  );
  // A group made at run time, not by the template: it comes back with its pool.
  await first.idp.send(
    new CreateGroupCommand({
      UserPoolId: first.poolId,
      GroupName: 'night-shift',
      Description: 'after 6 pm',
      Precedence: 3,
    }),
  );
  await first.idp.send(
    new AdminAddUserToGroupCommand({ UserPoolId: first.poolId, Username: 'lu@example.com', GroupName: 'night-shift' }),
  );
  const made = await first.idp.send(new GetGroupCommand({ UserPoolId: first.poolId, GroupName: 'night-shift' }));
  const before = await first.idp.send(
    new AdminGetUserCommand({ UserPoolId: first.poolId, Username: 'lu@example.com' }),
  );
  expect(before.UserStatus).toBe('CONFIRMED');
  expect(existsSync(join(dataDir, 'cognito', 'users.json'))).toBe(true);
  first.idp.destroy();
  await first.cloud.close();
  clouds.length = 0;

  const second = await start([]);
  expect(second.poolId).toBe(first.poolId);
  const after = await second.idp.send(
    new AdminGetUserCommand({ UserPoolId: second.poolId, Username: 'lu@example.com' }),
  );
  const group = await second.idp.send(new GetGroupCommand({ UserPoolId: second.poolId, GroupName: 'night-shift' }));
  expect(group.Group).toEqual(made.Group);
  second.idp.destroy();
  expect(after.Username).toBe(before.Username);
  expect(after.UserStatus).toBe('CONFIRMED');
  // The password still works, and the group is in the new token.
  const pair = pkce();
  const again = new HttpBrowser();
  const page = await again.open(authorize(second.authUrl, second.clientId, pair.challenge));
  const landed = await again.submit(page, { email: 'lu@example.com', password: 'Cortado!2026' });
  expect(landed.url.startsWith(callback)).toBe(true);
  const tokens = await tokenRequest(second.authUrl, {
    grant_type: 'authorization_code',
    client_id: second.clientId,
    redirect_uri: callback,
    code: new URL(landed.url).searchParams.get('code')!,
    code_verifier: pair.verifier,
  });
  expect(tokens.status).toBe(200);
  expect(claimsOf(tokens.body.id_token!)).toMatchObject({
    email: 'lu@example.com',
    'cognito:groups': ['barista', 'night-shift'],
  });
});

it('writes no users file without a data directory of the user', async () => {
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  clouds.push(cloud);
  await cloud.stacks.deploy({ path: fixture, stackName: 'coffee' });
  const pool = cloud.stacks.get('coffee')!.outputs.PoolId!;
  await cloud.users.signUp(pool, 'mo@example.com', 'Cortado!2026');
  expect(existsSync(join(cloud.dataDir, 'cognito', 'users.json'))).toBe(false);
});

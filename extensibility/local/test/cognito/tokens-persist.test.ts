// Signed-in users survive a restart of a local cloud with a data directory (presso up --data-dir):
// the issuer's signing key, the refresh tokens and the sign-in sessions are kept there, so an ID token
// issued before the restart is still accepted by a JWT-authorized route after it, its refresh token
// still refreshes, the sign-in session still signs in silently, and a revoked refresh token stays
// revoked. Without the data directory a restart ends every token (the control).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { authorizeUrl, claimsOf, HttpBrowser, pkce, tokenRequest } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { LocalIssuer } from '../../src/services/apis/issuer.js';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import { registerClaimsApi } from './claims-api.js';

const fixture = new URL('./fixtures/coffee-pool', import.meta.url).pathname;
const dirs: string[] = [];
const clouds: LocalCloud[] = [];
let app: Server;
let callback: string;

beforeAll(async () => {
  app = createServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
});

afterEach(async () => {
  for (const cloud of clouds.splice(0)) await cloud.close();
});

afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'presso-tokens-'));
  dirs.push(dir);
  return dir;
}

/** A local cloud with the pool's stack and an HTTP API behind a JWT authorizer of the pool, as the core's. */
async function start(options: { port: number; dataDir?: string; logs: string[] }) {
  const cloud = await startLocalCloud({
    port: options.port,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    log: (line) => void options.logs.push(line),
  });
  clouds.push(cloud);
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'coffee',
    parameterOverrides: { CallbackURL: callback },
  });
  const poolId = stack.outputs.PoolId!;
  const clientId = stack.outputs.ClientId!;
  const { me } = registerClaimsApi(cloud, poolId, clientId);
  return { cloud, poolId, clientId, authUrl: stack.localOutputs.AuthUrl!, me };
}

function authorize(authUrl: string, clientId: string, challenge: string) {
  return authorizeUrl(authUrl, { clientId: clientId, redirectUri: callback, challenge: challenge });
}

/** Sign-up and confirmation in the pages, then the code exchanged for tokens (PKCE). */
async function signUp(
  at: Awaited<ReturnType<typeof start>>,
  browser: HttpBrowser,
  logs: string[],
  email: string,
): Promise<{ id_token: string; access_token: string; refresh_token: string }> {
  const pair = pkce();
  const login = await browser.open(authorize(at.authUrl, at.clientId, pair.challenge));
  const signup = await browser.open(login.url.replace('/login?', '/signup?'));
  const confirm = await browser.submit(signup, { email, password: 'Cortado!2026' });
  const code = await until(`the confirmation code for ${email} in the log`, () =>
    logs
      .map((l) => new RegExp(`confirmation code for ${email.replace(/\./g, '\\.')}: (\\d{6})`).exec(l)?.[1])
      .find(Boolean),
  );
  const landed = await browser.submit(confirm, { code }, 'Confirm');
  expect(landed.url.startsWith(callback)).toBe(true);
  const tokens = await tokenRequest(at.authUrl, {
    grant_type: 'authorization_code',
    client_id: at.clientId,
    redirect_uri: callback,
    code: new URL(landed.url).searchParams.get('code')!,
    code_verifier: pair.verifier,
  });
  expect(tokens.status).toBe(200);
  return tokens.body as { id_token: string; access_token: string; refresh_token: string };
}

it('accepts a token issued before a restart with the same data directory, and refreshes its refresh token', async () => {
  const dataDir = tempDir();
  const logs: string[] = [];
  const first = await start({ port: 0, dataDir, logs });
  const browser = new HttpBrowser();
  const tokens = await signUp(first, browser, logs, 'lu@example.com');
  const revoked = await signUp(first, new HttpBrowser(), logs, 'mo@example.com');
  expect((await first.me(tokens.id_token)).status).toBe(200);
  const revoke = await fetch(`${first.authUrl}/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: revoked.refresh_token, client_id: first.clientId }).toString(),
  });
  expect(revoke.status).toBe(200);
  // The key is a private JWK readable by its owner only; the grants file holds no token in clear.
  const keyFile = join(dataDir, 'issuer', 'signing-key.jwks.json');
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(keyFile, 'utf8')).keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
  expect(readFileSync(join(dataDir, 'cognito', 'grants.json'), 'utf8')).not.toContain(tokens.refresh_token);
  const port = first.cloud.port;
  await clouds.splice(0)[0]!.close();

  // The same port, as `presso up` restarts on its configured one: the session cookie goes back to it.
  const second = await start({ port, dataDir, logs });
  expect(second.poolId).toBe(first.poolId);
  const res = await second.me(tokens.id_token);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { sub: string }).sub).toBe(claimsOf(tokens.id_token).sub);
  expect((await second.me(tokens.access_token)).status).toBe(200);

  const refreshed = await tokenRequest(second.authUrl, {
    grant_type: 'refresh_token',
    client_id: second.clientId,
    refresh_token: tokens.refresh_token,
  });
  expect(refreshed.status).toBe(200);
  expect(claimsOf(refreshed.body.id_token!)).toMatchObject({
    sub: claimsOf(tokens.id_token).sub,
    origin_jti: claimsOf(tokens.id_token).origin_jti,
  });
  expect((await second.me(refreshed.body.id_token!)).status).toBe(200);

  const stillRevoked = await tokenRequest(second.authUrl, {
    grant_type: 'refresh_token',
    client_id: second.clientId,
    refresh_token: revoked.refresh_token,
  });
  expect(stillRevoked).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

  // The sign-in session: the authorize request goes straight back to the app with a code.
  const silent = await browser.open(authorize(second.authUrl, second.clientId, pkce().challenge));
  expect(silent.url.startsWith(callback)).toBe(true);
  expect(new URL(silent.url).searchParams.get('code')).toBeTruthy();
});

it('ends every token at a restart without a data directory of the user (the control)', async () => {
  const logs: string[] = [];
  const first = await start({ port: 0, logs });
  const tokens = await signUp(first, new HttpBrowser(), logs, 'lu@example.com');
  expect((await first.me(tokens.id_token)).status).toBe(200);
  expect(existsSync(join(first.cloud.dataDir, 'issuer'))).toBe(false);
  await clouds.splice(0)[0]!.close();

  const second = await start({ port: 0, logs });
  expect((await second.me(tokens.id_token)).status).toBe(401);
  const refreshed = await tokenRequest(second.authUrl, {
    grant_type: 'refresh_token',
    client_id: second.clientId,
    refresh_token: tokens.refresh_token,
  });
  expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
});

it('refuses a key file that is not a signing key, saying what to do', async () => {
  const keyFile = join(tempDir(), 'signing-key.jwks.json');
  writeFileSync(keyFile, JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256' }] }));
  await expect(new LocalIssuer('http://edge/_presso/issuer', { keyFile }).start()).rejects.toThrow(
    `${keyFile}: the key is not an RSA private key (kty RSA with d and n). It holds the local issuer's signing key; delete it to start with a new one (tokens issued before then stop verifying).`,
  );
});

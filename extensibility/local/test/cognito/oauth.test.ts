// A user pool domain on the local cloud, end to end over real HTTP: a browser (cookie jar, redirects,
// forms) goes authorize → sign-up page → confirmation with the code the cloud prints → the app's
// callback (a real server on localhost) with the code; the app exchanges it (PKCE) for tokens that
// an HTTP API's JWT authorizer accepts, reads userInfo, refreshes, logs out. And what Cognito
// refuses: a wrong redirect URI, a wrong client, a reused or expired code, a wrong PKCE verifier.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { claimsOf, HttpBrowser, pkce, tokenRequest, type Page } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import { registerClaimsApi } from './claims-api.js';

const fixture = new URL('./fixtures/coffee-pool', import.meta.url).pathname;
/** Codes live 5 minutes on the local clock: 3 s at this speed. */
const SPEED = 100;

let cloud: LocalCloud;
let app: Server;
let callback: string;
let logout: string;
let authUrl: string;
let poolId: string;
let clientId: string;
let scriptClientId: string;
let idp: CognitoIdentityProviderClient;
let me: (token: string) => Promise<Response>;
const logs: string[] = [];
/** What reached the app's callback. */
const received: URLSearchParams[] = [];

/** The confirmation code the cloud printed for this email (the stand-in for Cognito's email), the latest. */
async function printedCode(email: string, after = 0): Promise<string> {
  return until(
    `the confirmation code for ${email} in the log`,
    () =>
      logs
        .slice(after)
        .map((l) => new RegExp(`confirmation code for ${email.replace(/[.+]/g, '\\$&')}: (\\d{6})`).exec(l)?.[1])
        .filter(Boolean)
        .at(-1),
    { detail: () => logs.slice(-10).join('\n') },
  );
}

function authorizeUrl(options: {
  verifier?: string;
  challenge?: string;
  redirectUri?: string;
  client?: string;
  state?: string;
}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: options.client ?? clientId,
    redirect_uri: options.redirectUri ?? callback,
    state: options.state ?? 'state-1',
    scope: 'openid email',
  });
  if (options.challenge) {
    q.set('code_challenge', options.challenge);
    q.set('code_challenge_method', 'S256');
  }
  return `${authUrl}/oauth2/authorize?${q.toString()}`;
}

/** Sign-up, confirmation and the redirect to the app, as a person does it in the pages. */
async function signUp(browser: HttpBrowser, email: string, password: string, challenge: string): Promise<Page> {
  const login = await browser.open(authorizeUrl({ challenge }));
  expect(login.url).toContain(`${authUrl}/login?`);
  const signupHref = /href="([^"]*\/signup\?[^"]*)"/.exec(login.text)![1]!.replace(/&amp;/g, '&');
  const signup = await browser.open(new URL(signupHref, login.url).toString());
  expect(signup.text).toContain('Create an account');
  const before = logs.length;
  const confirm = await browser.submit(signup, { email, password });
  expect(confirm.url).toContain('/confirmUser?');
  return browser.submit(confirm, { code: await printedCode(email, before) }, 'Confirm');
}

const codeOf = (page: Page) => new URL(page.url).searchParams.get('code')!;

async function signedUpCode(email: string, password = 'Espresso!2026') {
  const { verifier, challenge } = pkce();
  const page = await signUp(new HttpBrowser(), email, password, challenge);
  expect(page.url.startsWith(callback)).toBe(true);
  return { code: codeOf(page), verifier };
}

beforeAll(async () => {
  app = createServer((req, res) => {
    received.push(new URL(req.url!, 'http://localhost').searchParams);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('the app');
  });
  await new Promise<void>((resolve) => app.listen(0, resolve));
  const port = (app.address() as AddressInfo).port;
  callback = `http://localhost:${port}/callback`;
  logout = `http://localhost:${port}/signed-out`;
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: (line) => void logs.push(line) });
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'coffee',
    parameterOverrides: { CallbackURL: callback, LogoutURL: logout },
  });
  authUrl = stack.localOutputs.AuthUrl!;
  poolId = stack.outputs.PoolId!;
  clientId = stack.outputs.ClientId!;
  scriptClientId = stack.outputs.ScriptClientId!;
  idp = new CognitoIdentityProviderClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  // An HTTP API behind a JWT authorizer of the pool, as the core's: it answers with the claims it got.
  ({ me } = registerClaimsApi(cloud, poolId, clientId));
});

afterAll(async () => {
  idp?.destroy();
  await cloud?.close();
  await new Promise((resolve) => app?.close(resolve));
});

it("points the domain's AWS URL at the edge in the stack's local outputs", () => {
  expect(cloud.stacks.get('coffee')!.outputs.AuthUrl).toBe(
    `https://coffee-test.auth.${cloud.account.region}.amazoncognito.com`,
  );
  expect(authUrl).toBe(`${cloud.url}/auth/coffee-test`);
});

describe('the code flow with PKCE, end to end', () => {
  const email = 'ana@example.com';
  let tokens: { access_token: string; id_token: string; refresh_token: string };
  const browser = new HttpBrowser();

  it('signs up, confirms with the printed code and lands on the callback with a code and the state', async () => {
    const { verifier, challenge } = pkce();
    const page = await signUp(browser, email, 'Espresso!2026', challenge);
    expect(page.status).toBe(200);
    expect(page.text).toBe('the app');
    expect(page.url.startsWith(`${callback}?`)).toBe(true);
    expect(received.at(-1)!.get('state')).toBe('state-1');
    expect(page.visited[0]).toContain('/confirmUser?');

    const { status, body } = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code: codeOf(page),
      code_verifier: verifier,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    tokens = body as typeof tokens;
  });

  it("carries Cognito's claims in the ID and access tokens", () => {
    const id = claimsOf(tokens.id_token);
    const access = claimsOf(tokens.access_token);
    const iss = `https://cognito-idp.${cloud.account.region}.amazonaws.com/${poolId}`;
    expect(id).toMatchObject({
      iss,
      aud: clientId,
      token_use: 'id',
      email,
      email_verified: true,
      'cognito:username': id.sub,
    });
    expect(access).toMatchObject({
      iss,
      client_id: clientId,
      token_use: 'access',
      scope: 'openid email',
      username: id.sub,
    });
    expect(access).not.toHaveProperty('aud');
    expect(id).not.toHaveProperty('cognito:groups');
    for (const claims of [id, access]) {
      for (const claim of ['sub', 'auth_time', 'iat', 'exp', 'jti', 'origin_jti', 'event_id'])
        expect(claims).toHaveProperty(claim);
      expect(claims.sub).toBe(id.sub);
      expect(claims.origin_jti).toBe(id.origin_jti);
    }
    expect((id.exp as number) - (id.iat as number)).toBe(3600);
  });

  it("is accepted by an HTTP API's JWT authorizer of the pool (ID and access token)", async () => {
    for (const token of [tokens.id_token, tokens.access_token]) {
      const res = await me(token);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Record<string, string>).sub).toBe(claimsOf(tokens.id_token).sub);
    }
  });

  it('answers userInfo with the access token, and refuses the ID token', async () => {
    const res = await fetch(`${authUrl}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: claimsOf(tokens.id_token).sub,
      username: claimsOf(tokens.id_token).sub,
      email,
      email_verified: 'true',
    });
    const refused = await fetch(`${authUrl}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.id_token}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refreshes: new tokens, the same origin_jti and auth_time, no new refresh token', async () => {
    const { status, body } = await tokenRequest(authUrl, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token,
    });
    expect(status).toBe(200);
    expect(body.refresh_token).toBeUndefined();
    const before = claimsOf(tokens.id_token);
    const after = claimsOf(body.id_token!);
    expect(after.jti).not.toBe(before.jti);
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    const wrongClient = await tokenRequest(authUrl, {
      grant_type: 'refresh_token',
      client_id: scriptClientId,
      refresh_token: tokens.refresh_token,
    });
    expect(wrongClient).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
  });

  it('signs in again without the form while the session lasts, and asks again after /logout', async () => {
    const silent = await browser.open(authorizeUrl({ state: 'again' }));
    expect(silent.url.startsWith(`${callback}?`)).toBe(true);
    expect(new URL(silent.url).searchParams.get('state')).toBe('again');

    const out = await browser.open(
      `${authUrl}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: logout })}`,
    );
    expect(out.url).toBe(logout);
    const login = await browser.open(authorizeUrl({}));
    expect(login.url).toContain(`${authUrl}/login?`);
  });

  it('signs out straight to the sign-in page with /logout?redirect_uri=...&response_type=code', async () => {
    const page = await browser.submit(await browser.open(authorizeUrl({})), { email, password: 'Espresso!2026' });
    expect(page.url.startsWith(`${callback}?`)).toBe(true);
    const relogin = await browser.open(authorizeUrl({}).replace('/oauth2/authorize?', '/logout?'));
    expect(relogin.url).toContain(`${authUrl}/login?`);
    expect(relogin.text).toContain('Sign in');
    // The session is gone: authorize asks again.
    expect((await browser.open(authorizeUrl({}))).url).toContain(`${authUrl}/login?`);
  });

  it('signs in with email and password on the sign-in page', async () => {
    const login = await new HttpBrowser().open(authorizeUrl({}));
    const page = await new HttpBrowser().submit(login, { email: 'ANA@example.com', password: 'Espresso!2026' });
    expect(page.url.startsWith(`${callback}?`)).toBe(true);
  });

  it('refuses a logout_uri that is not one of the LogoutURLs', async () => {
    const page = await browser.open(
      `${authUrl}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: 'https://evil.example/' })}`,
    );
    expect(page.url).toContain(`${authUrl}/error?error=redirect_mismatch`);
    expect(page.status).toBe(400);
  });
});

describe('what the token endpoint refuses, as Cognito does', () => {
  it('a wrong PKCE verifier (and the code is spent by the attempt)', async () => {
    const { code, verifier } = await signedUpCode('bo@example.com');
    const wrong = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: pkce().verifier,
    });
    expect(wrong).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
    expect(wrong.body.error_description).toContain('code_verifier');
    const right = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    expect(right.body.error).toBe('invalid_grant');
  });

  it('a missing verifier when the code has a challenge', async () => {
    const { code } = await signedUpCode('cy@example.com');
    const res = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
    });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
  });

  it('a reused code', async () => {
    const { code, verifier } = await signedUpCode('di@example.com');
    const form = {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    };
    expect((await tokenRequest(authUrl, form)).status).toBe(200);
    expect(await tokenRequest(authUrl, form)).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'invalid_grant' }),
    });
  });

  it('an expired code (5 minutes on the local clock)', async () => {
    const { code, verifier } = await signedUpCode('ed@example.com');
    const issued = Date.now();
    await until('the code to be 5 local minutes old', () => Date.now() > issued + (5 * 60_000) / SPEED + 50);
    const res = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
    expect(res.body.error_description).toContain('expired');
  });

  it('a redirect_uri other than the one the code was issued for', async () => {
    const { code, verifier } = await signedUpCode('fe@example.com');
    const res = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: `${callback}/other`,
      code,
      code_verifier: verifier,
    });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
  });

  it('another client (invalid_grant) and a client that does not exist (invalid_client)', async () => {
    const { code, verifier } = await signedUpCode('gu@example.com');
    const other = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: scriptClientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    expect(other).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
    const unknown = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: 'nosuchclient',
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    expect(unknown).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_client' }) });
  });

  it('a grant type it does not know, and a body that is not a form', async () => {
    expect(await tokenRequest(authUrl, { grant_type: 'password', client_id: clientId })).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'unsupported_grant_type' }),
    });
    const res = await fetch(`${authUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });
});

it('answers CORS on the token endpoint, so a browser app on another origin can call it', async () => {
  const preflight = await fetch(`${authUrl}/oauth2/token`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://localhost:5173',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  const refused = await fetch(`${authUrl}/oauth2/token`, {
    method: 'POST',
    headers: { origin: 'http://localhost:5173', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&client_id=nosuchclient&refresh_token=x',
  });
  expect(refused.status).toBe(400);
  expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
});

describe('what the authorize endpoint refuses', () => {
  it('a redirect URI that is not a callback URL: the error page, never the given URI', async () => {
    const page = await new HttpBrowser().open(authorizeUrl({ redirectUri: 'https://evil.example/callback' }));
    expect(page.url).toContain(`${authUrl}/error?error=redirect_mismatch`);
    expect(page.visited.some((u) => u.startsWith('https://evil.example'))).toBe(false);
    expect(page.status).toBe(400);
    expect(page.text).toContain('redirect_mismatch');
  });

  it('a client without OAuth settings, and a client that does not exist', async () => {
    const noOauth = await new HttpBrowser().open(authorizeUrl({ client: scriptClientId }));
    expect(noOauth.url).toContain('/error?error=redirect_mismatch');
    const unknown = await new HttpBrowser().open(authorizeUrl({ client: 'nosuchclient' }));
    expect(unknown.url).toContain('/error?error=invalid_client');
  });

  it('a response type other than code and an unknown scope go back to the app with the error and state', async () => {
    const token = await new HttpBrowser().open(authorizeUrl({}).replace('response_type=code', 'response_type=token'));
    expect(new URL(token.url).searchParams.get('error')).toBe('unsupported_response_type');
    expect(new URL(token.url).searchParams.get('state')).toBe('state-1');
    const scope = await new HttpBrowser().open(authorizeUrl({}).replace('scope=openid+email', 'scope=openid+phone'));
    expect(scope.url.startsWith(callback)).toBe(true);
    expect(new URL(scope.url).searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('the sign-in pages answer bad input per field', () => {
  it('sign-up: an invalid email, a weak password, an email already registered', async () => {
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const signup = await browser.open(login.url.replace('/login?', '/signup?'));
    const badEmail = await browser.submit(signup, { email: 'not-an-email', password: 'Espresso!2026' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.text).toMatch(/id="f-email-error">Enter an email address like name@example\.com\./);
    const weak = await browser.submit(signup, { email: 'hu@example.com', password: 'short' });
    expect(weak.text).toMatch(
      /id="f-password-error">Your password needs at least 8 characters, an uppercase letter, a number and a symbol\./,
    );
    expect(weak.text).toContain('value="hu@example.com"');
    const taken = await browser.submit(signup, { email: 'ana@example.com', password: 'Espresso!2026' });
    expect(taken.text).toContain('An account with this email already exists: sign in instead.');
  });

  it('sign-in: a wrong password; confirmation: a wrong code', async () => {
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const wrong = await browser.submit(login, { email: 'ana@example.com', password: 'Latte!2026x' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('id="f-password-error">Incorrect email or password.');
    const signup = await browser.open(login.url.replace('/login?', '/signup?'));
    const confirm = await browser.submit(signup, { email: 'iv@example.com', password: 'Espresso!2026' });
    const sent = await printedCode('iv@example.com');
    const bad = await browser.submit(confirm, { code: sent === '000000' ? '111111' : '000000' }, 'Confirm');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('That code is not right. Enter the code from the latest email, or send a new one.');
  });
});

describe('sending a new code', () => {
  it('replaces the first code; the new one confirms the account', async () => {
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const signup = await browser.open(login.url.replace('/login?', '/signup?'));
    const confirm = await browser.submit(signup, { email: 'ola@example.com', password: 'Espresso!2026' });
    const first = await printedCode('ola@example.com');
    const before = logs.length;
    const resent = await browser.submit(confirm, {}, 'Send a new code');
    expect(resent.text).toContain('We sent a new code to ola@example.com.');
    const second = await printedCode('ola@example.com', before);
    if (first !== second) {
      const old = await browser.submit(resent, { code: first }, 'Confirm');
      expect(old.status).toBe(400);
    }
    const done = await browser.submit(resent, { code: second }, 'Confirm');
    expect(done.url.startsWith(`${callback}?`)).toBe(true);
  });
});

describe('forgot password', () => {
  it('sends a reset code to the log, takes it with a new password, and the old password stops working', async () => {
    await signedUpCode('pia@example.com', 'Ristretto!2026');
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const forgotHref = /href="([^"]*\/forgotPassword\?[^"]*)"/.exec(login.text)![1]!.replace(/&amp;/g, '&');
    const forgot = await browser.open(new URL(forgotHref, login.url).toString());
    expect(forgot.text).toContain('Reset your password');
    const before = logs.length;
    const confirm = await browser.submit(forgot, { email: 'pia@example.com' });
    expect(confirm.text).toContain('If pia@example.com has an account, we sent a code to it.');
    const code = await until('the reset code in the log', () =>
      logs
        .slice(before)
        .map((l) => /password reset code for pia@example\.com: (\d{6})/.exec(l)?.[1])
        .find(Boolean),
    );
    const weak = await browser.submit(confirm, { code, password: 'weak' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('id="f-password-error">Your password needs');
    const done = await browser.submit(weak, { code, password: 'Lungo!20266' });
    expect(done.url).toContain(`${authUrl}/login?`);
    expect(done.text).toContain('Your password is changed: sign in with it.');
    const old = await browser.submit(done, { email: 'pia@example.com', password: 'Ristretto!2026' });
    expect(old.status).toBe(400);
    const fresh = await browser.submit(done, { email: 'pia@example.com', password: 'Lungo!20266' });
    expect(fresh.url.startsWith(`${callback}?`)).toBe(true);
  });

  it('answers an email without an account alike, and prints no code', async () => {
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const forgot = await browser.open(login.url.replace('/login?', '/forgotPassword?'));
    const before = logs.length;
    const confirm = await browser.submit(forgot, { email: 'nobody@example.com' });
    expect(confirm.text).toContain('If nobody@example.com has an account, we sent a code to it.');
    expect(logs.slice(before).some((l) => l.includes('nobody@example.com'))).toBe(false);
    const tried = await browser.submit(confirm, { code: '123456', password: 'Lungo!20266' });
    expect(tried.status).toBe(400);
    expect(tried.text).toContain('id="f-code-error">That code is not right.');
  });
});

describe("the edge's Cognito API (SDK v3)", () => {
  it("AdminAddUserToGroup changes the next token's cognito:groups, AdminRemoveUserFromGroup takes it back", async () => {
    const { code, verifier } = await signedUpCode('jo@example.com');
    const first = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    expect(claimsOf(first.body.id_token!)).not.toHaveProperty('cognito:groups');
    await idp.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'jo@example.com', GroupName: 'barista' }),
    );
    const refresh = { grant_type: 'refresh_token', client_id: clientId, refresh_token: first.body.refresh_token! };
    const next = await tokenRequest(authUrl, refresh);
    expect(claimsOf(next.body.id_token!)['cognito:groups']).toEqual(['barista']);
    expect(claimsOf(next.body.access_token!)['cognito:groups']).toEqual(['barista']);
    await idp.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'jo@example.com', GroupName: 'barista' }),
    );
    expect(claimsOf((await tokenRequest(authUrl, refresh)).body.id_token!)).not.toHaveProperty('cognito:groups');
  });

  it('AdminGetUser, ListUsers with a filter, AdminCreateUser', async () => {
    const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ana@example.com' }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email', Value: 'ana@example.com' }]));
    const listed = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "ana@example.com"' }));
    expect(listed.Users?.map((u) => u.Username)).toEqual([user.Username]);
    const created = await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'ken@example.com',
        TemporaryPassword: 'Temporary!2026',
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const all = await idp.send(new ListUsersCommand({ UserPoolId: poolId }));
    expect(all.Users?.length).toBeGreaterThan(2);
  });

  it('a user made with AdminCreateUser signs in with the temporary password once, then chooses their own', async () => {
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'lea@example.com',
        TemporaryPassword: 'Temporary!2026',
        MessageAction: 'SUPPRESS',
      }),
    );
    const browser = new HttpBrowser();
    const login = await browser.open(authorizeUrl({}));
    const challenge = await browser.submit(login, { email: 'lea@example.com', password: 'Temporary!2026' });
    expect(challenge.text).toContain('Choose a new password');
    const weak = await browser.submit(challenge, { password: 'weak' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('Your password needs');
    const done = await browser.submit(weak, { password: 'Flatwhite!2026' });
    expect(done.url.startsWith(`${callback}?`)).toBe(true);
    const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lea@example.com' }));
    expect(user.UserStatus).toBe('CONFIRMED');
    const again = await new HttpBrowser().open(authorizeUrl({}));
    const old = await new HttpBrowser().submit(again, { email: 'lea@example.com', password: 'Temporary!2026' });
    expect(old.status).toBe(400);
    const fresh = await new HttpBrowser().submit(again, { email: 'lea@example.com', password: 'Flatwhite!2026' });
    expect(fresh.url.startsWith(`${callback}?`)).toBe(true);
  });

  it('presso token for a registered user carries their sub, email and groups (unless --groups says otherwise)', async () => {
    const mint = async (body: Record<string, unknown>) =>
      claimsOf(
        (
          (await (
            await fetch(`${cloud.url}/_presso/token`, { method: 'POST', body: JSON.stringify(body) })
          ).json()) as { token: string }
        ).token,
      );
    await idp.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ana@example.com', GroupName: 'barista' }),
    );
    const ana = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ana@example.com' }));
    const sub = ana.UserAttributes!.find((a) => a.Name === 'sub')!.Value;
    expect(await mint({ user: 'ana@example.com', groups: [], userPool: poolId, client: clientId })).toMatchObject({
      sub,
      email: 'ana@example.com',
      'cognito:username': ana.Username,
      'cognito:groups': ['barista'],
    });
    expect(
      await mint({ user: 'ana@example.com', groups: ['barista'], userPool: poolId, client: clientId }),
    ).toMatchObject({ sub });
    const stranger = await mint({ user: 'zed', userPool: poolId, client: clientId });
    expect(stranger['cognito:username']).toBe('zed');
    expect(stranger.sub).not.toBe(sub);
    await idp.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'ana@example.com', GroupName: 'barista' }),
    );
  });

  it("answers Cognito's errors: an unknown user, group or pool", async () => {
    await expect(
      idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nobody@example.com' })),
    ).rejects.toMatchObject({ name: 'UserNotFoundException', message: 'User does not exist.' });
    await expect(
      idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ana@example.com', GroupName: 'admin' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Group not found.' });
    await expect(idp.send(new ListUsersCommand({ UserPoolId: 'us-east-1_nothere' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe("the edge's Cognito API: groups made at run time, sign-out and disabled users", () => {
  it('CreateGroup makes a group tokens may carry; GetGroup reads it; a second CreateGroup and a bad name are refused', async () => {
    const created = await idp.send(
      new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'NYC.barista', Description: 'Baristas of NYC' }),
    );
    expect(created.Group).toMatchObject({
      GroupName: 'NYC.barista',
      UserPoolId: poolId,
      Description: 'Baristas of NYC',
    });
    expect(created.Group?.CreationDate).toBeInstanceOf(Date);
    const got = await idp.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'NYC.barista' }));
    expect(got.Group?.Description).toBe('Baristas of NYC');
    const listed = await idp.send(new ListGroupsCommand({ UserPoolId: poolId }));
    expect(listed.Groups?.map((g) => g.GroupName)).toContain('NYC.barista');
    await expect(
      idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'NYC.barista' })),
    ).rejects.toMatchObject({
      name: 'GroupExistsException',
      message: 'A group with the name NYC.barista already exists.',
    });
    await expect(
      idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'two words' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(idp.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'LA.barista' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Group not found.',
    });
    await idp.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ana@example.com', GroupName: 'NYC.barista' }),
    );
    const token = (await (
      await fetch(`${cloud.url}/_presso/token`, {
        method: 'POST',
        body: JSON.stringify({ user: 'bo', groups: ['NYC.barista'], userPool: poolId, client: clientId }),
      })
    ).json()) as { token: string };
    expect(claimsOf(token.token)['cognito:groups']).toEqual(['NYC.barista']);
  });

  it('AdminUserGlobalSignOut ends the refresh tokens; AdminDisableUser refuses sign-in until AdminEnableUser', async () => {
    const { code, verifier } = await signedUpCode('tv@example.com');
    const first = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: callback,
      code,
      code_verifier: verifier,
    });
    const refresh = { grant_type: 'refresh_token', client_id: clientId, refresh_token: first.body.refresh_token! };
    expect((await tokenRequest(authUrl, refresh)).status).toBe(200);
    await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'tv@example.com' }));
    const after = await tokenRequest(authUrl, refresh);
    expect(after.status).toBe(400);
    expect(after.body).toMatchObject({ error: 'invalid_grant' });

    await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'tv@example.com' }));
    expect((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'tv@example.com' }))).Enabled).toBe(
      false,
    );
    const login = await new HttpBrowser().open(authorizeUrl({}));
    const refused = await new HttpBrowser().submit(login, { email: 'tv@example.com', password: 'Espresso!2026' });
    expect(refused.status).toBe(400);
    await idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'tv@example.com' }));
    const again = await new HttpBrowser().submit(login, { email: 'tv@example.com', password: 'Espresso!2026' });
    expect(again.url.startsWith(`${callback}?`)).toBe(true);
    await expect(
      idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'nobody@example.com' })),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });
});

describe('what a deploy refuses, naming the property', () => {
  const deployFails = (stackName: string, parameterOverrides: Record<string, string>) =>
    cloud.stacks.deploy({ path: fixture, stackName, parameterOverrides });

  it('a domain another pool has, and a prefix Cognito refuses', async () => {
    await expect(deployFails('coffee-twin', { CallbackURL: callback })).rejects.toThrow(
      'Resources.Domain.Properties.Domain: Domain already exists.',
    );
    await expect(deployFails('coffee-bad', { DomainPrefix: 'Coffee_Bar', CallbackURL: callback })).rejects.toThrow(
      'Resources.Domain.Properties.Domain: Coffee_Bar is not a valid domain prefix',
    );
    await expect(deployFails('coffee-aws', { DomainPrefix: 'my-aws-bar', CallbackURL: callback })).rejects.toThrow(
      'Cognito refuses a domain prefix containing aws, amazon or cognito',
    );
    expect(cloud.stacks.get('coffee-twin')).toBeUndefined();
  });

  it("an app client's OAuth settings that Cognito refuses", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'presso-client-'));
    const deployClient = (properties: string) => {
      writeFileSync(
        join(dir, 'template.yaml'),
        `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
${properties}`,
      );
      return cloud.stacks.deploy({ path: dir, stackName: 'client-check' });
    };
    try {
      await expect(
        deployClient('      AllowedOAuthFlowsUserPoolClient: true\n      AllowedOAuthFlows: [code]\n'),
      ).rejects.toThrow(
        'Resources.Client.Properties.AllowedOAuthFlowsUserPoolClient: AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.',
      );
      await expect(
        deployClient(
          '      AllowedOAuthFlowsUserPoolClient: true\n      AllowedOAuthFlows: [code]\n      AllowedOAuthScopes: [openid]\n      SupportedIdentityProviders: [COGNITO]\n',
        ),
      ).rejects.toThrow(
        'Resources.Client.Properties.CallbackURLs: a client with the code or implicit flow needs at least one callback URL',
      );
      await expect(
        deployClient(
          '      AllowedOAuthFlowsUserPoolClient: true\n      AllowedOAuthFlows: [code]\n      AllowedOAuthScopes: [openid]\n      CallbackURLs: [https://app.example/cb#frag]\n      SupportedIdentityProviders: [COGNITO]\n',
        ),
      ).rejects.toThrow(
        'Resources.Client.Properties.CallbackURLs[0]: https://app.example/cb#frag must not have a fragment',
      );
      await expect(
        deployClient('      AccessTokenValidity: 2\n      TokenValidityUnits: { AccessToken: days }\n'),
      ).rejects.toThrow('Resources.Client.Properties.AccessTokenValidity: 2 days is outside 5 minutes to 1 days');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

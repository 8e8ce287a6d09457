// Cognito's API for an app's own sign-up and an admin's block, on the local cloud over real HTTP:
// SignUp (no credentials, as an app calls it), the code "emailed" to GET /_presso/cognito/messages,
// ConfirmSignUp and ResendConfirmationCode with Cognito's errors; AdminUserGlobalSignOut ends the
// refresh tokens and the managed-login session; AdminDisableUser keeps the user out until
// AdminEnableUser; `presso token` says whether the email is verified.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ResendConfirmationCodeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { authorizeUrl, claimsOf, HttpBrowser, pkce, tokenRequest } from '@serverlesspresso/testing/oauth';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = new URL('./fixtures/coffee-pool', import.meta.url).pathname;

let CALLBACK: string;
let app: Server;
let cloud: LocalCloud;
let idp: CognitoIdentityProviderClient;
let poolId: string;
let clientId: string;
let authUrl: string;
const logs: string[] = [];

beforeAll(async () => {
  // The app the sign-in sends the browser back to.
  app = createServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, resolve));
  CALLBACK = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
  cloud = await startLocalCloud({ port: 0, log: (line) => void logs.push(line) });
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'coffee',
    parameterOverrides: { CallbackURL: CALLBACK },
  });
  poolId = stack.outputs.PoolId!;
  clientId = stack.outputs.ClientId!;
  authUrl = stack.localOutputs.AuthUrl!;
  idp = new CognitoIdentityProviderClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
}, 120_000);

afterAll(async () => {
  idp?.destroy();
  await cloud?.close();
  await new Promise((resolve) => app?.close(resolve));
});

/** An operation as an app calls it: JSON 1.1, no AWS credentials. */
async function unsigned(operation: string, input: Record<string, unknown>) {
  const response = await fetch(cloud.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function messages(query: Record<string, string>) {
  const response = await fetch(`${cloud.url}/_presso/cognito/messages?${new URLSearchParams(query)}`);
  return {
    status: response.status,
    body: (await response.json()) as { messages?: Record<string, string>[]; message?: string },
  };
}

const latestCode = async (email: string) =>
  (await messages({ email, kind: 'confirmation' })).body.messages!.at(-1)!.code!;

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('not refused');
};

it('signs up without credentials, "emails" the code where a developer reads it, and confirms with it', async () => {
  const signedUp = await unsigned('SignUp', {
    ClientId: clientId,
    Username: 'Rosa@Example.com',
    Password: 'Ristretto!2026',
    UserAttributes: [{ Name: 'email', Value: 'Rosa@Example.com' }],
  });
  expect(signedUp).toMatchObject({
    status: 200,
    body: {
      UserConfirmed: false,
      CodeDeliveryDetails: { Destination: 'r***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    },
  });
  const sent = await messages({ email: 'rosa@example.com' });
  expect(sent.body.messages).toEqual([
    expect.objectContaining({
      userPoolId: poolId,
      email: 'rosa@example.com',
      kind: 'confirmation',
      code: expect.stringMatching(/^\d{6}$/),
    }),
  ]);
  const code = sent.body.messages![0]!.code!;
  expect(logs).toContain(`[cognito] ${poolId}: confirmation code for rosa@example.com: ${code}`);

  const wrong = code === '000000' ? '111111' : '000000';
  expect(
    await failure(
      idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'rosa@example.com', ConfirmationCode: wrong })),
    ),
  ).toEqual({
    name: 'CodeMismatchException',
    message: 'Invalid verification code provided, please try again.',
  });
  const resent = await idp.send(
    new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'rosa@example.com' }),
  );
  expect(resent.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
  const fresh = await latestCode('rosa@example.com');
  expect((await messages({ email: 'rosa@example.com' })).body.messages).toHaveLength(2);
  await idp.send(
    new ConfirmSignUpCommand({ ClientId: clientId, Username: 'rosa@example.com', ConfirmationCode: fresh }),
  );
  const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'rosa@example.com' }));
  expect(user.UserStatus).toBe('CONFIRMED');
  expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
  expect(
    await failure(
      idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'rosa@example.com', ConfirmationCode: fresh })),
    ),
  ).toEqual({
    name: 'NotAuthorizedException',
    message: 'User cannot be confirmed. Current status is CONFIRMED',
  });
});

it("refuses an unknown client and a bad filter, in Cognito's words", async () => {
  expect(
    await unsigned('SignUp', { ClientId: 'nope', Username: 'x@example.com', Password: 'Ristretto!2026' }),
  ).toMatchObject({
    status: 400,
    body: { __type: 'ResourceNotFoundException', message: 'User pool client nope does not exist.' },
  });
  expect(await messages({ kind: 'postcard' })).toEqual({
    status: 400,
    body: { message: 'kind must be confirmation, reset or invitation, got "postcard".' },
  });
});

it('mints `presso token` with email_verified as the pool has it', async () => {
  await unsigned('SignUp', { ClientId: clientId, Username: 'sol@example.com', Password: 'Ristretto!2026' });
  const mint = async (user: string) => {
    const response = await fetch(`${cloud.url}/_presso/token`, {
      method: 'POST',
      body: JSON.stringify({ user, userPool: poolId, client: clientId }),
    });
    return claimsOf(((await response.json()) as { token: string }).token);
  };
  expect(await mint('sol@example.com')).toMatchObject({ email: 'sol@example.com', email_verified: false });
  expect(await mint('rosa@example.com')).toMatchObject({ email: 'rosa@example.com', email_verified: true });
  // Someone the pool does not know stands for a confirmed user of it.
  expect(await mint('tess')).toMatchObject({ email: 'tess@example.com', email_verified: true });
});

it('signs a user out everywhere, and keeps a disabled user out until enabled again', async () => {
  const signIn = async (browser = new HttpBrowser()) => {
    const { verifier, challenge } = pkce();
    const login = await browser.open(
      authorizeUrl(authUrl, { clientId: clientId, redirectUri: CALLBACK, challenge: challenge }),
    );
    const formShown = !login.url.startsWith(CALLBACK);
    const landed = formShown
      ? await browser.submit(login, { email: 'rosa@example.com', password: 'Ristretto!2026' })
      : login;
    if (!landed.url.startsWith(CALLBACK)) return { page: landed, browser, formShown };
    const tokens = await tokenRequest(authUrl, {
      grant_type: 'authorization_code',
      client_id: clientId,
      redirect_uri: CALLBACK,
      code: new URL(landed.url).searchParams.get('code')!,
      code_verifier: verifier,
    });
    return { refreshToken: tokens.body.refresh_token!, browser, formShown };
  };
  const refresh = (refreshToken: string) =>
    tokenRequest(authUrl, { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });

  const first = await signIn();
  expect((await refresh(first.refreshToken!)).status).toBe(200);
  expect((await signIn(first.browser)).formShown).toBe(false);
  await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'rosa@example.com' }));
  expect(await refresh(first.refreshToken!)).toEqual({
    status: 400,
    body: expect.objectContaining({ error: 'invalid_grant' }),
  });
  // The managed-login session is over too: the browser sees the form again.
  const again = await signIn(first.browser);
  expect(again).toMatchObject({ formShown: true, refreshToken: expect.any(String) });

  await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'rosa@example.com' }));
  expect((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'rosa@example.com' }))).Enabled).toBe(
    false,
  );
  expect(await refresh(again.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  const refused = await signIn();
  expect(refused.page?.status).toBe(400);
  expect(refused.page?.text).toContain('User is disabled.');

  await idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'rosa@example.com' }));
  expect((await signIn()).refreshToken).toBeDefined();
});

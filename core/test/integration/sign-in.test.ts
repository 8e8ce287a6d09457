// A person signs in to the core as the browser apps will: the core's user pool domain, its sign-up
// page with the code the local cloud prints, the code flow with PKCE; the tokens open the core's
// API, and AdminAddUserToGroup (what `presso users add-to-group` sends) makes them a barista of the
// seed event NYC from their next token on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { authorizeUrl, claimsOf, HttpBrowser, pkce, tokenRequest } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { startCore, type Core } from './harness.js';

let core: Core;
let app: Server;
let callback: string;

beforeAll(async () => {
  app = createServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
  core = await startCore({ parameterOverrides: { CallbackURLs: callback } });
}, 180_000);

afterAll(async () => {
  await core?.close();
  await new Promise((resolve) => app?.close(resolve));
});

it("signs up through the core's domain; the tokens open its API; a group added by the admin API counts at the next refresh", async () => {
  const authUrl = core.stack.localOutputs.AuthDomainUrl!;
  expect(authUrl).toBe(`${core.cloud.url}/auth/serverlesspresso-local`);
  const clientId = core.stack.outputs.UserPoolClientId!;
  const { verifier, challenge } = pkce();
  const browser = new HttpBrowser();
  const login = await browser.open(
    authorizeUrl(authUrl, {
      clientId: clientId,
      redirectUri: callback,
      challenge: challenge,
      scope: 'openid email profile',
      state: 'menu',
    }),
  );
  const signup = await browser.open(login.url.replace('/login?', '/signup?'));
  const confirm = await browser.submit(signup, { email: 'olga@example.com', password: 'Macchiato!2026' });
  const code = await until('the confirmation code in the local cloud output', () =>
    core.logs.map((l) => /confirmation code for olga@example\.com: (\d{6})/.exec(l)?.[1]).find(Boolean),
  );
  const landed = await browser.submit(confirm, { code }, 'Confirm');
  expect(landed.url.startsWith(`${callback}?`)).toBe(true);
  const tokens = await tokenRequest(authUrl, {
    grant_type: 'authorization_code',
    client_id: clientId,
    redirect_uri: callback,
    code: new URL(landed.url).searchParams.get('code')!,
    code_verifier: verifier,
  });
  expect(tokens.status).toBe(200);
  const customer = { name: 'olga', token: tokens.body.id_token!, sub: claimsOf(tokens.body.id_token!).sub as string };
  expect((await core.http('GET', '/events/NYC/menu', { user: customer })).status).toBe(200);
  const byAccessToken = { ...customer, token: tokens.body.access_token! };
  expect((await core.http('GET', '/events/NYC/menu', { user: byAccessToken })).status).toBe(200);
  expect((await core.http('GET', '/events/NYC/queue', { user: customer })).status).toBe(403);

  const idp = new CognitoIdentityProviderClient({
    endpoint: core.cloud.url,
    region: core.cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  await idp.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: core.stack.outputs.UserPoolId!,
      Username: 'olga@example.com',
      GroupName: 'NYC.barista',
    }),
  );
  idp.destroy();
  const refreshed = await tokenRequest(authUrl, {
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: tokens.body.refresh_token!,
  });
  const barista = { ...customer, token: refreshed.body.id_token! };
  expect(claimsOf(barista.token)['cognito:groups']).toEqual(['NYC.barista']);
  expect((await core.http('GET', '/events/NYC/queue', { user: barista })).status).toBe(200);
});

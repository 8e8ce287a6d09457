// The OAuth server's rules without HTTP: the order of the authorize checks (what may go back to the
// app and what may not), codes spent on first use and expired on the scaled clock, PKCE, refresh.
import { createHash } from 'node:crypto';
import { beforeEach, expect, it } from '@jest/globals';
import { LocalIssuer } from '../../src/services/apis/issuer.js';
import type { UserPool } from '../../src/services/apis/user-pools.js';
import { AuthorizeError, OAuthError, OAuthServer } from '../../src/services/cognito/oauth.js';
import { UserDirectory } from '../../src/services/cognito/users.js';
import { timeScale } from '../../src/time.js';

const CALLBACK = 'https://app.example/callback';
let now = 0;
let issuer: LocalIssuer;
let users: UserDirectory;
let oauth: OAuthServer;
let pool: UserPool;

beforeEach(() => {
  now = 1_000_000;
  issuer = new LocalIssuer('http://edge/_presso/issuer');
  users = new UserDirectory({ now: () => now });
  pool = issuer.pools.add({
    id: 'us-east-1_Pool',
    arn: 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Pool',
    name: 'pool',
    providerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool',
  });
  issuer.pools.addClient(pool.id, {
    clientId: 'web',
    name: 'web',
    oauth: {
      enabled: true,
      flows: ['code'],
      scopes: ['openid', 'email'],
      callbackUrls: [CALLBACK],
      logoutUrls: [],
      identityProviders: ['COGNITO'],
    },
  });
  // Speed 10: a code's 5 minutes are 30 s.
  oauth = new OAuthServer({ pools: issuer.pools, users, issuer, time: timeScale(10), now: () => now });
});

const query = (extra: Record<string, string> = {}) =>
  new URLSearchParams({ response_type: 'code', client_id: 'web', redirect_uri: CALLBACK, state: 's', ...extra });

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof AuthorizeError) return { error: e.error, toApp: e.redirect !== undefined };
    throw e;
  }
  throw new Error('not refused');
};

it('checks the client and the redirect URI before anything that could go back to the app', () => {
  expect(refusal(() => oauth.checkAuthorize(pool, query({ client_id: 'nope', response_type: 'x' })))).toEqual({
    error: 'invalid_client',
    toApp: false,
  });
  expect(
    refusal(() => oauth.checkAuthorize(pool, query({ redirect_uri: 'https://evil.example/', response_type: 'x' }))),
  ).toEqual({ error: 'redirect_mismatch', toApp: false });
  expect(refusal(() => oauth.checkAuthorize(pool, query({ response_type: 'token' })))).toEqual({
    error: 'unsupported_response_type',
    toApp: true,
  });
  expect(refusal(() => oauth.checkAuthorize(pool, query({ scope: 'openid phone' })))).toEqual({
    error: 'invalid_scope',
    toApp: true,
  });
  expect(
    refusal(() => oauth.checkAuthorize(pool, query({ code_challenge: 'abc', code_challenge_method: 'plain' }))),
  ).toEqual({
    error: 'invalid_request',
    toApp: true,
  });
  expect(oauth.checkAuthorize(pool, query()).scopes).toEqual(['openid', 'email']);
});

let people = 0;
async function codeFor(challenge?: string) {
  const email = `person${++people}@example.com`;
  const { user, code } = await users.signUp(pool.id, email, 'Espresso!2026');
  users.confirm(pool.id, email, code);
  const request = oauth.checkAuthorize(
    pool,
    query(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  );
  return new URL(oauth.issueCode(pool, request, user, 1)).searchParams.get('code')!;
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  oauth.token(
    pool,
    new URLSearchParams({ grant_type: 'authorization_code', client_id: 'web', redirect_uri: CALLBACK, code, ...extra }),
  );

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof OAuthError ? e.error : String(e)),
  );

it('spends a code on its first presentation, even a failed one', async () => {
  const verifier = 'v'.repeat(43);
  const code = await codeFor(createHash('sha256').update(verifier).digest('base64url'));
  expect(await errorOf(exchange(code, { code_verifier: 'w'.repeat(43) }))).toBe('invalid_grant');
  expect(await errorOf(exchange(code, { code_verifier: verifier }))).toBe('invalid_grant');
});

it('expires a code after 5 minutes of the scaled clock', async () => {
  const code = await codeFor();
  now += 30_000;
  expect(await errorOf(exchange(code))).toBe('invalid_grant');
  const fresh = await codeFor();
  now += 29_000;
  expect((await exchange(fresh)).access_token).toBeTruthy();
});

it('refreshes with the same client only, and not after revoke', async () => {
  const tokens = await exchange(await codeFor());
  const refresh = (client: string) =>
    oauth.token(
      pool,
      new URLSearchParams({ grant_type: 'refresh_token', client_id: client, refresh_token: tokens.refresh_token! }),
    );
  expect(await errorOf(refresh('other'))).toBe('invalid_client');
  expect((await refresh('web')).id_token).toBeTruthy();
  oauth.revoke(pool, new URLSearchParams({ client_id: 'web', token: tokens.refresh_token! }));
  expect(await errorOf(refresh('web'))).toBe('invalid_grant');
});

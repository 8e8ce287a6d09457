import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { Auth, AuthError, refreshDueAt, type KeyValueStorage, type User } from '../../src/shared/auth.js';
import { codeChallengeS256 } from '../../src/shared/pkce.js';
import { ManualClock } from './manual-clock.js';
import { UserPoolDomain, type Person } from './user-pool-domain.js';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string): string | null => this.items.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.items.set(key, value);
  removeItem = (key: string): void => void this.items.delete(key);
}

const ALICE: Person = { sub: '1f0c-alice', email: 'alice@example.com', groups: ['barista'] };
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('sign-in (authorization code flow with PKCE)', () => {
  let clock: ManualClock;
  let domain: UserPoolDomain;
  let storage: MemoryStorage;
  let visited: string[];
  let auth: Auth;

  const newAuth = () =>
    new Auth({
      config: {
        domain: domain.url,
        clientId: 'client1',
        redirectUri: 'https://bar.example.com/order/',
        logoutUri: 'https://bar.example.com/bye',
        scopes: ['openid', 'email', 'profile'],
      },
      storage,
      clock,
      navigate: (url) => visited.push(url),
      refreshBeforeMs: 5 * MINUTE,
      retryAfterMs: 30_000,
    });

  /** Signs Alice in: the app goes to /oauth2/authorize, which sends her back with a code. */
  const signInAlice = async () => {
    await auth.signIn({ returnTo: '/order/NYC' });
    const { code, state, redirectUri } = domain.codeFor(visited.at(-1)!, ALICE);
    return auth.handleRedirect(`${redirectUri}?code=${code}&state=${state}`);
  };
  const tokenRequests = () => domain.requests.filter((r) => r.path === '/oauth2/token');

  beforeEach(async () => {
    clock = new ManualClock();
    domain = await new UserPoolDomain('client1', () => clock.now()).start();
    storage = new MemoryStorage();
    visited = [];
    auth = newAuth();
  });
  afterEach(async () => {
    auth.dispose();
    await domain.stop();
  });

  it('sends the browser to /oauth2/authorize with the client, redirect URI, scopes, state and S256 challenge', async () => {
    await auth.signIn();
    const url = new URL(visited[0]!);
    expect(url.origin + url.pathname).toBe(`${domain.url}/oauth2/authorize`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'client1',
      redirect_uri: 'https://bar.example.com/order/',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The challenge is the S256 of the verifier kept for the way back.
    const pending = JSON.parse([...storage.items.values()][0]!) as { verifier: string; state: string };
    expect(pending.state).toBe(params.state);
    expect(params.code_challenge).toBe(await codeChallengeS256(pending.verifier));
  });

  it('trades the code and verifier for tokens and knows who signed in', async () => {
    const changes: (User | undefined)[] = [];
    auth.onChange((user) => changes.push(user));
    const { user, returnTo } = await signInAlice();
    expect(user).toEqual({ sub: ALICE.sub, email: ALICE.email, groups: ['barista'], username: ALICE.sub });
    expect(returnTo).toBe('/order/NYC');
    expect(changes).toEqual([user]);
    expect(tokenRequests()[0]!.form).toMatchObject({
      grant_type: 'authorization_code',
      client_id: 'client1',
      redirect_uri: 'https://bar.example.com/order/',
    });
    expect(await auth.token()).toBe(auth.tokenSet!.idToken);
    expect(await auth.token('access')).toBe(auth.tokenSet!.accessToken);
    // Another Auth on the same storage (a reload) is still signed in.
    const reloaded = newAuth();
    expect(reloaded.user?.email).toBe(ALICE.email);
    reloaded.dispose();
  });

  it('refuses a redirect whose state is not the one this tab sent, and a second use of the redirect', async () => {
    await auth.signIn();
    const { code, redirectUri } = domain.codeFor(visited[0]!, ALICE);
    const forged = auth.handleRedirect(`${redirectUri}?code=${code}&state=forged`);
    await expect(forged).rejects.toMatchObject({ code: 'state_mismatch' });
    await expect(forged).rejects.toThrow(/did not start in this tab/);
    const again = auth.handleRedirect(`${redirectUri}?code=${code}&state=forged`);
    await expect(again).rejects.toMatchObject({ code: 'no_sign_in_pending' });
    expect(auth.signedIn).toBe(false);
    expect(tokenRequests()).toHaveLength(0);
  });

  it("reports the user pool domain's refusals: an error redirect, a code refused at the token endpoint", async () => {
    await auth.signIn();
    const state = new URL(visited[0]!).searchParams.get('state');
    await expect(
      auth.handleRedirect(`https://bar.example.com/order/?error=access_denied&error_description=nope&state=${state}`),
    ).rejects.toMatchObject({ code: 'access_denied', description: 'nope', message: 'Sign-in was cancelled.' });
    await auth.signIn();
    const second = domain.codeFor(visited[1]!, ALICE);
    domain.failNext.push('invalid_grant');
    const refused = auth.handleRedirect(`${second.redirectUri}?code=${second.code}&state=${second.state}`);
    await expect(refused).rejects.toBeInstanceOf(AuthError);
    await expect(refused).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('refreshes silently five minutes before the tokens expire, and again for the next tokens', async () => {
    await signInAlice();
    const first = auth.tokenSet!;
    expect(first.expiresAt).toBe(clock.now() + HOUR);
    expect(clock.nextAt).toBe(first.expiresAt - 5 * MINUTE);
    const changes: (User | undefined)[] = [];
    auth.onChange((user) => changes.push(user));

    clock.advance(HOUR - 5 * MINUTE - 1);
    expect(tokenRequests()).toHaveLength(1);
    clock.advance(1);
    await until('the silent refresh', () => auth.tokenSet !== first);
    expect(tokenRequests()[1]!.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
    const second = auth.tokenSet!;
    expect(second.refreshToken).toBe(first.refreshToken); // Cognito gives no new refresh token.
    expect(second.expiresAt).toBe(clock.now() + HOUR);
    expect(changes).toHaveLength(1);
    expect(clock.nextAt).toBe(second.expiresAt - 5 * MINUTE);
  });

  it('keeps the tokens and retries a refresh that could not reach the domain, then signs out when the refresh token is refused', async () => {
    await signInAlice();
    const first = auth.tokenSet!;
    domain.failNext.push('network');
    clock.advance(HOUR - 5 * MINUTE);
    await until('the failed refresh to be retried later', () => clock.nextAt === clock.now() + 30_000);
    expect(auth.tokenSet).toBe(first);
    // Meanwhile the tokens still work: token() tries to refresh (the domain fails again) and gives them.
    domain.failNext.push(500);
    expect(await auth.token()).toBe(first.idToken);
    expect(tokenRequests()).toHaveLength(3);

    const changes: (User | undefined)[] = [];
    auth.onChange((user) => changes.push(user));
    domain.failNext.push('invalid_grant');
    clock.advance(30_000);
    await until('signed out', () => !auth.signedIn);
    expect(changes).toEqual([undefined]);
    expect(storage.items.size).toBe(0);
    expect(await auth.token()).toBeUndefined();
  });

  it('gives a valid token on demand, one refresh however many callers, when the timer did not fire (a sleeping phone)', async () => {
    await signInAlice();
    const first = auth.tokenSet!;
    auth.dispose();
    clock = new ManualClock(first.expiresAt - MINUTE); // past the refresh time; no timer has fired
    auth = newAuth();
    const [a, b] = await Promise.all([auth.token(), auth.token()]);
    expect(a).toBe(b);
    expect(a).toBe(auth.tokenSet!.idToken);
    expect(a).not.toBe(first.idToken);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('when the token has expired and the domain cannot be reached, token() says so instead of giving a dead token', async () => {
    await signInAlice();
    const expiresAt = auth.tokenSet!.expiresAt;
    auth.dispose();
    clock = new ManualClock(expiresAt + 1);
    auth = newAuth();
    domain.failNext.push('network');
    await expect(auth.token()).rejects.toMatchObject({ code: 'network' });
  });

  it('signs out: revokes the refresh token, forgets the tokens, ends the domain session at /logout', async () => {
    await signInAlice();
    const refreshToken = auth.tokenSet!.refreshToken;
    await auth.signOut();
    expect(auth.signedIn).toBe(false);
    expect(storage.items.size).toBe(0);
    expect(domain.requests.at(-1)).toEqual({
      path: '/oauth2/revoke',
      form: { token: refreshToken, client_id: 'client1' },
    });
    const logout = new URL(visited.at(-1)!);
    expect(logout.origin + logout.pathname).toBe(`${domain.url}/logout`);
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: 'client1',
      logout_uri: 'https://bar.example.com/bye',
    });
    expect(clock.nextAt).toBeUndefined();
  });
});

describe('refreshDueAt', () => {
  it('is refreshBeforeMs before expiry, or halfway through a shorter lifetime', () => {
    expect(refreshDueAt({ issuedAt: 0, expiresAt: HOUR }, 5 * MINUTE)).toBe(55 * MINUTE);
    expect(refreshDueAt({ issuedAt: 0, expiresAt: 6 * MINUTE }, 5 * MINUTE)).toBe(3 * MINUTE);
  });
});

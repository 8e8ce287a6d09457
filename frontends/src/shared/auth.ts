// Sign-in with a Cognito user pool domain (managed login, in AWS and on the local cloud): the OAuth 2.0
// authorization code flow with PKCE (S256), tokens kept in the tab's storage, a silent refresh with the
// refresh token before they expire, sign-out, and who is signed in (from the ID token).
//   /oauth2/authorize  the browser goes there with the challenge, and comes back with ?code&state
//   /oauth2/token      the code and verifier for tokens; later the refresh token for new ones
//   /oauth2/revoke     the refresh token, at sign-out (best effort)
//   /logout            ends the user pool domain's session, then back to the logout URI
import { systemClock, MAX_TIMER_MS, type Clock, type TimerHandle } from './clock.js';
import type { AppConfig } from './config.js';
import { base64UrlBytes, jwtClaims } from './encoding.js';
import { codeChallengeS256, createCodeVerifier, type CryptoLike } from './pkce.js';

/** What a Storage (sessionStorage, localStorage) offers that sign-in uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TokenSet {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** When the first of the ID and access tokens expires, epoch ms. */
  expiresAt: number;
  /** When they were issued, epoch ms. */
  issuedAt: number;
}

/** The signed-in person, from the ID token's claims. */
export interface User {
  sub: string;
  email?: string;
  /** cognito:groups, e.g. ['NYC.barista'] (a barista of event NYC); [] when in none. */
  groups: string[];
  /** cognito:username. */
  username?: string;
}

/**
 * A refusal of sign-in. `code` is OAuth's error (`invalid_grant`, `invalid_request`, `access_denied`...)
 * or one of this module's: `state_mismatch`, `no_sign_in_pending`, `network`, `signed_out`,
 * `invalid_response`. `message` is a sentence for the person; `description` what the server said.
 */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: string,
    message: string,
    readonly description?: string,
  ) {
    super(message);
  }
}

export interface AuthOptions {
  config: AppConfig['auth'];
  /** Default: sessionStorage (one tab's sign-in; gone when the tab closes). */
  storage?: KeyValueStorage;
  fetch?: typeof fetch;
  crypto?: CryptoLike;
  clock?: Clock;
  /** Leaves the page for the user pool domain. Default: location.assign. */
  navigate?: (url: string) => void;
  /** Refresh this long before the tokens expire (default 5 minutes; at most half their lifetime). */
  refreshBeforeMs?: number;
  /** After a refresh that failed for want of a network, try again this much later (default 30 s). */
  retryAfterMs?: number;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo?: string;
}

const SENTENCES: Record<string, string> = {
  invalid_grant: 'Your sign-in has expired or was already used. Please sign in again.',
  access_denied: 'Sign-in was cancelled.',
  state_mismatch: 'This sign-in did not start in this tab, so it was not accepted. Please sign in again.',
  no_sign_in_pending: 'This sign-in did not start in this tab, so it was not accepted. Please sign in again.',
  network: 'We could not reach the sign-in service. Check your connection and try again.',
  signed_out: 'You are signed out. Please sign in.',
  invalid_response: 'The sign-in service gave an answer we could not read. Please try again.',
};
const sentenceFor = (code: string): string =>
  SENTENCES[code] ?? 'Sign-in did not work. Please try again, and ask at the coffee bar if it keeps failing.';

/** The user in an ID token's claims, or undefined when it names nobody. */
export function userOfIdToken(idToken: string): User | undefined {
  const claims = jwtClaims(idToken);
  if (!claims || typeof claims.sub !== 'string') return undefined;
  const groups = claims['cognito:groups'];
  return {
    sub: claims.sub,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    ...(typeof claims['cognito:username'] === 'string' ? { username: claims['cognito:username'] } : {}),
  };
}

/**
 * When to refresh tokens: refreshBeforeMs before they expire, or halfway through a lifetime shorter
 * than twice that. Pure, so the schedule is tested without a clock.
 */
export function refreshDueAt(tokens: Pick<TokenSet, 'expiresAt' | 'issuedAt'>, refreshBeforeMs: number): number {
  const lifetime = Math.max(0, tokens.expiresAt - tokens.issuedAt);
  return tokens.expiresAt - Math.min(refreshBeforeMs, lifetime / 2);
}

/** The token set of a token endpoint answer (a refresh answer keeps the refresh token it had). */
export function tokenSetOf(body: unknown, now: number, previous?: TokenSet): TokenSet {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.id_token !== 'string' || typeof b.access_token !== 'string')
    throw new AuthError('invalid_response', sentenceFor('invalid_response'), 'no id_token or access_token');
  const exps = [b.id_token, b.access_token]
    .map((t) => jwtClaims(t)?.exp)
    .filter((e): e is number => typeof e === 'number');
  const expiresIn = typeof b.expires_in === 'number' ? b.expires_in : 3600;
  const expiresAt = exps.length > 0 ? Math.min(...exps) * 1000 : now + expiresIn * 1000;
  const refreshToken = typeof b.refresh_token === 'string' ? b.refresh_token : previous?.refreshToken;
  return {
    idToken: b.id_token,
    accessToken: b.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt,
    issuedAt: now,
  };
}

export class Auth {
  private readonly config: AppConfig['auth'];
  private readonly storage: KeyValueStorage;
  private readonly fetch: typeof fetch;
  private readonly crypto: CryptoLike;
  private readonly clock: Clock;
  private readonly navigate: (url: string) => void;
  private readonly refreshBeforeMs: number;
  private readonly retryAfterMs: number;
  private readonly tokensKey: string;
  private readonly pendingKey: string;
  private tokens: TokenSet | undefined;
  private timer: TimerHandle | undefined;
  private refreshing: Promise<TokenSet> | undefined;
  private readonly listeners = new Set<(user: User | undefined) => void>();

  constructor(options: AuthOptions) {
    this.config = options.config;
    this.storage = options.storage ?? globalThis.sessionStorage;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.crypto = options.crypto ?? globalThis.crypto;
    this.clock = options.clock ?? systemClock;
    this.navigate = options.navigate ?? ((url) => globalThis.location.assign(url));
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.retryAfterMs = options.retryAfterMs ?? 30_000;
    this.tokensKey = `presso.auth.${this.config.clientId}.tokens`;
    this.pendingKey = `presso.auth.${this.config.clientId}.pending`;
    this.tokens = this.loadTokens();
    this.schedule();
  }

  /** The signed-in person, or undefined. */
  get user(): User | undefined {
    return this.tokens ? userOfIdToken(this.tokens.idToken) : undefined;
  }

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** The current tokens (for tests and diagnostics); use token() for a valid one. */
  get tokenSet(): TokenSet | undefined {
    return this.tokens;
  }

  /** Called with the user after every sign-in, refresh and sign-out. Returns the unsubscribe. */
  onChange(listener: (user: User | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The /oauth2/authorize URL of a new sign-in, its state and verifier kept for the way back. */
  async authorizeUrl(options: { returnTo?: string } = {}): Promise<string> {
    const verifier = createCodeVerifier(this.crypto);
    const state = base64UrlBytes(this.crypto.getRandomValues(new Uint8Array(16)));
    const pending: PendingSignIn = { state, verifier, ...(options.returnTo ? { returnTo: options.returnTo } : {}) };
    this.storage.setItem(this.pendingKey, JSON.stringify(pending));
    const url = new URL(`${this.config.domain}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes.join(' '),
      state,
      code_challenge_method: 'S256',
      code_challenge: await codeChallengeS256(verifier, this.crypto.subtle),
    }).toString();
    return url.href;
  }

  /** Leaves for the user pool domain's sign-in page; it comes back to the redirect URI (handleRedirect). */
  async signIn(options: { returnTo?: string } = {}): Promise<void> {
    this.navigate(await this.authorizeUrl(options));
  }

  /** True when the URL is the user pool domain's answer to a sign-in (?code or ?error, with state). */
  isRedirect(url: string): boolean {
    const params = new URL(url).searchParams;
    return params.has('state') && (params.has('code') || params.has('error'));
  }

  /**
   * Completes a sign-in from the URL the user pool domain sent the browser back to: checks the state,
   * trades the code and verifier for tokens. Returns who signed in and where they were going; the app
   * then removes ?code from the address (history.replaceState).
   */
  async handleRedirect(url: string): Promise<{ user: User; returnTo?: string }> {
    const params = new URL(url).searchParams;
    const pendingText = this.storage.getItem(this.pendingKey);
    // Single use: whatever happens next, this sign-in is over.
    this.storage.removeItem(this.pendingKey);
    const error = params.get('error');
    if (error) throw new AuthError(error, sentenceFor(error), params.get('error_description') ?? undefined);
    let pending: PendingSignIn | undefined;
    try {
      pending = pendingText ? (JSON.parse(pendingText) as PendingSignIn) : undefined;
    } catch {
      pending = undefined;
    }
    if (!pending?.state) throw new AuthError('no_sign_in_pending', sentenceFor('no_sign_in_pending'));
    if (params.get('state') !== pending.state) throw new AuthError('state_mismatch', sentenceFor('state_mismatch'));
    const code = params.get('code');
    if (!code) throw new AuthError('invalid_request', sentenceFor('invalid_request'), 'no code in the redirect');
    const body = await this.tokenRequest({
      grant_type: 'authorization_code',
      client_id: this.config.clientId,
      code,
      redirect_uri: this.config.redirectUri,
      code_verifier: pending.verifier,
    });
    this.setTokens(tokenSetOf(body, this.clock.now()));
    return { user: this.user!, ...(pending.returnTo ? { returnTo: pending.returnTo } : {}) };
  }

  /**
   * A valid token for a request ('id', the default, carries email and groups; the core's API and the
   * realtime API take it), refreshed first when it is about to expire. Undefined when signed out.
   */
  async token(kind: 'id' | 'access' = 'id'): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (this.clock.now() >= refreshDueAt(this.tokens, this.refreshBeforeMs)) {
      try {
        await this.refresh();
      } catch (e) {
        // Not yet expired: the current token still works while the refresh is retried.
        if (
          !(e instanceof AuthError) ||
          e.code !== 'network' ||
          !this.tokens ||
          this.clock.now() >= this.tokens.expiresAt
        )
          throw e;
      }
    }
    if (!this.tokens) return undefined;
    return kind === 'id' ? this.tokens.idToken : this.tokens.accessToken;
  }

  /**
   * New tokens with the refresh token (one request at a time, however many callers). A refused refresh
   * token (expired, revoked) signs out and throws AuthError('invalid_grant'); a network failure keeps
   * the tokens and tries again retryAfterMs later.
   */
  refresh(): Promise<TokenSet> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<TokenSet> {
    const current = this.tokens;
    if (!current?.refreshToken) {
      this.clear();
      throw new AuthError('signed_out', sentenceFor('signed_out'));
    }
    try {
      const body = await this.tokenRequest({
        grant_type: 'refresh_token',
        client_id: this.config.clientId,
        refresh_token: current.refreshToken,
      });
      const next = tokenSetOf(body, this.clock.now(), current);
      this.setTokens(next);
      return next;
    } catch (e) {
      if (e instanceof AuthError && e.code === 'network') {
        this.scheduleIn(this.retryAfterMs);
      } else {
        this.clear();
      }
      throw e;
    }
  }

  /**
   * Signs out: revokes the refresh token (best effort), forgets the tokens, then ends the user pool
   * domain's session (/logout), which sends the browser to the logout URI.
   */
  async signOut(options: { redirect?: boolean } = {}): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.clear();
    if (refreshToken) {
      try {
        await this.fetch(`${this.config.domain}/oauth2/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: refreshToken, client_id: this.config.clientId }).toString(),
        });
      } catch {
        // Offline: the tokens are forgotten here all the same; the refresh token expires on its own.
      }
    }
    if (options.redirect === false) return;
    const url = new URL(`${this.config.domain}/logout`);
    url.search = new URLSearchParams({ client_id: this.config.clientId, logout_uri: this.config.logoutUri }).toString();
    this.navigate(url.href);
  }

  /** Stops the refresh timer (an app tearing down). */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private async tokenRequest(form: Record<string, string>): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetch(`${this.config.domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (e) {
      throw new AuthError('network', sentenceFor('network'), (e as Error).message);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok) return body;
    // A 5xx is the service's trouble, not the grant's: retried like a lost connection.
    if (response.status >= 500) throw new AuthError('network', sentenceFor('network'), `HTTP ${response.status}`);
    const b = (body ?? {}) as { error?: unknown; error_description?: unknown };
    const code = typeof b.error === 'string' ? b.error : `http_${response.status}`;
    throw new AuthError(
      code,
      sentenceFor(code),
      typeof b.error_description === 'string' ? b.error_description : undefined,
    );
  }

  private loadTokens(): TokenSet | undefined {
    const text = this.storage.getItem(this.tokensKey);
    if (!text) return undefined;
    try {
      const tokens = JSON.parse(text) as TokenSet;
      if (typeof tokens.idToken === 'string' && typeof tokens.expiresAt === 'number') return tokens;
    } catch {
      // A damaged entry is no sign-in.
    }
    this.storage.removeItem(this.tokensKey);
    return undefined;
  }

  private setTokens(tokens: TokenSet): void {
    this.tokens = tokens;
    this.storage.setItem(this.tokensKey, JSON.stringify(tokens));
    this.schedule();
    this.emit();
  }

  private clear(): void {
    const had = this.tokens !== undefined;
    this.tokens = undefined;
    this.storage.removeItem(this.tokensKey);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (had) this.emit();
  }

  /** The silent refresh of the current tokens, refreshBeforeMs before they expire. */
  private schedule(): void {
    if (!this.tokens?.refreshToken) return;
    this.scheduleIn(refreshDueAt(this.tokens, this.refreshBeforeMs) - this.clock.now());
  }

  private scheduleIn(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        // Failures are handled inside (retry later, or signed out and listeners told).
        this.refresh().catch(() => undefined);
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
  }

  private emit(): void {
    const user = this.user;
    for (const listener of this.listeners) listener(user);
  }
}

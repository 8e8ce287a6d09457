// The OAuth 2.0 side of a user pool domain, as Cognito documents it: the authorize request's checks,
// authorization codes (single use, 5 minutes on the local clock, PKCE S256), the token endpoint's
// authorization_code and refresh_token grants, userInfo, logout and revoke, and the tokens with
// Cognito's claims. No HTTP here: domain-service.ts adapts requests to it.
// Refresh tokens and sign-in sessions are kept by the SHA-256 of their value (what is in memory, and
// on disk with a data directory, cannot be replayed): snapshot() and load() carry them over a restart.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { TimeScale } from '../../time.js';
import { TokenRejected, type LocalIssuer } from '../apis/issuer.js';
import { DEFAULT_TOKEN_VALIDITY, type UserPool, type UserPoolClient, type UserPools } from '../apis/user-pools.js';
import type { PoolUser, UserDirectory } from './users.js';

/** An OAuth error with the code Cognito answers (RFC 6749's, plus Cognito's redirect_mismatch). */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'unsupported_response_type'
      | 'invalid_scope'
      | 'redirect_mismatch'
      | 'invalid_token'
      | 'insufficient_scope',
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** An authorize request that passed the checks: what the sign-in page carries along to the code. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
}

/**
 * Where an authorize error goes: to the app (its redirect URI, with error and state) once the
 * client and redirect URI are known good, else to the domain's error page (never to an unchecked URL).
 */
export class AuthorizeError extends OAuthError {
  constructor(
    error: OAuthError['error'],
    description: string,
    readonly redirect?: { uri: string; state?: string },
  ) {
    super(error, description);
  }
}

export interface TokenSet {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
}

interface CodeGrant extends AuthorizeRequest {
  poolId: string;
  username: string;
  authTime: number;
  /** Epoch ms on the real clock, after which the code is refused (5 minutes divided by speed). */
  expiresAt: number;
}

export interface RefreshGrant {
  poolId: string;
  clientId: string;
  username: string;
  scopes: string[];
  authTime: number;
  originJti: string;
  expiresAt: number;
}

export interface Session {
  poolId: string;
  username: string;
  authTime: number;
  expiresAt: number;
}

/** Cognito's authorization codes are good for 5 minutes; its managed-login session cookie for an hour. */
const CODE_LIFETIME_MS = 5 * 60_000;
const SESSION_LIFETIME_MS = 3600_000;

const opaque = (bytes = 32) => randomBytes(bytes).toString('base64url');
/** The key a refresh token or session id is kept under. */
const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** The grants that outlive a restart (with a data directory): refresh tokens and sessions, by digest. */
export interface GrantsSnapshot {
  refreshTokens: Array<RefreshGrant & { digest: string }>;
  sessions: Array<Session & { digest: string }>;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface OAuthServerOptions {
  pools: UserPools;
  users: UserDirectory;
  issuer: LocalIssuer;
  time: TimeScale;
  now?: () => number;
  /** Called after refresh tokens or sessions changed (the data directory's file is rewritten). */
  onChange?: () => void;
}

export class OAuthServer {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly sessions = new Map<string, Session>();
  /** NEW_PASSWORD_REQUIRED challenges in progress: session → who (Cognito's challenge session lasts 3 minutes). */
  private readonly challenges = new Map<string, { poolId: string; username: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: OAuthServerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The refresh tokens and sessions still good, for the data directory. */
  snapshot(): GrantsSnapshot {
    const now = this.now();
    const live = <T extends { expiresAt: number }>(map: Map<string, T>) =>
      [...map].filter(([, grant]) => grant.expiresAt > now).map(([key, grant]) => ({ digest: key, ...grant }));
    return { refreshTokens: live(this.refreshTokens), sessions: live(this.sessions) };
  }

  /** Takes back what snapshot() gave (at start, before any request). */
  load(snapshot: GrantsSnapshot): void {
    for (const { digest: key, ...grant } of snapshot.refreshTokens ?? []) this.refreshTokens.set(key, grant);
    for (const { digest: key, ...session } of snapshot.sessions ?? []) this.sessions.set(key, session);
  }

  private changed(): void {
    this.options.onChange?.();
  }

  /** The pool a domain prefix names, or undefined. */
  poolOfDomain(domain: string): UserPool | undefined {
    return this.options.pools.byDomain(domain);
  }

  /** GET /oauth2/authorize's checks, in Cognito's order: client, redirect URI, then the rest (sent to the app). */
  checkAuthorize(pool: UserPool, query: URLSearchParams): AuthorizeRequest {
    const clientId = query.get('client_id') ?? '';
    if (clientId === '') throw new AuthorizeError('invalid_request', 'client_id is required');
    const client = pool.clients.find((c) => c.clientId === clientId);
    if (!client) throw new AuthorizeError('invalid_client', `client_id ${clientId} is no app client of this user pool`);
    const redirectUri = query.get('redirect_uri') ?? client.oauth?.defaultRedirectUri ?? '';
    if (redirectUri === '') throw new AuthorizeError('invalid_request', 'redirect_uri is required');
    if (!client.oauth?.callbackUrls.includes(redirectUri))
      throw new AuthorizeError(
        'redirect_mismatch',
        `redirect_uri ${redirectUri} is not one of the app client's CallbackURLs (${client.oauth?.callbackUrls.join(', ') || 'none'})`,
      );
    const state = query.get('state') ?? undefined;
    const toApp = { uri: redirectUri, ...(state !== undefined ? { state } : {}) };
    const responseType = query.get('response_type') ?? '';
    if (responseType !== 'code')
      throw new AuthorizeError(
        responseType === '' ? 'invalid_request' : 'unsupported_response_type',
        responseType === ''
          ? 'response_type is required (code)'
          : `response_type ${responseType} is not supported locally: use code (the authorization code grant)`,
        toApp,
      );
    if (!client.oauth.enabled || !client.oauth.flows.includes('code'))
      throw new AuthorizeError(
        'unauthorized_client',
        'the app client does not allow the code flow (AllowedOAuthFlows: [code] and AllowedOAuthFlowsUserPoolClient: true)',
        toApp,
      );
    const requested = (query.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    const scopes = requested.length > 0 ? requested : client.oauth.scopes;
    const unknown = scopes.filter((s) => !client.oauth!.scopes.includes(s));
    if (unknown.length > 0)
      throw new AuthorizeError(
        'invalid_scope',
        `scope ${unknown.join(' ')} is not in the app client's AllowedOAuthScopes (${client.oauth.scopes.join(' ')})`,
        toApp,
      );
    const codeChallenge = query.get('code_challenge') ?? undefined;
    const method = query.get('code_challenge_method') ?? undefined;
    if (codeChallenge !== undefined && method !== 'S256')
      throw new AuthorizeError('invalid_request', 'code_challenge_method must be S256', toApp);
    if (codeChallenge === undefined && method !== undefined)
      throw new AuthorizeError('invalid_request', 'code_challenge_method without code_challenge', toApp);
    const nonce = query.get('nonce') ?? undefined;
    return {
      clientId,
      redirectUri,
      scopes,
      ...(state !== undefined ? { state } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(codeChallenge !== undefined ? { codeChallenge } : {}),
    };
  }

  /** A code for a signed-in user, and the URL that hands it to the app. */
  issueCode(pool: UserPool, request: AuthorizeRequest, user: PoolUser, authTime: number): string {
    const code = randomUUID();
    this.codes.set(code, {
      ...request,
      poolId: pool.id,
      username: user.username,
      authTime,
      expiresAt: this.now() + this.options.time.scaled(CODE_LIFETIME_MS),
    });
    const url = new URL(request.redirectUri);
    url.searchParams.set('code', code);
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    return url.toString();
  }

  /** POST /oauth2/token. `basic` is the Authorization header's client_id:client_secret, when given. */
  async token(pool: UserPool, form: URLSearchParams, basic?: { id: string; secret: string }): Promise<TokenSet> {
    const grantType = form.get('grant_type') ?? '';
    if (grantType === '') throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token')
      throw new OAuthError(
        'unsupported_grant_type',
        `grant_type ${grantType} is not supported locally (authorization_code, refresh_token)`,
      );
    const client = this.authenticateClient(pool, form, basic);
    return grantType === 'authorization_code'
      ? this.exchangeCode(pool, client, form)
      : this.refresh(pool, client, form);
  }

  /** GET or POST /oauth2/userInfo with an access token of this pool. */
  async userInfo(pool: UserPool, bearer: string | undefined): Promise<Record<string, string>> {
    if (!bearer)
      throw new OAuthError('invalid_request', 'the request needs an Authorization: Bearer <access token> header');
    let claims: JWTPayload;
    try {
      claims = await this.options.issuer.verify(bearer, { issuers: [pool.providerUrl] });
    } catch (e) {
      if (e instanceof TokenRejected && e.reason === 'expired')
        throw new OAuthError('invalid_token', 'Access token is expired');
      throw new OAuthError('invalid_token', 'Access token is not valid for this user pool');
    }
    if (claims.token_use !== 'access') throw new OAuthError('invalid_token', 'the token is not an access token');
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes('openid'))
      throw new OAuthError('insufficient_scope', 'userInfo needs an access token with the openid scope');
    const user = this.options.users.find(pool.id, String(claims.username ?? claims.sub));
    if (!user) throw new OAuthError('invalid_token', 'the user of this token no longer exists');
    return {
      sub: user.sub,
      username: user.username,
      ...(scopes.includes('email') ? { email: user.email, email_verified: String(user.emailVerified) } : {}),
    };
  }

  /** GET /logout: the logout_uri must be one of the client's LogoutURLs. Ends the session. */
  logout(pool: UserPool, query: URLSearchParams, sessionId: string | undefined): string {
    const clientId = query.get('client_id') ?? '';
    const client = pool.clients.find((c) => c.clientId === clientId);
    if (!client)
      throw new OAuthError('invalid_client', `client_id ${clientId || '(missing)'} is no app client of this user pool`);
    const logoutUri = query.get('logout_uri') ?? '';
    if (!client.oauth?.logoutUrls.includes(logoutUri))
      throw new OAuthError(
        'redirect_mismatch',
        `logout_uri ${logoutUri || '(missing)'} is not one of the app client's LogoutURLs (${client.oauth?.logoutUrls.join(', ') || 'none'})`,
      );
    if (sessionId && this.sessions.delete(digest(sessionId))) this.changed();
    return logoutUri;
  }

  /** Ends a managed-login session (logout to the sign-in page). */
  endSession(sessionId: string | undefined): void {
    if (sessionId && this.sessions.delete(digest(sessionId))) this.changed();
  }

  /**
   * AdminUserGlobalSignOut: every refresh token and sign-in session of the user ends (its ID and
   * access tokens stay valid until they expire, as in Cognito, where only its own APIs refuse them).
   */
  signOutEverywhere(poolId: string, username: string): void {
    let changed = false;
    for (const map of [this.refreshTokens, this.sessions] as Map<string, { poolId: string; username: string }>[])
      for (const [key, grant] of map)
        if (grant.poolId === poolId && grant.username === username) changed = map.delete(key) || changed;
    if (changed) this.changed();
  }

  /** POST /oauth2/revoke: a refresh token stops working (Cognito answers 200 whether or not it existed). */
  revoke(pool: UserPool, form: URLSearchParams, basic?: { id: string; secret: string }): void {
    const client = this.authenticateClient(pool, form, basic);
    const token = form.get('token') ?? '';
    if (token === '') throw new OAuthError('invalid_request', 'token is required');
    const grant = this.refreshTokens.get(digest(token));
    if (grant && grant.clientId !== client.clientId)
      throw new OAuthError('unauthorized_client', 'the token was issued to another app client');
    if (this.refreshTokens.delete(digest(token))) this.changed();
  }

  startSession(pool: UserPool, user: PoolUser): { id: string; authTime: number; maxAgeSeconds: number } {
    const id = opaque();
    const authTime = Math.floor(Date.now() / 1000);
    this.sessions.set(digest(id), {
      poolId: pool.id,
      username: user.username,
      authTime,
      expiresAt: this.now() + SESSION_LIFETIME_MS,
    });
    this.changed();
    return { id, authTime, maxAgeSeconds: SESSION_LIFETIME_MS / 1000 };
  }

  /** A user who signed in with a temporary password must choose one: the challenge's session id. */
  startNewPasswordChallenge(pool: UserPool, user: PoolUser): string {
    const id = opaque();
    this.challenges.set(id, { poolId: pool.id, username: user.username, expiresAt: this.now() + 3 * 60_000 });
    return id;
  }

  /** The username of a challenge still open (spent once answered: call endChallenge). */
  challengeUser(pool: UserPool, id: string): string | undefined {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.poolId !== pool.id) return undefined;
    if (challenge.expiresAt <= this.now()) {
      this.challenges.delete(id);
      return undefined;
    }
    return challenge.username;
  }

  endChallenge(id: string): void {
    this.challenges.delete(id);
  }

  /** The signed-in user of a session cookie, if it is still good (and the user still exists). */
  session(pool: UserPool, id: string | undefined): { user: PoolUser; authTime: number } | undefined {
    const session = id ? this.sessions.get(digest(id)) : undefined;
    if (!session || session.poolId !== pool.id) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(digest(id!));
      this.changed();
      return undefined;
    }
    const user = this.options.users.find(pool.id, session.username);
    return user ? { user, authTime: session.authTime } : undefined;
  }

  private authenticateClient(
    pool: UserPool,
    form: URLSearchParams,
    basic: { id: string; secret: string } | undefined,
  ): UserPoolClient {
    const clientId = basic?.id ?? form.get('client_id') ?? '';
    if (clientId === '') throw new OAuthError('invalid_request', 'client_id is required');
    const client = pool.clients.find((c) => c.clientId === clientId);
    if (!client) throw new OAuthError('invalid_client', `client_id ${clientId} is no app client of this user pool`);
    if (client.secret !== undefined) {
      const secret = basic?.secret ?? form.get('client_secret') ?? '';
      if (!sameText(secret, client.secret))
        throw new OAuthError(
          'invalid_client',
          'the app client has a secret: send Authorization: Basic base64(client_id:client_secret)',
        );
    }
    return client;
  }

  private async exchangeCode(pool: UserPool, client: UserPoolClient, form: URLSearchParams): Promise<TokenSet> {
    const code = form.get('code') ?? '';
    if (code === '') throw new OAuthError('invalid_request', 'code is required');
    const grant = this.codes.get(code);
    // Single use: whatever the outcome, a code is spent once presented.
    this.codes.delete(code);
    if (!grant || grant.poolId !== pool.id)
      throw new OAuthError('invalid_grant', 'the code is not valid or was already used');
    if (grant.expiresAt <= this.now())
      throw new OAuthError('invalid_grant', 'the code has expired (codes are good for 5 minutes)');
    if (grant.clientId !== client.clientId)
      throw new OAuthError('invalid_grant', 'the code was issued to another app client');
    if (!client.oauth?.enabled || !client.oauth.flows.includes('code'))
      throw new OAuthError('unauthorized_client', 'the app client does not allow the code flow');
    if ((form.get('redirect_uri') ?? '') !== grant.redirectUri)
      throw new OAuthError('invalid_grant', 'redirect_uri must be the one the code was issued for');
    if (grant.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      if (verifier === '')
        throw new OAuthError('invalid_grant', 'code_verifier is required: the code was issued with a code_challenge');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!sameText(challenge, grant.codeChallenge))
        throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge (S256)');
    }
    const user = this.options.users.find(pool.id, grant.username);
    if (!user) throw new OAuthError('invalid_grant', 'the user no longer exists');
    const originJti = randomUUID();
    const validity = client.validity ?? DEFAULT_TOKEN_VALIDITY;
    const refreshToken = opaque(96);
    this.refreshTokens.set(digest(refreshToken), {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      scopes: grant.scopes,
      authTime: grant.authTime,
      originJti,
      expiresAt: this.now() + validity.refreshSeconds * 1000,
    });
    this.changed();
    const tokens = await this.mint(pool, client, user, grant.scopes, grant.authTime, originJti, grant.nonce);
    return { ...tokens, refresh_token: refreshToken };
  }

  private async refresh(pool: UserPool, client: UserPoolClient, form: URLSearchParams): Promise<TokenSet> {
    const token = form.get('refresh_token') ?? '';
    if (token === '') throw new OAuthError('invalid_request', 'refresh_token is required');
    const grant = this.refreshTokens.get(digest(token));
    if (!grant || grant.poolId !== pool.id) throw new OAuthError('invalid_grant', 'Invalid Refresh Token');
    if (grant.expiresAt <= this.now()) {
      this.refreshTokens.delete(digest(token));
      this.changed();
      throw new OAuthError('invalid_grant', 'Refresh Token has expired');
    }
    if (grant.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'Invalid Refresh Token');
    const user = this.options.users.find(pool.id, grant.username);
    if (!user || !user.enabled) throw new OAuthError('invalid_grant', 'Invalid Refresh Token');
    // Cognito keeps auth_time and origin_jti of the sign-in; groups are read anew.
    return this.mint(pool, client, user, grant.scopes, grant.authTime, grant.originJti);
  }

  private async mint(
    pool: UserPool,
    client: UserPoolClient,
    user: PoolUser,
    scopes: string[],
    authTime: number,
    originJti: string,
    nonce?: string,
  ): Promise<TokenSet> {
    const validity = client.validity ?? DEFAULT_TOKEN_VALIDITY;
    const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const eventId = randomUUID();
    const access = await this.options.issuer.sign(
      {
        sub: user.sub,
        ...groups,
        version: 2,
        client_id: client.clientId,
        origin_jti: originJti,
        event_id: eventId,
        token_use: 'access',
        scope: scopes.join(' '),
        auth_time: authTime,
        jti: randomUUID(),
        username: user.username,
      },
      { issuer: pool.providerUrl, expiresInSeconds: validity.accessSeconds },
    );
    // Cognito issues an ID token only when the openid scope was granted.
    const id = scopes.includes('openid')
      ? await this.options.issuer.sign(
          {
            sub: user.sub,
            ...groups,
            email_verified: user.emailVerified,
            'cognito:username': user.username,
            origin_jti: originJti,
            event_id: eventId,
            token_use: 'id',
            auth_time: authTime,
            ...(nonce !== undefined ? { nonce } : {}),
            jti: randomUUID(),
            email: user.email,
          },
          { issuer: pool.providerUrl, audience: client.clientId, expiresInSeconds: validity.idSeconds },
        )
      : undefined;
    return {
      access_token: access,
      ...(id ? { id_token: id } : {}),
      token_type: 'Bearer',
      expires_in: validity.accessSeconds,
    };
  }
}

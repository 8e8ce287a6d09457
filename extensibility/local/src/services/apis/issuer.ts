// The local token issuer: stands in for Cognito (and any other OIDC issuer), so authorised routes
// work without an AWS account. One key pair signs every token; a user pool deployed from a
// template is one more issuer URL it signs for (see user-pools.ts). With a key file (the data
// directory's), the key pair outlives a restart, so tokens issued before it still verify.
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../states/journal.js';
import { uuidFrom } from '../../stacks/template/resolver.js';
import { UserPools } from './user-pools.js';

export interface MintOptions {
  user: string;
  /** The user's sub when the pool knows them (a registered user); else derived from issuer and user. */
  sub?: string;
  groups?: string[];
  /** The ID token's aud (a user pool's app client id); ignored for access tokens. */
  audience?: string;
  /** The access token's client_id. */
  clientId?: string;
  /** Cognito puts scopes only in access tokens: giving scopes mints an access token. */
  scopes?: string[];
  expiresInSeconds?: number;
  /** Defaults to this issuer's URL; a user pool's ProviderURL for tokens of that pool. */
  issuer?: string;
  /** The ID token's email and email_verified (true unless said otherwise). */
  email?: string;
  emailVerified?: boolean;
}

export interface VerifyOptions {
  issuers: string[];
  audience?: string[];
}

/** The private RS256 key of a key file the issuer wrote, or an error that says what to do. */
function readKeyFile(file: string): JWK {
  const refuse = (why: string) =>
    new Error(
      `${file}: ${why}. It holds the local issuer's signing key; delete it to start with a new one (tokens issued before then stop verifying).`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw refuse(`not JSON (${(e as Error).message})`);
  }
  const key = (parsed as { keys?: unknown } | null)?.keys;
  const first = Array.isArray(key) ? (key[0] as JWK | undefined) : undefined;
  if (!first || typeof first !== 'object') throw refuse('no key in "keys" (a JWK Set is expected)');
  if (first.kty !== 'RSA' || typeof first.d !== 'string' || typeof first.n !== 'string')
    throw refuse('the key is not an RSA private key (kty RSA with d and n)');
  if (typeof first.kid !== 'string' || first.kid === '') throw refuse('the key has no kid');
  return first;
}

/** Why a token was refused, in the words API Gateway's www-authenticate header uses. */
export class TokenRejected extends Error {
  constructor(
    readonly reason: 'expired' | 'audience' | 'issuer' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export interface LocalIssuerOptions {
  /**
   * Where the signing key is kept (a JWK Set holding the private key, mode 0600): read at start when
   * it exists, else written once generated. Without it the key lives only as long as the process.
   */
  keyFile?: string;
}

export class LocalIssuer {
  private keys: KeyPair | undefined;
  private jwk: JWK | undefined;
  private kid: string = randomUUID();
  private starting: Promise<void> | undefined;
  /** Cognito user pools deployed from templates, whose tokens this issuer signs. */
  readonly pools = new UserPools();

  constructor(
    readonly issuer: string,
    private readonly options: LocalIssuerOptions = {},
  ) {}

  /** Loads the key pair from the key file, or generates it (and writes the file when there is one). */
  start(): Promise<void> {
    // Once: concurrent first calls must not make two key pairs.
    this.starting ??= this.load();
    return this.starting;
  }

  private async load(): Promise<void> {
    const file = this.options.keyFile;
    if (file && existsSync(file)) {
      const key = readKeyFile(file);
      this.kid = key.kid!;
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = key;
      this.keys = {
        privateKey: (await importJWK(key, 'RS256')) as KeyPair['privateKey'],
        publicKey: (await importJWK(publicJwk, 'RS256')) as KeyPair['publicKey'],
      };
      this.jwk = { kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e, kid: this.kid, alg: 'RS256', use: 'sig' };
      return;
    }
    const keys = await generateKeyPair('RS256', { extractable: true });
    this.keys = keys;
    this.jwk = { ...(await exportJWK(keys.publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
    if (file) {
      const key: JWK = { ...(await exportJWK(keys.privateKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
      mkdirSync(dirname(file), { recursive: true });
      // A private key: readable by its owner only.
      writeFileAtomic(file, [`${JSON.stringify({ keys: [key] })}\n`], 0o600);
    }
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.jwk ? [this.jwk] : [] };
  }

  /** A token with the claims Cognito puts in an ID token, or in an access token when scopes are given. */
  async mint(options: MintOptions): Promise<string> {
    await this.start();
    const now = Math.floor(Date.now() / 1000);
    const issuer = options.issuer ?? this.issuer;
    const groups = options.groups ?? [];
    const access = options.scopes !== undefined && options.scopes.length > 0;
    const claims: JWTPayload = {
      // Stable per issuer and user, as Cognito's sub does not change between sign-ins.
      sub: options.sub ?? uuidFrom(`${issuer}\n${options.user}`),
      // Cognito leaves the claim out for a user in no group.
      ...(groups.length > 0 ? { 'cognito:groups': groups } : {}),
      event_id: randomUUID(),
      token_use: access ? 'access' : 'id',
      auth_time: now,
      jti: randomUUID(),
      origin_jti: randomUUID(),
      ...(access
        ? {
            client_id: options.clientId ?? options.audience ?? 'local',
            scope: options.scopes!.join(' '),
            username: options.user,
          }
        : {
            'cognito:username': options.user,
            ...(options.email ? { email: options.email, email_verified: options.emailVerified ?? true } : {}),
          }),
    };
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600));
    // Access tokens carry client_id instead of aud, as Cognito's do.
    if (!access) jwt.setAudience(options.audience ?? 'local');
    return jwt.sign(this.keys!.privateKey);
  }

  /** Signs claims as they are (the OAuth endpoints build Cognito's claims themselves), with iat and exp. */
  async sign(
    claims: JWTPayload,
    options: { issuer: string; audience?: string; expiresInSeconds: number; now?: number },
  ): Promise<string> {
    await this.start();
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(options.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + options.expiresInSeconds);
    if (options.audience !== undefined) jwt.setAudience(options.audience);
    return jwt.sign(this.keys!.privateKey);
  }

  /**
   * Verifies signature, exp and iss (one of `issuers`); with `audience`, the aud claim, or
   * client_id when there is no aud (as API Gateway's JWT authorizer does). Throws TokenRejected.
   */
  async verify(token: string, options: VerifyOptions): Promise<JWTPayload> {
    await this.start();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys!.publicKey, { issuer: options.issuers, algorithms: ['RS256'] }));
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new TokenRejected('expired', 'the token has expired');
      if (e instanceof errors.JWTClaimValidationFailed && e.claim === 'iss')
        throw new TokenRejected('issuer', 'the token does not have a valid issuer');
      throw new TokenRejected('invalid', 'the token is not valid');
    }
    if (options.audience && options.audience.length > 0) {
      const aud = payload.aud ?? (typeof payload.client_id === 'string' ? payload.client_id : undefined);
      const given = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
      if (!given.some((a) => options.audience!.includes(a)))
        throw new TokenRejected('audience', 'the token does not have a valid audience');
    }
    return payload;
  }
}

// The local token issuer: stands in for Cognito, so authorised routes work without an AWS account.
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';

export interface MintOptions {
  user: string;
  groups?: string[];
  audience?: string;
  expiresInSeconds?: number;
  /** Defaults to this issuer's URL; a template's Cognito issuer may be named so its authorizer accepts the token. */
  issuer?: string;
  email?: string;
}

export interface VerifyOptions {
  issuers: string[];
  audience?: string[];
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export class LocalIssuer {
  private keys: KeyPair | undefined;
  private jwk: JWK | undefined;
  private readonly kid = randomUUID();

  constructor(readonly issuer: string) {}

  /** Generates the key pair; the keys live only as long as the process. */
  async start(): Promise<void> {
    if (this.keys) return;
    this.keys = await generateKeyPair('RS256', { extractable: true });
    this.jwk = { ...(await exportJWK(this.keys.publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.jwk ? [this.jwk] : [] };
  }

  async mint(options: MintOptions): Promise<string> {
    await this.start();
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      sub: randomUUID(),
      username: options.user,
      'cognito:username': options.user,
      'cognito:groups': options.groups ?? [],
      token_use: 'id',
      auth_time: now,
      ...(options.email ? { email: options.email } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? 'local')
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
      .sign(this.keys!.privateKey);
  }

  /** Verifies signature, exp, iss (one of `issuers`) and aud (when configured); throws when invalid. */
  async verify(token: string, options: VerifyOptions): Promise<JWTPayload> {
    await this.start();
    const { payload } = await jwtVerify(token, this.keys!.publicKey, {
      issuer: options.issuers,
      ...(options.audience && options.audience.length > 0 ? { audience: options.audience } : {}),
      algorithms: ['RS256'],
    });
    return payload;
  }
}

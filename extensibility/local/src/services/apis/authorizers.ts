// Authorizers as API Gateway runs them: an HTTP API's JWT authorizer (any OIDC issuer, scopes) and a
// REST API's Cognito user pool authorizer (ID tokens, or access tokens with scopes), against the local
// issuer or a deployed user pool; a refusal carries API Gateway's status, message and headers.
import type { JWTPayload } from 'jose';
import type { EdgeRequest } from '../../edge/types.js';
import { TokenRejected, type LocalIssuer } from './issuer.js';
import type { ApiConfig, AuthorizerConfig } from './model.js';
import { providerUrlOfArn } from './user-pools.js';

/** The claims of the caller (none without an authorizer), or API Gateway's refusal. */
export type Verdict =
  { claims: JWTPayload | undefined } | { status: number; message: string; headers?: Record<string, string> };

export class Authorizers {
  constructor(private readonly issuer: LocalIssuer) {}

  /** Runs the route's authorizer (its own, else the API's default); answers as API Gateway does when it refuses. */
  async authorize(
    api: ApiConfig,
    routeAuthorizer: string | undefined,
    scopes: string[] | undefined,
    request: EdgeRequest,
  ): Promise<Verdict> {
    const name = routeAuthorizer ?? api.defaultAuthorizer;
    if (!name || name === 'NONE') return { claims: undefined };
    const authorizer = api.authorizers?.[name];
    if (!authorizer)
      return { status: 500, message: api.kind === 'REST' ? 'Internal server error' : 'Internal Server Error' };
    const token = this.identity(request, authorizer);
    if (authorizer.type === 'JWT') {
      if (!token) return { status: 401, message: 'Unauthorized' };
      const wanted = scopes ?? [];
      let claims: JWTPayload;
      try {
        claims = await this.issuer.verify(token, {
          issuers: this.issuersFor(authorizer.issuer),
          ...(authorizer.audience ? { audience: authorizer.audience } : {}),
        });
      } catch (e) {
        if (!(e instanceof TokenRejected)) throw e;
        return {
          status: 401,
          message: 'Unauthorized',
          headers: {
            'www-authenticate': `Bearer scope="${wanted.join(' ')}" error="invalid_token" error_description="${e.message}"`,
          },
        };
      }
      if (wanted.length > 0 && !scopesOf(claims).some((s) => wanted.includes(s))) {
        return {
          status: 403,
          message: 'Forbidden',
          headers: {
            'www-authenticate': `Bearer scope="${wanted.join(' ')}" error="insufficient_scope" error_description="expected scopes: [${wanted.join(' ')}]"`,
          },
        };
      }
      return { claims };
    }
    if (!token) return { status: 401, message: 'Unauthorized' };
    const issuers = authorizer.providerArns.flatMap((arn) => {
      const url = providerUrlOfArn(arn);
      return url ? this.issuersFor(url) : [];
    });
    let claims: JWTPayload;
    try {
      claims = await this.issuer.verify(token, { issuers });
    } catch (e) {
      if (!(e instanceof TokenRejected)) throw e;
      return { status: 401, message: e.reason === 'expired' ? 'The incoming token has expired' : 'Unauthorized' };
    }
    // Without scopes a Cognito authorizer takes ID tokens; with scopes, access tokens carrying one of them.
    const ok =
      scopes && scopes.length > 0
        ? claims.token_use === 'access' && scopesOf(claims).some((s) => scopes.includes(s))
        : claims.token_use !== 'access';
    return ok ? { claims } : { status: 401, message: 'Unauthorized' };
  }

  /** A deployed user pool accepts only its own tokens; any other issuer is emulated by the local one. */
  private issuersFor(issuer: string): string[] {
    return this.issuer.pools.byProviderUrl(issuer) ? [issuer] : [issuer, this.issuer.issuer];
  }

  /** The token from the identity source header, with or without "Bearer ". */
  private identity(request: EdgeRequest, authorizer: AuthorizerConfig): string | undefined {
    const source =
      authorizer.identitySource ??
      (authorizer.type === 'JWT' ? '$request.header.Authorization' : 'method.request.header.Authorization');
    const headerName =
      /^\$?(?:request|method\.request)\.header\.(.+)$/.exec(source)?.[1]?.toLowerCase() ?? 'authorization';
    const raw = request.headers[headerName];
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    return raw.trim().replace(/^Bearer\s+/i, '');
  }
}

/** The scopes of a token (its space-separated scope claim). */
export function scopesOf(claims: JWTPayload): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
}

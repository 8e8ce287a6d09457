// Who may connect, publish and subscribe: the request's authorization headers checked against the
// modes the operation allows (API key, Cognito user pool token, IAM), and `ctx.identity` as
// AppSync fills it for each. IAM: a SigV4-signed request is taken as authorized for now (the edge
// does not verify signatures yet); `iamRequestOf` names the action and resource that an IAM
// policy evaluation will check, so enforcement plugs in there.
import type { JWTPayload } from 'jose';
import { TokenRejected, type LocalIssuer } from '../apis/issuer.js';
import { partitionOf } from '../../stacks/template/resolver.js';
import { unauthorized, type ApiKeyConfig, type AuthType, type EventApiConfig } from './model.js';

export type Operation = 'connect' | 'publish' | 'subscribe';

export interface Authorized {
  authType: AuthType;
  /** ctx.identity: null for API keys, Cognito's or IAM's fields otherwise. */
  identity: Record<string, unknown> | null;
}

/** The IAM action and resource AppSync checks for an operation (IAM authorization). */
export function iamRequestOf(
  operation: Operation,
  api: Pick<EventApiConfig, 'apiId' | 'region' | 'accountId'>,
  namespace?: string,
): { action: string; resource: string } {
  const base = `arn:${partitionOf(api.region).partition}:appsync:${api.region}:${api.accountId}:apis/${api.apiId}`;
  if (operation === 'connect') return { action: 'appsync:EventConnect', resource: base };
  return {
    action: operation === 'publish' ? 'appsync:EventPublish' : 'appsync:EventSubscribe',
    resource: `${base}/channelNamespace/${namespace}`,
  };
}

/** A hook IAM enforcement sets: throw (or return false) to refuse. Default: every signed request passes. */
export type IamCheck = (request: {
  action: string;
  resource: string;
  accessKeyId: string;
  headers: Record<string, string>;
}) => boolean | Promise<boolean>;

export interface AuthDeps {
  issuer: LocalIssuer;
  keys(apiId: string): Iterable<ApiKeyConfig>;
  iam?: IamCheck;
  sourceIp?: string;
}

const lower = (headers: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k.toLowerCase(), v as string]),
  );

/** Checks the headers against the modes; resolves with the identity or rejects with AppSync's UnauthorizedException. */
export async function authorize(
  rawHeaders: Record<string, unknown>,
  modes: readonly AuthType[],
  api: EventApiConfig,
  operation: Operation,
  deps: AuthDeps,
  namespace?: string,
): Promise<Authorized> {
  const headers = lower(rawHeaders);
  const sourceIp = [deps.sourceIp ?? '127.0.0.1'];
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined && modes.includes('API_KEY')) {
    const now = Date.now() / 1000;
    for (const key of deps.keys(api.apiId)) {
      if (key.key !== apiKey) continue;
      if (key.expires <= now) throw unauthorized('API key has expired.');
      return { authType: 'API_KEY', identity: null };
    }
    throw unauthorized();
  }
  const authorization = headers['authorization'];
  if (authorization === undefined) throw unauthorized();
  if (authorization.startsWith('AWS4-HMAC-SHA256')) {
    if (!modes.includes('AWS_IAM')) throw unauthorized();
    const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
    if (!accessKeyId) throw unauthorized('The request signature is malformed: no Credential.');
    if (deps.iam) {
      const { action, resource } = iamRequestOf(operation, api, namespace);
      if (!(await deps.iam({ action, resource, accessKeyId, headers })))
        throw unauthorized(`Not authorized to perform ${action} on ${resource}.`);
    }
    return {
      authType: 'AWS_IAM',
      identity: {
        accountId: api.accountId,
        cognitoIdentityAuthProvider: null,
        cognitoIdentityAuthType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        sourceIp,
        userArn: `arn:${partitionOf(api.region).partition}:iam::${api.accountId}:user/${accessKeyId}`,
        username: accessKeyId,
      },
    };
  }
  if (!modes.includes('AMAZON_COGNITO_USER_POOLS')) throw unauthorized();
  const token = authorization.replace(/^Bearer\s+/i, '');
  let expired = false;
  for (const provider of api.authProviders) {
    if (provider.authType !== 'AMAZON_COGNITO_USER_POOLS' || !provider.cognito) continue;
    const { userPoolId, awsRegion, appIdClientRegex } = provider.cognito;
    const issuerUrl = `https://cognito-idp.${awsRegion}.${partitionOf(awsRegion).urlSuffix}/${userPoolId}`;
    let claims: JWTPayload;
    try {
      claims = await deps.issuer.verify(token, { issuers: [issuerUrl] });
    } catch (e) {
      if (!(e instanceof TokenRejected)) throw e;
      if (e.reason === 'expired') expired = true;
      continue;
    }
    const clientId = (claims.aud ?? claims.client_id) as string | string[] | undefined;
    if (
      appIdClientRegex &&
      ![clientId].flat().some((c) => typeof c === 'string' && new RegExp(appIdClientRegex).test(c))
    )
      continue;
    const groups = claims['cognito:groups'];
    return {
      authType: 'AMAZON_COGNITO_USER_POOLS',
      identity: {
        sub: claims.sub,
        issuer: claims.iss,
        username: (claims['cognito:username'] ?? claims.username ?? claims.sub) as string,
        claims,
        sourceIp,
        defaultAuthStrategy: 'ALLOW',
        groups: Array.isArray(groups) ? groups : null,
      },
    };
  }
  throw unauthorized(expired ? 'Token has expired.' : undefined);
}

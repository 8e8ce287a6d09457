// The events a function behind an API receives: the Lambda proxy event of payload 2.0 (HTTP APIs) and
// 1.0 (REST APIs, or an HTTP API route that asks for it), with the authorizer's claims as API Gateway
// hands them over.
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { EdgeRequest } from '../../edge/types.js';
import { scopesOf } from './authorizers.js';
import { stageOf, type ApiConfig } from './model.js';
import type { Match } from './routes.js';

const ACCOUNT = '000000000000';

function singleHeaders(headers: EdgeRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Java's Date.toString() in UTC, the form REST APIs give a Cognito token's exp and iat claims in. */
function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const [weekday, month] = [
    d.toUTCString().slice(0, 3),
    d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' }),
  ];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${weekday} ${month} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function isText(contentType: string | undefined): boolean {
  return (
    !contentType ||
    /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript))/.test(contentType) ||
    contentType.includes('+json')
  );
}

function bodyOf(request: EdgeRequest): { body: string | null; isBase64Encoded: boolean } {
  if (request.body.length === 0) return { body: null, isBase64Encoded: false };
  const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined;
  return isText(contentType)
    ? { body: request.body.toString('utf8'), isBase64Encoded: false }
    : { body: request.body.toString('base64'), isBase64Encoded: true };
}

/** Payload 2.0; rawPath and http.path keep a named stage's segment, as on AWS. */
export function eventV2(
  api: ApiConfig,
  match: Match,
  request: EdgeRequest,
  fullPath: string,
  claims: JWTPayload | undefined,
): Record<string, unknown> {
  const headers = singleHeaders(request.headers);
  const now = new Date();
  const stage = stageOf(api);
  const route = match.compiled.route;
  const routeKey = route.path === '$default' ? '$default' : `${route.method.toUpperCase()} ${route.path}`;
  const query: Record<string, string> = {};
  for (const key of new Set(request.query.keys())) query[key] = request.query.getAll(key).join(',');
  const cookies = headers.cookie?.split(/;\s*/).filter((c) => c !== '');
  const { cookie: _cookie, ...rest } = headers;
  const scopes = claims && scopesOf(claims).length > 0 ? scopesOf(claims) : null;
  return {
    version: '2.0',
    routeKey,
    rawPath: fullPath,
    rawQueryString: request.query.toString(),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers: rest,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.params).length > 0 ? { pathParameters: match.params } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: api.apiId,
      domainName: headers.host ?? 'localhost',
      domainPrefix: api.apiId,
      http: {
        method: request.method,
        path: fullPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage,
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: httpClaims(claims), scopes } } } : {}),
    },
    ...bodyOf(request),
  };
}

export function eventV1(
  api: ApiConfig,
  match: Match,
  request: EdgeRequest,
  path: string,
  claims: JWTPayload | undefined,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (v === undefined) continue;
    headers[k] = Array.isArray(v) ? v[v.length - 1]! : v;
    multiHeaders[k] = Array.isArray(v) ? v : [v];
  }
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const all = request.query.getAll(key);
    single[key] = all[all.length - 1]!;
    multi[key] = all;
  }
  const route = match.compiled.route;
  const resource = route.path === '$default' ? '/{proxy+}' : route.path;
  const stage = stageOf(api);
  const now = new Date();
  const hasQuery = Object.keys(single).length > 0;
  return {
    resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: multiHeaders,
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: Object.keys(match.params).length > 0 ? match.params : null,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT,
      apiId: api.apiId,
      domainName: headers.host ?? 'localhost',
      httpMethod: request.method,
      path: stage === '$default' ? path : `/${stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: resource,
      stage,
      identity: { sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      ...(claims ? { authorizer: { claims: api.kind === 'REST' ? restClaims(claims) : httpClaims(claims) } } : {}),
    },
    ...bodyOf(request),
  };
}

/** HTTP APIs hand claims to the function as strings, arrays flattened as "[a b]". */
function httpClaims(claims: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims))
    out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** A REST API's Cognito authorizer: strings too, arrays comma-joined, exp and iat as dates. */
function restClaims(claims: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if ((k === 'exp' || k === 'iat') && typeof v === 'number') out[k] = javaDate(v);
    else out[k] = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

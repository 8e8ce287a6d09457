// HTTP APIs and REST APIs on the edge: /apis/<apiId>/<stage>/<path> (no stage segment for an
// HTTP API's $default stage, as in the AWS invoke URL) matched to routes as API Gateway does,
// invoking local functions with the proxy event shapes (payload 2.0 and 1.0), with JWT/Cognito
// auth, scopes and CORS, and API Gateway's status codes and bodies for what it refuses.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { LambdaService } from '../lambda/service.js';
import { TokenRejected, type LocalIssuer } from './issuer.js';
import { providerUrlOfArn, TokenRequestError } from './user-pools.js';
import { isObject } from '../../json.js';
import { jsonBody, sendJson } from '../request.js';

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

/**
 * A REST API's CORS as SAM's `Cors` builds it: OPTIONS methods answered by a mock integration
 * with these literal header values; other responses get only what the function returns.
 */
export interface RestCorsConfig {
  allowOrigin: string;
  /** Default: the methods of the path, plus OPTIONS. */
  allowMethods?: string;
  allowHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
  /** The authorizer SAM puts on the OPTIONS methods (AddDefaultAuthorizerToCorsPreflight). */
  authorizer?: string;
}

export type AuthorizerConfig =
  /** HTTP APIs: any OIDC issuer; a deployed user pool's ProviderURL, or else emulated by the local issuer. */
  | { type: 'JWT'; issuer: string; audience?: string[]; identitySource?: string }
  /** REST APIs: tokens of these user pools (ProviderARNs). */
  | { type: 'COGNITO_USER_POOLS'; providerArns: string[]; identitySource?: string };

export interface RouteConfig {
  method: string;
  path: string;
  functionArn: string;
  /** An authorizer's name, 'NONE', or undefined for the API's default authorizer. */
  authorizer?: string;
  /** The token must carry one of these scopes. */
  authorizationScopes?: string[];
  payloadFormatVersion?: '1.0' | '2.0';
}

export interface ApiConfig {
  apiId: string;
  name: string;
  kind: 'HTTP' | 'REST';
  /** REST: 'Prod' unless set; HTTP: '$default' unless set. A stage other than $default is the first path segment. */
  stage?: string;
  /** HTTP APIs' CorsConfiguration, applied by API Gateway to preflights and responses. */
  cors?: CorsConfig;
  restCors?: RestCorsConfig;
  authorizers?: Record<string, AuthorizerConfig>;
  defaultAuthorizer?: string;
  routes: RouteConfig[];
}

type Verdict =
  { claims: JWTPayload | undefined } | { status: number; message: string; headers?: Record<string, string> };

interface CompiledRoute {
  route: RouteConfig;
  regex: RegExp | undefined;
  names: string[];
  /** 0 exact, 1 parameterised, 2 greedy, 3 $default: lower wins. */
  rank: number;
  segments: number;
}

interface Match {
  compiled: CompiledRoute;
  params: Record<string, string>;
}

const API_PATH = /^\/apis\/([^/]+)(\/.*)?$/;
const JWKS_PATH = '/_presso/issuer/.well-known/jwks.json';
const TOKEN_PATH = '/_presso/token';
const ACCOUNT = '000000000000';

function compile(route: RouteConfig): CompiledRoute {
  if (route.path === '$default') return { route, regex: undefined, names: [], rank: 3, segments: 0 };
  const names: string[] = [];
  let rank = 0;
  const parts = route.path.split('/').filter((s) => s !== '');
  const source = parts
    .map((part) => {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy) {
        names.push(greedy[1]!);
        rank = 2;
        return '(?:/(.+))';
      }
      const param = /^\{(.+)\}$/.exec(part);
      if (param) {
        names.push(param[1]!);
        rank = Math.max(rank, 1);
        return '/([^/]+)';
      }
      return '/' + part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { route, regex: new RegExp(`^${source || '/'}/?$`), names, rank, segments: parts.length };
}

function singleHeaders(headers: EdgeRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** An allowed origin may be `*` or end in `*` (`https://*`), as in an HTTP API's allowOrigins. */
function originAllowed(allowed: string[], origin: string): boolean {
  return allowed.some((a) => a === '*' || a === origin || (a.endsWith('*') && origin.startsWith(a.slice(0, -1))));
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

export class HttpApisService implements PathService {
  readonly name = 'apis';
  private readonly apis = new Map<string, { config: ApiConfig; routes: CompiledRoute[] }>();

  constructor(
    private readonly lambda: LambdaService,
    private readonly issuer: LocalIssuer,
  ) {}

  /** The API's local invoke URL: the AWS one with `https://<apiId>.execute-api.<region>.amazonaws.com` replaced by `<edge>/apis/<apiId>`. */
  baseUrl(edgeUrl: string, apiId: string): string {
    const config = this.apis.get(apiId)?.config;
    const stage = config ? stageOf(config) : '$default';
    return `${edgeUrl}/apis/${apiId}${stage === '$default' ? '' : `/${stage}`}`;
  }

  registerApi(config: ApiConfig): void {
    const routes = config.routes.map(compile).sort((a, b) => a.rank - b.rank || b.segments - a.segments);
    this.apis.set(config.apiId, { config, routes });
  }

  removeApi(apiId: string): boolean {
    return this.apis.delete(apiId);
  }

  hasApi(apiId: string): boolean {
    return this.apis.has(apiId);
  }

  listApis(): ApiConfig[] {
    return [...this.apis.values()].map((a) => a.config);
  }

  accepts(request: EdgeRequest): boolean {
    return API_PATH.test(request.path) || request.path === JWKS_PATH || request.path === TOKEN_PATH;
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    if (request.path === JWKS_PATH) {
      await this.issuer.start();
      return sendJson(response, 200, this.issuer.jwks());
    }
    if (request.path === TOKEN_PATH) return this.token(request, response);
    const [, apiId, rest] = API_PATH.exec(request.path)!;
    const api = this.apis.get(apiId!);
    if (!api) return sendJson(response, 404, { message: 'Not Found' });
    const { config } = api;
    const isRest = config.kind === 'REST';
    const fullPath = rest ?? '/';
    const path = stripStage(fullPath, stageOf(config));
    // A REST API answers a path outside its stages as CloudFront does, an HTTP API with its 404.
    if (path === undefined)
      return isRest
        ? sendJson(response, 403, { message: 'Forbidden' })
        : sendJson(response, 404, { message: 'Not Found' });
    const cors = isRest ? undefined : config.cors;
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    const corsHeaders = cors && origin ? this.corsHeaders(cors, origin) : {};
    // An HTTP API answers preflights itself when CORS is configured, before any route or authorizer.
    if (cors && request.method === 'OPTIONS' && origin && request.headers['access-control-request-method']) {
      const preflight: Record<string, string> = { ...corsHeaders };
      if (Object.keys(corsHeaders).length > 0) {
        if (cors.allowMethods) preflight['access-control-allow-methods'] = cors.allowMethods.join(',');
        if (cors.allowHeaders) preflight['access-control-allow-headers'] = cors.allowHeaders.join(',');
        if (cors.maxAge !== undefined) preflight['access-control-max-age'] = String(cors.maxAge);
      }
      response.writeHead(204, preflight);
      return void response.end();
    }
    const match = this.match(api.routes, request.method, path);
    // SAM's Cors adds an OPTIONS method to every path that has none, and a method beats ANY.
    if (
      isRest &&
      request.method === 'OPTIONS' &&
      config.restCors &&
      match?.compiled.route.method.toUpperCase() !== 'OPTIONS'
    ) {
      return this.restPreflight(config, config.restCors, api.routes, path, request, response);
    }
    if (!match) {
      // REST APIs answer an unknown resource or method with 403, not 404.
      return isRest
        ? sendJson(response, 403, { message: 'Missing Authentication Token' })
        : sendJson(response, 404, { message: 'Not Found' }, corsHeaders);
    }
    const { route } = match.compiled;
    const verdict = await this.authorize(config, route.authorizer, route.authorizationScopes, request);
    if ('status' in verdict)
      return sendJson(response, verdict.status, { message: verdict.message }, { ...corsHeaders, ...verdict.headers });
    const version = route.payloadFormatVersion ?? (isRest ? '1.0' : '2.0');
    const event =
      version === '2.0'
        ? this.eventV2(config, match, request, fullPath, verdict.claims)
        : this.eventV1(config, match, request, path, verdict.claims);
    const fn = this.lambda.get(route.functionArn);
    if (!fn) return this.integrationError(response, isRest, corsHeaders);
    const result = await fn.invoke(event);
    // A function error is a 502 on REST APIs, a 500 on HTTP APIs.
    if (!result.ok)
      return isRest
        ? sendJson(response, 502, { message: 'Internal server error' })
        : this.integrationError(response, isRest, corsHeaders);
    this.respond(response, version, result.payload, corsHeaders, cors !== undefined);
  }

  private integrationError(response: ServerResponse, isRest: boolean, corsHeaders: Record<string, string>): void {
    if (isRest) return sendJson(response, 500, { message: 'Internal server error' });
    sendJson(response, 500, { message: 'Internal Server Error' }, corsHeaders);
  }

  /** The OPTIONS method SAM's Cors adds to every path of a REST API: a mock answering 200 with the configured headers. */
  private async restPreflight(
    config: ApiConfig,
    cors: RestCorsConfig,
    routes: CompiledRoute[],
    path: string,
    request: EdgeRequest,
    response: ServerResponse,
  ): Promise<void> {
    const onPath = routes.filter((c) => (c.regex ? c.regex.test(path) : false));
    if (onPath.length === 0) return sendJson(response, 403, { message: 'Missing Authentication Token' });
    if (cors.authorizer) {
      const verdict = await this.authorize(config, cors.authorizer, undefined, request);
      if ('status' in verdict) return sendJson(response, verdict.status, { message: verdict.message }, verdict.headers);
    }
    // SAM lists the methods of the path's resource (the most specific one that matches).
    const best = onPath[0]!;
    const methods = new Set(['OPTIONS']);
    for (const c of onPath) {
      if (c.rank !== best.rank || c.segments !== best.segments || c.route.path !== best.route.path) continue;
      const method = c.route.method.toUpperCase();
      for (const m of method === 'ANY' ? ALL_METHODS : [method]) methods.add(m);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': '0',
      'access-control-allow-origin': cors.allowOrigin,
      'access-control-allow-methods': cors.allowMethods ?? [...methods].sort().join(','),
    };
    if (cors.allowHeaders) headers['access-control-allow-headers'] = cors.allowHeaders;
    if (cors.maxAge) headers['access-control-max-age'] = cors.maxAge;
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    response.writeHead(200, headers);
    response.end();
  }

  private async token(request: EdgeRequest, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, { message: 'Method Not Allowed' });
    let input: Record<string, unknown>;
    try {
      input = jsonBody(request) as Record<string, unknown>;
    } catch {
      return sendJson(response, 400, { message: 'Malformed JSON body' });
    }
    if (typeof input.user !== 'string' || input.user === '')
      return sendJson(response, 400, { message: 'user is required' });
    const text = (key: string) =>
      typeof input[key] === 'string' && input[key] !== '' ? { [key]: input[key] as string } : {};
    const list = (key: string) => (Array.isArray(input[key]) ? { [key]: (input[key] as unknown[]).map(String) } : {});
    try {
      const options = this.issuer.pools.tokenOptions({
        user: input.user,
        ...list('groups'),
        ...list('scopes'),
        ...text('userPool'),
        ...text('client'),
        ...text('audience'),
        ...text('issuer'),
      });
      sendJson(response, 200, { token: await this.issuer.mint(options) });
    } catch (e) {
      if (e instanceof TokenRequestError) return sendJson(response, 400, { message: e.message });
      throw e;
    }
  }

  private corsHeaders(cors: CorsConfig, origin: string): Record<string, string> {
    if (!originAllowed(cors.allowOrigins, origin)) return {};
    const headers: Record<string, string> = {
      // With credentials the browser refuses "*", so the request's origin is echoed.
      'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin,
    };
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    if (cors.exposeHeaders) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
    return headers;
  }

  private match(routes: CompiledRoute[], method: string, path: string): Match | undefined {
    const candidates: Match[] = [];
    for (const compiled of routes) {
      const m = compiled.regex ? compiled.regex.exec(path) : [path];
      if (!m) continue;
      const params: Record<string, string> = {};
      compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      candidates.push({ compiled, params });
    }
    // Routes are ordered by specificity; within the first specificity that matches, a method wins over ANY.
    for (const c of candidates) {
      const rank = c.compiled.rank;
      const same = candidates.filter((o) => o.compiled.rank === rank && o.compiled.segments === c.compiled.segments);
      const exact = same.find((o) => o.compiled.route.method.toUpperCase() === method.toUpperCase());
      const any = same.find((o) => o.compiled.route.method.toUpperCase() === 'ANY');
      if (exact ?? any) return exact ?? any;
    }
    return undefined;
  }

  /** Runs the route's authorizer (its own, else the API's default); answers as API Gateway does when it refuses. */
  private async authorize(
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

  private body(request: EdgeRequest): { body: string | null; isBase64Encoded: boolean } {
    if (request.body.length === 0) return { body: null, isBase64Encoded: false };
    const contentType =
      typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined;
    return isText(contentType)
      ? { body: request.body.toString('utf8'), isBase64Encoded: false }
      : { body: request.body.toString('base64'), isBase64Encoded: true };
  }

  /** Payload 2.0; rawPath and http.path keep a named stage's segment, as on AWS. */
  private eventV2(
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
        ...(claims ? { authorizer: { jwt: { claims: this.httpClaims(claims), scopes } } } : {}),
      },
      ...this.body(request),
    };
  }

  private eventV1(
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
        ...(claims
          ? { authorizer: { claims: api.kind === 'REST' ? this.restClaims(claims) : this.httpClaims(claims) } }
          : {}),
      },
      ...this.body(request),
    };
  }

  /** HTTP APIs hand claims to the function as strings, arrays flattened as "[a b]". */
  private httpClaims(claims: JWTPayload): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(claims))
      out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v);
    return out;
  }

  /** A REST API's Cognito authorizer: strings too, arrays comma-joined, exp and iat as dates. */
  private restClaims(claims: JWTPayload): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(claims)) {
      if ((k === 'exp' || k === 'iat') && typeof v === 'number') out[k] = javaDate(v);
      else out[k] = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v);
    }
    return out;
  }

  private respond(
    response: ServerResponse,
    version: '1.0' | '2.0',
    payload: unknown,
    corsHeaders: Record<string, string>,
    managedCors: boolean,
  ): void {
    const structured = isObject(payload) && 'statusCode' in payload;
    if (!structured) {
      if (version === '1.0') return sendJson(response, 502, { message: 'Internal server error' }, corsHeaders);
      // Payload 2.0 treats anything without statusCode as a 200 JSON body.
      return sendJson(response, 200, payload ?? null, corsHeaders);
    }
    const p = payload as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      multiValueHeaders?: Record<string, unknown[]>;
      body?: unknown;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const status = Number(p.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599)
      return sendJson(response, 502, { message: 'Internal server error' }, corsHeaders);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(p.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(p.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String);
    // With CORS configured, an HTTP API ignores the CORS headers the function returns.
    if (managedCors) for (const k of Object.keys(headers)) if (k.startsWith('access-control-')) delete headers[k];
    Object.assign(headers, corsHeaders);
    if (Array.isArray(p.cookies) && p.cookies.length > 0) headers['set-cookie'] = p.cookies.map(String);
    const text =
      p.body === undefined || p.body === null ? '' : typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
    const buffer = p.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    if (!headers['content-type'] && version === '2.0') headers['content-type'] = 'application/json';
    headers['content-length'] = String(buffer.length);
    response.writeHead(status, headers);
    response.end(buffer);
  }
}

function stageOf(api: ApiConfig): string {
  return api.stage ?? (api.kind === 'REST' ? 'Prod' : '$default');
}

/** The path after the stage segment; undefined when the path is not under the stage. */
function stripStage(path: string, stage: string): string | undefined {
  if (stage === '$default') return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

function scopesOf(claims: JWTPayload): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
}

// HTTP APIs and REST APIs on the edge: /apis/<apiId>/<path> matched to routes as API Gateway does,
// invoking local functions with the proxy event shapes (payload 2.0 and 1.0), with JWT/Cognito auth and CORS.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { LambdaService } from '../lambda/service.js';
import type { LocalIssuer } from './issuer.js';

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

export type AuthorizerConfig =
  | { type: 'JWT'; issuer: string; audience?: string[]; identitySource?: string }
  | { type: 'COGNITO_USER_POOLS'; issuer: string };

export interface RouteConfig {
  method: string;
  path: string;
  functionArn: string;
  authorizer?: string;
  payloadFormatVersion?: '1.0' | '2.0';
}

export interface ApiConfig {
  apiId: string;
  name: string;
  kind: 'HTTP' | 'REST';
  stage?: string;
  cors?: CorsConfig;
  authorizers?: Record<string, AuthorizerConfig>;
  defaultAuthorizer?: string;
  routes: RouteConfig[];
}

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

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function singleHeaders(headers: EdgeRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function isText(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript))/.test(contentType) || contentType.includes('+json');
}

export class HttpApisService implements PathService {
  readonly name = 'apis';
  private readonly apis = new Map<string, { config: ApiConfig; routes: CompiledRoute[] }>();

  constructor(
    private readonly lambda: LambdaService,
    private readonly issuer: LocalIssuer,
  ) {}

  baseUrl(edgeUrl: string, apiId: string): string {
    return `${edgeUrl}/apis/${apiId}`;
  }

  registerApi(config: ApiConfig): void {
    const routes = config.routes.map(compile).sort((a, b) => a.rank - b.rank || b.segments - a.segments);
    this.apis.set(config.apiId, { config, routes });
  }

  removeApi(apiId: string): boolean {
    return this.apis.delete(apiId);
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
      return json(response, 200, this.issuer.jwks());
    }
    if (request.path === TOKEN_PATH) return this.token(request, response);
    const [, apiId, rest] = API_PATH.exec(request.path)!;
    const api = this.apis.get(apiId!);
    if (!api) return json(response, 404, { message: 'Not Found' });
    const path = rest ?? '/';
    const cors = api.config.cors;
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    const corsHeaders = cors && origin ? this.corsHeaders(cors, origin) : {};
    // API Gateway answers preflights itself when CORS is configured, before any route or authorizer.
    if (request.method === 'OPTIONS' && cors && request.headers['access-control-request-method']) {
      const preflight: Record<string, string> = { ...corsHeaders };
      if (Object.keys(corsHeaders).length > 0) {
        preflight['access-control-allow-methods'] = (cors.allowMethods ?? ['*']).join(',');
        if (cors.allowHeaders) preflight['access-control-allow-headers'] = cors.allowHeaders.join(',');
        if (cors.maxAge !== undefined) preflight['access-control-max-age'] = String(cors.maxAge);
      }
      response.writeHead(204, preflight);
      return void response.end();
    }
    const match = this.match(api.routes, request.method, path);
    if (!match) return json(response, 404, { message: 'Not Found' }, corsHeaders);
    const { route } = match.compiled;
    const authorizerName = route.authorizer ?? api.config.defaultAuthorizer;
    let claims: JWTPayload | undefined;
    if (authorizerName && authorizerName !== 'NONE') {
      const authorizer = api.config.authorizers?.[authorizerName];
      claims = authorizer ? await this.authorize(authorizer, request) : undefined;
      if (!claims) return json(response, 401, { message: 'Unauthorized' }, corsHeaders);
    }
    const version = route.payloadFormatVersion ?? (api.config.kind === 'REST' ? '1.0' : '2.0');
    const event = version === '2.0' ? this.eventV2(api.config, match, request, path, claims) : this.eventV1(api.config, match, request, path, claims);
    const fn = this.lambda.get(route.functionArn);
    if (!fn) return json(response, 500, { message: 'Internal Server Error' }, corsHeaders);
    const result = await fn.invoke(event);
    if (!result.ok) return json(response, 500, { message: 'Internal Server Error' }, corsHeaders);
    this.respond(response, version, result.payload, corsHeaders);
  }

  private async token(request: EdgeRequest, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return json(response, 405, { message: 'Method Not Allowed' });
    let input: { user?: unknown; groups?: unknown; audience?: unknown; issuer?: unknown };
    try {
      input = JSON.parse(request.body.toString('utf8') || '{}') as typeof input;
    } catch {
      return json(response, 400, { message: 'Malformed JSON body' });
    }
    if (typeof input.user !== 'string' || input.user === '') return json(response, 400, { message: 'user is required' });
    const groups = Array.isArray(input.groups) ? input.groups.map(String) : [];
    const token = await this.issuer.mint({
      user: input.user,
      groups,
      ...(typeof input.audience === 'string' ? { audience: input.audience } : {}),
      ...(typeof input.issuer === 'string' ? { issuer: input.issuer } : {}),
    });
    json(response, 200, { token });
  }

  private corsHeaders(cors: CorsConfig, origin: string): Record<string, string> {
    const allowed = cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin);
    if (!allowed) return {};
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

  private async authorize(authorizer: AuthorizerConfig, request: EdgeRequest): Promise<JWTPayload | undefined> {
    const source = authorizer.type === 'JWT' ? (authorizer.identitySource ?? '$request.header.Authorization') : '$request.header.Authorization';
    const headerName = /^\$?(?:request|method\.request)\.header\.(.+)$/.exec(source)?.[1]?.toLowerCase() ?? 'authorization';
    const raw = request.headers[headerName];
    if (typeof raw !== 'string' || raw === '') return undefined;
    const token = raw.replace(/^Bearer\s+/i, '');
    try {
      return await this.issuer.verify(token, {
        // The template's issuer (a Cognito pool URL) is emulated by the local issuer, so both are accepted.
        issuers: [this.issuer.issuer, authorizer.issuer],
        ...(authorizer.type === 'JWT' && authorizer.audience ? { audience: authorizer.audience } : {}),
      });
    } catch {
      return undefined;
    }
  }

  private body(request: EdgeRequest): { body: string | null; isBase64Encoded: boolean } {
    if (request.body.length === 0) return { body: null, isBase64Encoded: false };
    const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined;
    return isText(contentType) ? { body: request.body.toString('utf8'), isBase64Encoded: false } : { body: request.body.toString('base64'), isBase64Encoded: true };
  }

  private eventV2(api: ApiConfig, match: Match, request: EdgeRequest, path: string, claims: JWTPayload | undefined): Record<string, unknown> {
    const headers = singleHeaders(request.headers);
    const now = new Date();
    const stage = api.stage ?? '$default';
    const route = match.compiled.route;
    const routeKey = route.path === '$default' ? '$default' : `${route.method.toUpperCase()} ${route.path}`;
    const query: Record<string, string> = {};
    for (const key of new Set(request.query.keys())) query[key] = request.query.getAll(key).join(',');
    const cookies = headers.cookie?.split(/;\s*/).filter((c) => c !== '');
    const { cookie: _cookie, ...rest } = headers;
    const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : null;
    return {
      version: '2.0',
      routeKey,
      rawPath: path,
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
        http: { method: request.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey,
        stage,
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims: this.stringClaims(claims), scopes } } } : {}),
      },
      ...this.body(request),
    };
  }

  private eventV1(api: ApiConfig, match: Match, request: EdgeRequest, path: string, claims: JWTPayload | undefined): Record<string, unknown> {
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
    const stage = api.stage ?? (api.kind === 'REST' ? 'Prod' : '$default');
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
        path: `/${stage}${path}`,
        protocol: 'HTTP/1.1',
        requestId: randomUUID(),
        requestTime: now.toUTCString(),
        requestTimeEpoch: now.getTime(),
        resourceId: 'local',
        resourcePath: resource,
        stage,
        identity: { sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        ...(claims ? { authorizer: { claims: this.stringClaims(claims) } } : {}),
      },
      ...this.body(request),
    };
  }

  /** API Gateway hands claims to the function as strings (arrays flattened as "[a b]"). */
  private stringClaims(claims: JWTPayload): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(claims)) out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v);
    return out;
  }

  private respond(response: ServerResponse, version: '1.0' | '2.0', payload: unknown, corsHeaders: Record<string, string>): void {
    const structured = typeof payload === 'object' && payload !== null && !Array.isArray(payload) && 'statusCode' in payload;
    if (!structured) {
      if (version === '1.0') return json(response, 502, { message: 'Internal server error' }, corsHeaders);
      // Payload 2.0 treats anything without statusCode as a 200 JSON body.
      return json(response, 200, payload ?? null, corsHeaders);
    }
    const p = payload as { statusCode: unknown; headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]>; body?: unknown; isBase64Encoded?: boolean; cookies?: string[] };
    const status = Number(p.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) return json(response, 502, { message: 'Internal server error' }, corsHeaders);
    const headers: Record<string, string | string[]> = { ...corsHeaders };
    for (const [k, v] of Object.entries(p.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(p.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String);
    if (Array.isArray(p.cookies) && p.cookies.length > 0) headers['set-cookie'] = p.cookies.map(String);
    const text = p.body === undefined || p.body === null ? '' : typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
    const buffer = p.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    if (!headers['content-type'] && version === '2.0') headers['content-type'] = 'application/json';
    headers['content-length'] = String(buffer.length);
    response.writeHead(status, headers);
    response.end(buffer);
  }
}

// HTTP APIs and REST APIs on the edge: /apis/<apiId>/<stage>/<path> (no stage segment for an
// HTTP API's $default stage, as in the AWS invoke URL) matched to routes as API Gateway does,
// invoking local functions with the proxy event shapes (payload 2.0 and 1.0), with JWT/Cognito
// auth, scopes and CORS, and API Gateway's status codes and bodies for what it refuses. This file
// routes a request through them; model.ts (what an API is), routes.ts (matching), cors.ts,
// authorizers.ts, proxy-events.ts and proxy-response.ts (what goes to and comes from the function)
// hold each concern.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { LambdaService } from '../lambda/service.js';
import { jsonBody, sendJson } from '../request.js';
import { Authorizers } from './authorizers.js';
import { corsHeaders as corsHeadersFor, preflightHeaders, restPreflightHeaders } from './cors.js';
import type { LocalIssuer, MintOptions } from './issuer.js';
import { stageOf, stripStage, type ApiConfig, type RestCorsConfig } from './model.js';
import { eventV1, eventV2 } from './proxy-events.js';
import { respond } from './proxy-response.js';
import { compileRoutes, matchRoute, type CompiledRoute } from './routes.js';
import type { UserDirectory } from '../cognito/users.js';
import { TokenRequestError } from './user-pools.js';

export type { ApiConfig, AuthorizerConfig, CorsConfig, RestCorsConfig, RouteConfig } from './model.js';

const API_PATH = /^\/apis\/([^/]+)(\/.*)?$/;
const JWKS_PATH = '/_presso/issuer/.well-known/jwks.json';
const TOKEN_PATH = '/_presso/token';

export class HttpApisService implements PathService {
  readonly name = 'apis';
  private readonly apis = new Map<string, { config: ApiConfig; routes: CompiledRoute[] }>();

  private readonly authorizers: Authorizers;
  /** Requests that reached an API (what API Gateway bills), by kind: HTTP APIs and REST APIs. */
  readonly requests = { http: 0, rest: 0 };

  /**
   * Whether API Gateway may invoke a route's function (its resource policy for
   * apigateway.amazonaws.com): AWS's refusal when it may not, and the route answers 500 as AWS does.
   */
  invokePermission:
    | ((functionArn: string, apiId: string, stage: string, method: string, routePath: string) => string | undefined)
    | undefined;

  constructor(
    private readonly lambda: LambdaService,
    private readonly issuer: LocalIssuer,
    /** The user pools' users: `presso token` for a registered user carries their sub, email and groups. */
    private readonly users?: UserDirectory,
  ) {
    this.authorizers = new Authorizers(issuer);
  }

  /** The API's local invoke URL: the AWS one with `https://<apiId>.execute-api.<region>.amazonaws.com` replaced by `<edge>/apis/<apiId>`. */
  baseUrl(edgeUrl: string, apiId: string): string {
    const config = this.apis.get(apiId)?.config;
    const stage = config ? stageOf(config) : '$default';
    return `${edgeUrl}/apis/${apiId}${stage === '$default' ? '' : `/${stage}`}`;
  }

  registerApi(config: ApiConfig): void {
    const routes = compileRoutes(config.routes);
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
    this.requests[config.kind === 'REST' ? 'rest' : 'http']++;
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
    const corsHeaders = cors && origin ? corsHeadersFor(cors, origin) : {};
    // An HTTP API answers preflights itself when CORS is configured, before any route or authorizer.
    if (cors && request.method === 'OPTIONS' && origin && request.headers['access-control-request-method']) {
      response.writeHead(204, preflightHeaders(cors, corsHeaders));
      return void response.end();
    }
    const match = matchRoute(api.routes, request.method, path);
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
    const verdict = await this.authorizers.authorize(config, route.authorizer, route.authorizationScopes, request);
    if ('status' in verdict)
      return sendJson(response, verdict.status, { message: verdict.message }, { ...corsHeaders, ...verdict.headers });
    const version = route.payloadFormatVersion ?? (isRest ? '1.0' : '2.0');
    const event =
      version === '2.0'
        ? eventV2(config, match, request, fullPath, verdict.claims)
        : eventV1(config, match, request, path, verdict.claims);
    const fn = this.lambda.get(route.functionArn);
    if (!fn) return this.integrationError(response, isRest, corsHeaders);
    // API Gateway invokes the function only when its resource policy allows it (IAM).
    if (this.invokePermission?.(fn.arn, config.apiId, stageOf(config), request.method, route.path))
      return this.integrationError(response, isRest, corsHeaders);
    const result = await fn.invoke(event);
    // A function error is a 502 on REST APIs, a 500 on HTTP APIs.
    if (!result.ok)
      return isRest
        ? sendJson(response, 502, { message: 'Internal server error' })
        : this.integrationError(response, isRest, corsHeaders);
    respond(response, version, result.payload, corsHeaders, cors !== undefined);
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
      const verdict = await this.authorizers.authorize(config, cors.authorizer, undefined, request);
      if ('status' in verdict) return sendJson(response, verdict.status, { message: verdict.message }, verdict.headers);
    }
    response.writeHead(200, restPreflightHeaders(cors, onPath));
    response.end();
  }

  /**
   * A token for a user who signed up in the pool is theirs: their sub, username and email, and their
   * groups unless the request names groups. Anyone else gets a sub derived from the name, as before.
   */
  private asRegistered(options: MintOptions, groupsGiven: boolean): MintOptions {
    const pool = options.issuer ? this.issuer.pools.byProviderUrl(options.issuer) : undefined;
    const user = pool ? this.users?.find(pool.id, options.user) : undefined;
    if (!user) return options;
    const groups = groupsGiven ? (options.groups ?? []) : user.groups;
    const { groups: _dropped, ...rest } = options;
    void _dropped;
    return {
      ...rest,
      user: user.username,
      sub: user.sub,
      email: user.email,
      emailVerified: user.emailVerified,
      ...(groups.length > 0 ? { groups } : {}),
    };
  }

  private async token(request: EdgeRequest, response: ServerResponse): Promise<void> {
    /**
     * An ID token of a user pool stands for a confirmed user of it: in a pool whose username is the
     * email, Cognito's ID tokens carry email and email_verified. The request's email (else the user
     * when it is an address, else <user>@example.com) and emailVerified (default true) say which.
     */
    const withEmail = (options: MintOptions, input: Record<string, unknown>): MintOptions => {
      if (options.scopes?.length || !options.issuer || !this.issuer.pools.byProviderUrl(options.issuer)) return options;
      const email =
        typeof input.email === 'string' && input.email !== ''
          ? input.email
          : options.user.includes('@')
            ? options.user
            : `${options.user}@example.com`;
      return { ...options, email: email.toLowerCase(), emailVerified: input.emailVerified !== false };
    };
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
      sendJson(response, 200, {
        token: await this.issuer.mint(
          this.asRegistered(withEmail(options, input), Array.isArray(input.groups) && input.groups.length > 0),
        ),
      });
    } catch (e) {
      if (e instanceof TokenRequestError) return sendJson(response, 400, { message: e.message });
      throw e;
    }
  }
}

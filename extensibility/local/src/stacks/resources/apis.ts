// AWS::Serverless::HttpApi and AWS::Serverless::Api, written or implicit (ServerlessHttpApi /
// ServerlessRestApi): the API with every route the template's functions declare in HttpApi / Api
// events, their authorizers, CORS and stage, served by the HTTP APIs service under the edge.
// An API deploys before the functions that use it (they depend on it), so its routes are read from
// the loaded template, not from the functions as they deploy: a route names its function by ARN,
// and the service finds the function when a request comes.
import { isDeepStrictEqual } from 'node:util';
import type {
  ApiConfig,
  AuthorizerConfig,
  CorsConfig,
  HttpApisService,
  RestCorsConfig,
  RouteConfig,
} from '../../services/apis/service.js';
import {
  defaultResourceResolver,
  type LoadedResource,
  type LoadedTemplate,
  type SamApiEvent,
} from '../template/index.js';
import { partitionOf } from '../template/resolver.js';
import { DeployError, type DeployContext, type ResourceHandler, type StackApi } from '../model.js';
import { isObject } from '../../json.js';
import { APIGATEWAY_PRINCIPAL } from '../../iam/deliveries.js';
import type { Iam } from '../../iam/iam.js';

export const API_TYPES = ['AWS::Serverless::HttpApi', 'AWS::Serverless::Api'] as const;

export interface ApiPlan {
  config: ApiConfig;
  /** What the template asks for that is not emulated locally (logged, never dropped in silence). */
  warnings: string[];
  /** The function (logical id) behind each route, by route key. */
  functions: Record<string, string>;
}

type Props = Record<string, unknown>;

/** The API as the template declares it, its routes collected from every function's events. Throws DeployError. */
export function apiConfigOf(resource: LoadedResource, template: LoadedTemplate): ApiPlan {
  const kind = resource.type === 'AWS::Serverless::HttpApi' ? 'HTTP' : 'REST';
  const fail = (property: string | undefined, message: string, logicalId = resource.logicalId): never => {
    throw new DeployError(template.file, logicalId, property, message);
  };
  const p = resource.properties;
  const warnings: string[] = [];
  for (const key of ['DefinitionBody', 'DefinitionUri']) {
    if (p[key] !== undefined)
      warnings.push(
        `${key} is not read locally: only the routes of functions' ${kind === 'HTTP' ? 'HttpApi' : 'Api'} events are served`,
      );
  }
  const stage = p.StageName ?? (kind === 'HTTP' ? '$default' : undefined);
  if (typeof stage !== 'string' || stage === '')
    fail(
      'StageName',
      kind === 'REST' ? 'StageName is required for an AWS::Serverless::Api' : 'StageName must be a string',
    );
  const config: ApiConfig = {
    apiId: resource.physicalId,
    name: typeof p.Name === 'string' ? p.Name : template.stackName,
    kind,
    stage: stage as string,
    routes: [],
  };

  const auth = p.Auth === undefined ? {} : isObject(p.Auth) ? p.Auth : fail('Auth', 'must be a map');
  const authorizers: Record<string, AuthorizerConfig> = {};
  const authorizerScopes: Record<string, string[] | undefined> = {};
  const declared =
    auth.Authorizers === undefined
      ? {}
      : isObject(auth.Authorizers)
        ? auth.Authorizers
        : fail('Auth.Authorizers', 'must be a map of authorizer names to authorizers');
  for (const [name, a] of Object.entries(declared)) {
    const at = `Auth.Authorizers.${name}`;
    if (!isObject(a)) fail(at, 'must be a map');
    const spec = a as Props;
    if (spec.FunctionArn !== undefined)
      fail(
        at,
        `Lambda authorizers are not emulated locally; use ${kind === 'HTTP' ? 'a JWT authorizer (JwtConfiguration)' : 'a Cognito authorizer (UserPoolArn)'}`,
      );
    authorizerScopes[name] = stringList(spec.AuthorizationScopes, `${at}.AuthorizationScopes`, fail);
    authorizers[name] = kind === 'HTTP' ? jwtAuthorizer(spec, at, fail) : cognitoAuthorizer(spec, at, fail);
  }
  const defaultAuthorizer = auth.DefaultAuthorizer;
  if (defaultAuthorizer !== undefined) {
    if (defaultAuthorizer === 'AWS_IAM')
      fail('Auth.DefaultAuthorizer', 'IAM authorization (AWS_IAM) is not emulated locally');
    if (typeof defaultAuthorizer !== 'string' || !authorizers[defaultAuthorizer]) {
      fail(
        'Auth.DefaultAuthorizer',
        `Unable to set DefaultAuthorizer because '${String(defaultAuthorizer)}' was not defined in 'Authorizers'.`,
      );
    }
    config.defaultAuthorizer = defaultAuthorizer as string;
  }
  if (config.defaultAuthorizer === undefined) delete config.defaultAuthorizer;
  if (Object.keys(authorizers).length > 0) config.authorizers = authorizers;
  if (kind === 'REST') {
    for (const key of ['ApiKeyRequired', 'ResourcePolicy', 'UsagePlan'])
      if (auth[key] !== undefined) warnings.push(`Auth.${key} is not enforced locally`);
  }

  if (kind === 'HTTP' && p.CorsConfiguration !== undefined && p.CorsConfiguration !== false)
    config.cors = httpCors(p.CorsConfiguration, fail);
  if (kind === 'REST' && p.Cors !== undefined) {
    config.restCors = restCors(p.Cors, fail);
    // SAM puts the default authorizer on the OPTIONS methods it adds, unless told not to.
    if (
      config.defaultAuthorizer &&
      auth.AddDefaultAuthorizerToCorsPreflight !== false &&
      auth.AddDefaultAuthorizerToCorsPreflight !== 'false'
    ) {
      config.restCors.authorizer = config.defaultAuthorizer;
    }
  }

  const resolver = defaultResourceResolver({
    stackName: template.stackName,
    region: template.region,
    accountId: template.accountId,
  });
  const functions: Record<string, string> = {};
  const eventKind = kind === 'HTTP' ? 'httpApi' : 'api';
  for (const fn of template.resources) {
    for (const event of fn.sam?.events ?? []) {
      if (event.kind !== eventKind || (event as SamApiEvent).api !== resource.logicalId) continue;
      const e = event as SamApiEvent;
      const at = `Events.${e.name}`;
      if (fn.type !== 'AWS::Serverless::Function') {
        warnings.push(`${fn.logicalId}.${at}: ${e.type} events of ${fn.type} are not emulated locally`);
        continue;
      }
      const route: RouteConfig = {
        method: e.method,
        path: e.path,
        functionArn: resolver.getAtt(fn.logicalId, 'Arn', fn) as string,
      };
      if (e.path !== '$default' && !e.path.startsWith('/'))
        fail(`${at}.Properties.Path`, `a path must start with /, got '${e.path}'`, fn.logicalId);
      if (e.payloadFormatVersion !== undefined) {
        if (e.payloadFormatVersion !== '1.0' && e.payloadFormatVersion !== '2.0')
          fail(
            `${at}.Properties.PayloadFormatVersion`,
            `must be 1.0 or 2.0, got '${e.payloadFormatVersion}'`,
            fn.logicalId,
          );
        route.payloadFormatVersion = e.payloadFormatVersion as '1.0' | '2.0';
      }
      const routeAuth =
        e.auth === undefined
          ? {}
          : isObject(e.auth)
            ? e.auth
            : fail(`${at}.Properties.Auth`, 'must be a map', fn.logicalId);
      const authorizer = routeAuth.Authorizer;
      if (authorizer !== undefined) {
        if (authorizer === 'AWS_IAM')
          fail(`${at}.Properties.Auth.Authorizer`, 'IAM authorization (AWS_IAM) is not emulated locally', fn.logicalId);
        if (typeof authorizer !== 'string' || (authorizer !== 'NONE' && !authorizers[authorizer])) {
          const why =
            Object.keys(authorizers).length === 0
              ? 'the related API does not define any Authorizers'
              : "it wasn't defined in the API's Authorizers";
          fail(
            `${at}.Properties.Auth.Authorizer`,
            `Unable to set Authorizer [${String(authorizer)}] on API method [${e.method.toLowerCase()}] for path [${e.path}] because ${why}.`,
            fn.logicalId,
          );
        }
        route.authorizer = authorizer as string;
      }
      if (kind === 'REST' && routeAuth.ApiKeyRequired !== undefined)
        warnings.push(`${fn.logicalId}.${at}: Auth.ApiKeyRequired is not enforced locally`);
      const effective = route.authorizer ?? config.defaultAuthorizer;
      const scopes =
        stringList(routeAuth.AuthorizationScopes, `${at}.Properties.Auth.AuthorizationScopes`, (prop, message) =>
          fail(prop, message, fn.logicalId),
        ) ?? (effective && effective !== 'NONE' ? authorizerScopes[effective] : undefined);
      if (scopes && scopes.length > 0) route.authorizationScopes = scopes;
      const key = routeKey(route);
      if (functions[key])
        fail(
          `${at}.Properties`,
          `route ${key} is declared twice on ${resource.logicalId} (also by ${functions[key]})`,
          fn.logicalId,
        );
      functions[key] = fn.logicalId;
      config.routes.push(route);
    }
  }
  return { config, warnings, functions };
}

function routeKey(route: RouteConfig): string {
  return route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
}

type Fail = (property: string | undefined, message: string) => never;

function stringList(value: unknown, at: string, fail: Fail): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) return fail(at, 'must be a list of strings');
  return list as string[];
}

/** HttpApi's OAuth2Authorizer; issuer and audience may be written in either case, as SAM allows. */
function jwtAuthorizer(spec: Props, at: string, fail: Fail): AuthorizerConfig {
  const jwt = spec.JwtConfiguration;
  if (!isObject(jwt)) return fail(at, 'JwtConfiguration (issuer and audience) is required for a JWT authorizer');
  const issuer = jwt.issuer ?? jwt.Issuer;
  if (typeof issuer !== 'string' || issuer === '')
    return fail(`${at}.JwtConfiguration.issuer`, "is required: the token issuer URL (a user pool's ProviderURL)");
  const audience = stringList(jwt.audience ?? jwt.Audience, `${at}.JwtConfiguration.audience`, fail);
  if (!audience || audience.length === 0)
    return fail(
      `${at}.JwtConfiguration.audience`,
      'is required: the accepted aud or client_id values (a user pool client id)',
    );
  const out: AuthorizerConfig = { type: 'JWT', issuer, audience };
  if (spec.IdentitySource !== undefined) {
    if (typeof spec.IdentitySource !== 'string' || !/^\$request\.header\.[^,]+$/.test(spec.IdentitySource)) {
      return fail(
        `${at}.IdentitySource`,
        `only one header ($request.header.<Name>) is supported locally, got ${JSON.stringify(spec.IdentitySource)}`,
      );
    }
    out.identitySource = spec.IdentitySource;
  }
  return out;
}

/** Api's CognitoAuthorizer: UserPoolArn (one or a list) and Identity.Header. */
function cognitoAuthorizer(spec: Props, at: string, fail: Fail): AuthorizerConfig {
  const arns = stringList(spec.UserPoolArn, `${at}.UserPoolArn`, fail);
  if (!arns || arns.length === 0)
    return fail(at, 'UserPoolArn is required for a Cognito authorizer (Lambda authorizers are not emulated locally)');
  for (const arn of arns)
    if (!/^arn:[^:]+:cognito-idp:[^:]+:\d{12}:userpool\/.+$/.test(arn))
      fail(
        `${at}.UserPoolArn`,
        `'${arn}' is not a user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)`,
      );
  const out: AuthorizerConfig = { type: 'COGNITO_USER_POOLS', providerArns: arns };
  const identity = spec.Identity;
  if (isObject(identity) && identity.Header !== undefined) {
    if (typeof identity.Header !== 'string') return fail(`${at}.Identity.Header`, 'must be a header name');
    out.identitySource = `method.request.header.${identity.Header}`;
  }
  return out;
}

/** HttpApi CorsConfiguration: true allows every origin, as SAM translates it. */
function httpCors(value: unknown, fail: Fail): CorsConfig {
  if (value === true || value === 'true') return { allowOrigins: ['*'] };
  if (!isObject(value))
    return fail(
      'CorsConfiguration',
      'must be true or a map (AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials)',
    );
  const list = (key: string) => stringList(value[key], `CorsConfiguration.${key}`, fail);
  const cors: CorsConfig = { allowOrigins: list('AllowOrigins') ?? [] };
  for (const [key, field] of [
    ['AllowMethods', 'allowMethods'],
    ['AllowHeaders', 'allowHeaders'],
    ['ExposeHeaders', 'exposeHeaders'],
  ] as const) {
    const v = list(key);
    if (v) cors[field] = v;
  }
  if (value.MaxAge !== undefined) {
    const maxAge = Number(value.MaxAge);
    if (!Number.isInteger(maxAge)) return fail('CorsConfiguration.MaxAge', 'must be a number of seconds');
    cors.maxAge = maxAge;
  }
  if (value.AllowCredentials === true || value.AllowCredentials === 'true') {
    if (cors.allowOrigins.includes('*') || cors.allowOrigins.length === 0) {
      return fail(
        'CorsConfiguration',
        "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.",
      );
    }
    cors.allowCredentials = true;
  }
  return cors;
}

/** Api Cors: a quoted origin ("'*'"), or a map of quoted header values, as SAM writes them into the mock. */
function restCors(value: unknown, fail: Fail): RestCorsConfig {
  const unquote = (v: string) => v.replace(/^'(.*)'$/s, '$1');
  if (typeof value === 'string') return { allowOrigin: unquote(value) };
  if (!isObject(value))
    return fail(
      'Cors',
      'must be an origin ("\'*\'") or a map (AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials)',
    );
  const text = (key: string) => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return fail(`Cors.${key}`, 'must be a string');
    return unquote(String(v));
  };
  const allowOrigin = text('AllowOrigin');
  if (allowOrigin === undefined) return fail('Cors.AllowOrigin', 'is required');
  const cors: RestCorsConfig = { allowOrigin };
  for (const [key, field] of [
    ['AllowMethods', 'allowMethods'],
    ['AllowHeaders', 'allowHeaders'],
    ['MaxAge', 'maxAge'],
  ] as const) {
    const v = text(key);
    if (v !== undefined) cors[field] = v;
  }
  if (value.AllowCredentials === true || value.AllowCredentials === 'true') {
    if (allowOrigin === '*')
      return fail(
        'Cors',
        "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.",
      );
    cors.allowCredentials = true;
  }
  return cors;
}

/** `https://<apiId>.execute-api.<region>.amazonaws.com`: what a local URL replaces with `<edge>/apis/<apiId>`. */
export function awsApiHost(apiId: string, region: string): string {
  return `https://${apiId}.execute-api.${region}.${partitionOf(region).urlSuffix}`;
}

/** Outputs with every invoke URL of these APIs pointing at the edge instead of AWS. */
export function localOutputs(outputs: Record<string, string>, apis: StackApi[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(outputs)) {
    let local = value;
    for (const api of apis) {
      const host = new URL(api.awsUrl).origin;
      const base = api.stage === '$default' ? api.url : api.url.slice(0, -(api.stage.length + 1));
      local = local.split(host).join(base);
    }
    out[key] = local;
  }
  return out;
}

/**
 * The source ARN of API Gateway's invocation of a route's function, as its permissions name it:
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`, `<apiId>/<stage>/$default`
 * for an HTTP API's default route. SAM writes `*` for the stage, for ANY and for path parameters.
 */
export function executeApiArn(
  account: { region: string; accountId: string },
  apiId: string,
  stage: string,
  method: string,
  path: string,
): string {
  const route = path === '$default' ? '$default' : `${method.toUpperCase()}${path}`;
  return `arn:aws:execute-api:${account.region}:${account.accountId}:${apiId}/${stage}/${route}`;
}

/** The AWS::Lambda::Permission SAM generates for a function's Api/HttpApi event (`<Function><Event>Permission`). */
function samRoutePermission(route: RouteConfig, apiId: string, account: { region: string; accountId: string }) {
  const method = route.method.toUpperCase() === 'ANY' ? '*' : route.method.toUpperCase();
  const path = route.path.replace(/\{[^}]+\}/g, '*');
  return {
    Effect: 'Allow',
    Principal: { Service: APIGATEWAY_PRINCIPAL },
    Action: 'lambda:InvokeFunction',
    Resource: route.functionArn,
    Condition: { ArnLike: { 'AWS:SourceArn': executeApiArn(account, apiId, '*', method, path) } },
  };
}

/** `iam`: the permissions SAM generates beside each route, so that API Gateway may invoke its function. */
export function apiHandler(apis: HttpApisService, edgeUrl: string, iam?: Iam): ResourceHandler {
  /** The route permissions put for each API (stack and logical id): function ARN and policy name. */
  const permissions = new Map<string, Array<{ arn: string; name: string }>>();
  const putPermissions = (resource: LoadedResource, ctx: DeployContext, plan: ApiPlan): void => {
    if (!iam) return;
    const key = `${ctx.template.stackName}#${resource.logicalId}`;
    for (const old of permissions.get(key) ?? []) iam.putResourcePolicy(old.arn, old.name, undefined);
    const put = plan.config.routes.map((route) => {
      const fn = plan.functions[routeKey(route)] ?? resource.logicalId;
      const name = `${ctx.template.stackName}/${resource.logicalId} ${routeKey(route)}`;
      iam.putResourcePolicy(route.functionArn, name, [
        { Sid: `${fn}Permission`, ...samRoutePermission(route, plan.config.apiId, ctx.template) },
      ]);
      return { arn: route.functionArn, name };
    });
    permissions.set(key, put);
  };
  /** Serves the API as the template declares it; a redeploy swaps in the new routes only if they changed. */
  const deploy = (resource: LoadedResource, ctx: DeployContext, update: boolean): void => {
    const plan = apiConfigOf(resource, ctx.template);
    const { config, warnings, functions } = plan;
    putPermissions(resource, ctx, plan);
    if (!update && iam) {
      const key = `${ctx.template.stackName}#${resource.logicalId}`;
      ctx.onDelete(() => {
        for (const old of permissions.get(key) ?? []) iam.putResourcePolicy(old.arn, old.name, undefined);
        permissions.delete(key);
      });
    }
    for (const warning of warnings) ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId}: ${warning}`);
    if (!update) {
      if (apis.hasApi(config.apiId))
        throw new DeployError(
          ctx.template.file,
          resource.logicalId,
          undefined,
          `API ${config.apiId} already exists (another stack owns it).`,
        );
      ctx.onDelete(() => void apis.removeApi(config.apiId));
    }
    if (
      !isDeepStrictEqual(
        apis.listApis().find((a) => a.apiId === config.apiId),
        config,
      )
    )
      apis.registerApi(config);
    const stage = config.stage!;
    const awsUrl = `${awsApiHost(config.apiId, ctx.template.region)}${stage === '$default' ? '' : `/${stage}`}`;
    ctx.addApi({
      logicalId: resource.logicalId,
      type: resource.type,
      apiId: config.apiId,
      kind: config.kind,
      stage,
      url: apis.baseUrl(edgeUrl, config.apiId),
      awsUrl,
      routes: config.routes.map((r) => {
        const key = routeKey(r);
        const authorizer = r.authorizer ?? config.defaultAuthorizer;
        return {
          routeKey: key,
          function: functions[key]!,
          ...(authorizer && authorizer !== 'NONE' ? { authorizer } : {}),
        };
      }),
    });
    ctx.log(
      `[stacks] ${ctx.template.stackName}: ${resource.logicalId} (${config.kind} API) at ${apis.baseUrl(edgeUrl, config.apiId)}`,
    );
  };
  return Object.assign(async (resource: LoadedResource, ctx: DeployContext) => deploy(resource, ctx, false), {
    update: async (resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) =>
      deploy(resource, ctx, true),
    // Its routes are declared by the functions' events, so it is looked at on every redeploy.
    reconcileUnchanged: true,
  });
}

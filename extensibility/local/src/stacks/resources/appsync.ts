// AWS::AppSync::Api (an Event API: EventConfig), AWS::AppSync::ApiKey and
// AWS::AppSync::ChannelNamespace, served by the AppSync Events service on the edge. Properties are
// checked as CloudFormation and AppSync check them; what is not emulated (OIDC and Lambda
// authorization, handlers in S3 or on data sources) fails the deploy rather than open silently.
// A namespace's CodeHandlers are compiled at deploy: code APPSYNC_JS refuses fails with its line.
import { compileHandlers, HandlerCodeError } from '../../services/appsync/handlers.js';
import { AUTH_TYPES, type AuthProvider, type AuthType, type EventApiConfig } from '../../services/appsync/model.js';
import type { EventApisService } from '../../services/appsync/service.js';
import { httpDomain, localBase, realtimeDomain } from '../../services/appsync/urls.js';
import type { UserPools } from '../../services/apis/user-pools.js';
import { defaultResourceResolver, type LoadedResource, type LoadedTemplate } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { isObject } from '../../json.js';

const NOT_EMULATED_AUTH: Record<string, string> = {
  OPENID_CONNECT: 'OPENID_CONNECT authorization is not emulated locally (use AMAZON_COGNITO_USER_POOLS)',
  AWS_LAMBDA: 'AWS_LAMBDA authorization is not emulated locally',
};
const NAMESPACE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;

function attribute(template: LoadedTemplate, resource: LoadedResource, name: string): string {
  return defaultResourceResolver({
    stackName: template.stackName,
    region: template.region,
    accountId: template.accountId,
  }).getAtt(resource.logicalId, name, resource) as string;
}

type Fail = (property: string | undefined, message: string) => never;

function failFor(resource: LoadedResource, ctx: DeployContext): Fail {
  return (property, message) => {
    throw new DeployError(ctx.template.file, resource.logicalId, property, message);
  };
}

/** A list of `{ AuthType }` whose types the API declares in AuthProviders. */
function authModes(
  value: unknown,
  at: string,
  declared: Set<AuthType>,
  fail: Fail,
  required: boolean,
): AuthType[] | undefined {
  if (value === undefined) return required ? fail(at, 'is required: a list of { AuthType }') : undefined;
  if (!Array.isArray(value) || value.length === 0) return fail(at, 'must be a non-empty list of { AuthType }');
  return value.map((mode, i) => {
    const type = isObject(mode) ? mode.AuthType : undefined;
    if (typeof type !== 'string') return fail(`${at}[${i}].AuthType`, 'is required');
    if (NOT_EMULATED_AUTH[type]) return fail(`${at}[${i}].AuthType`, NOT_EMULATED_AUTH[type]!);
    if (!(AUTH_TYPES as readonly string[]).includes(type))
      return fail(`${at}[${i}].AuthType`, `must be one of ${AUTH_TYPES.join(', ')}, got '${type}'`);
    if (!declared.has(type as AuthType))
      return fail(
        `${at}[${i}].AuthType`,
        `${type} is not one of the API's EventConfig.AuthProviders (${[...declared].join(', ')})`,
      );
    return type as AuthType;
  });
}

/** The Event API as the template declares it. Throws DeployError. */
export function eventApiConfigOf(resource: LoadedResource, ctx: DeployContext, pools: UserPools): EventApiConfig {
  const fail = failFor(resource, ctx);
  const p = resource.properties;
  if (typeof p.Name !== 'string' || !/^[A-Za-z0-9_\- ]{1,50}$/.test(p.Name))
    fail('Name', `is required: 1-50 letters, digits, underscores, dashes or spaces; got ${JSON.stringify(p.Name)}`);
  const event = isObject(p.EventConfig)
    ? p.EventConfig
    : fail('EventConfig', 'is required for an Event API (AuthProviders and the auth modes)');
  const providersRaw = event.AuthProviders;
  if (!Array.isArray(providersRaw) || providersRaw.length === 0)
    fail('EventConfig.AuthProviders', 'is required: a list of { AuthType, CognitoConfig? }');
  const authProviders: AuthProvider[] = (providersRaw as unknown[]).map((raw, i) => {
    const at = `EventConfig.AuthProviders[${i}]`;
    const type = isObject(raw) ? raw.AuthType : undefined;
    if (typeof type === 'string' && NOT_EMULATED_AUTH[type]) return fail(`${at}.AuthType`, NOT_EMULATED_AUTH[type]!);
    if (typeof type !== 'string' || !(AUTH_TYPES as readonly string[]).includes(type))
      return fail(`${at}.AuthType`, `must be one of ${AUTH_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    if (type !== 'AMAZON_COGNITO_USER_POOLS') return { authType: type as AuthType };
    const cognito = (raw as Record<string, unknown>).CognitoConfig;
    if (!isObject(cognito) || typeof cognito.UserPoolId !== 'string')
      return fail(`${at}.CognitoConfig.UserPoolId`, 'is required for AMAZON_COGNITO_USER_POOLS: !Ref a user pool');
    const userPoolId = cognito.UserPoolId;
    if (!pools.get(userPoolId))
      fail(
        `${at}.CognitoConfig.UserPoolId`,
        `user pool ${userPoolId} is not deployed on the local cloud (deployed: ${
          pools
            .list()
            .map((x) => x.id)
            .join(', ') || 'none'
        }), so no token could be verified`,
      );
    const awsRegion = typeof cognito.AwsRegion === 'string' ? cognito.AwsRegion : ctx.template.region;
    return {
      authType: 'AMAZON_COGNITO_USER_POOLS',
      cognito: {
        userPoolId,
        awsRegion,
        ...(typeof cognito.AppIdClientRegex === 'string' ? { appIdClientRegex: cognito.AppIdClientRegex } : {}),
      },
    };
  });
  const declared = new Set(authProviders.map((a) => a.authType));
  return {
    apiId: attribute(ctx.template, resource, 'ApiId'),
    name: p.Name as string,
    arn: attribute(ctx.template, resource, 'ApiArn'),
    region: ctx.template.region,
    accountId: ctx.template.accountId,
    authProviders,
    connectionAuthModes: authModes(event.ConnectionAuthModes, 'EventConfig.ConnectionAuthModes', declared, fail, true)!,
    defaultPublishAuthModes: authModes(
      event.DefaultPublishAuthModes,
      'EventConfig.DefaultPublishAuthModes',
      declared,
      fail,
      true,
    )!,
    defaultSubscribeAuthModes: authModes(
      event.DefaultSubscribeAuthModes,
      'EventConfig.DefaultSubscribeAuthModes',
      declared,
      fail,
      true,
    )!,
  };
}

export function eventApiHandler(service: EventApisService, pools: UserPools, edgeUrl: () => string): ResourceHandler {
  const deploy = async (resource: LoadedResource, ctx: DeployContext, update: boolean) => {
    const config = eventApiConfigOf(resource, ctx, pools);
    if (!update && service.hasApi(config.apiId))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        undefined,
        `Event API ${config.apiId} already exists (another stack owns it).`,
      );
    service.putApi(config);
    if (!update) ctx.onDelete(() => service.removeApi(config.apiId));
    const http = `${localBase(edgeUrl(), config.apiId)}/event`;
    const realtime = `${localBase(edgeUrl(), config.apiId, true)}/event/realtime`;
    ctx.addEventApi({
      logicalId: resource.logicalId,
      apiId: config.apiId,
      name: config.name,
      http,
      realtime,
      dns: { http: httpDomain(config.apiId, config.region), realtime: realtimeDomain(config.apiId, config.region) },
      namespaces: ctx.template.resources
        .filter((r) => r.type === 'AWS::AppSync::ChannelNamespace' && r.properties.ApiId === config.apiId)
        .map((r) => String(r.properties.Name)),
    });
    ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId} (Event API) at ${http} and ${realtime}`);
  };
  return Object.assign(async (resource: LoadedResource, ctx: DeployContext) => deploy(resource, ctx, false), {
    // The same API (id, subscriptions, namespaces, keys) stays; its auth configuration changes.
    update: async (resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) =>
      deploy(resource, ctx, true),
    // Its record lists the namespaces, which other resources declare.
    reconcileUnchanged: true,
  });
}

function apiOf(service: EventApisService, resource: LoadedResource, ctx: DeployContext): EventApiConfig {
  const apiId = resource.properties.ApiId;
  const fail = failFor(resource, ctx);
  if (typeof apiId !== 'string' || apiId === '') return fail('ApiId', 'is required: !GetAtt <Api>.ApiId');
  return service.api(apiId) ?? fail('ApiId', `Event API ${apiId} does not exist`);
}

export function apiKeyHandler(service: EventApisService): ResourceHandler {
  return async (resource, ctx) => {
    const api = apiOf(service, resource, ctx);
    const fail = failFor(resource, ctx);
    const key = attribute(ctx.template, resource, 'ApiKey');
    const now = Math.floor(Date.now() / 1000);
    const raw = resource.properties.Expires;
    // AppSync's default: 7 days; at least 1 day and at most 365 days ahead.
    const expires = raw === undefined ? now + 7 * 86_400 : Number(raw);
    if (!Number.isInteger(expires)) fail('Expires', `must be an epoch time in seconds, got ${JSON.stringify(raw)}`);
    if (raw !== undefined && (expires < now + 86_400 || expires > now + 365 * 86_400))
      fail(
        'Expires',
        'API key must be valid for a minimum of 1 day and a maximum of 365 days (an epoch time in seconds).',
      );
    ctx.onDelete(service.addKey(api.apiId, { id: key, key, expires }));
  };
}

export function channelNamespaceHandler(service: EventApisService): ResourceHandler {
  const deploy = async (resource: LoadedResource, ctx: DeployContext) => {
    const api = apiOf(service, resource, ctx);
    const fail = failFor(resource, ctx);
    const p = resource.properties;
    const name = p.Name;
    if (typeof name !== 'string' || !NAMESPACE_NAME.test(name))
      fail(
        'Name',
        `must be 1-50 letters, digits or dashes, not starting or ending with a dash; got ${JSON.stringify(name)}`,
      );
    if (p.CodeS3Location !== undefined)
      fail('CodeS3Location', 'handler code in S3 is not emulated locally: put the code inline in CodeHandlers');
    if (p.HandlerConfigs !== undefined)
      fail(
        'HandlerConfigs',
        'handler configurations (data sources, direct Lambda) are not emulated locally: use CodeHandlers',
      );
    const declared = new Set(api.authProviders.map((a) => a.authType));
    const publishAuthModes = authModes(p.PublishAuthModes, 'PublishAuthModes', declared, fail, false);
    const subscribeAuthModes = authModes(p.SubscribeAuthModes, 'SubscribeAuthModes', declared, fail, false);
    let handlers;
    if (p.CodeHandlers !== undefined) {
      if (typeof p.CodeHandlers !== 'string') fail('CodeHandlers', "must be the handlers' APPSYNC_JS source");
      try {
        handlers = compileHandlers(p.CodeHandlers as string, { filename: `${resource.logicalId}.CodeHandlers.js` });
      } catch (e) {
        if (e instanceof HandlerCodeError) fail('CodeHandlers', `${e.message} (APPSYNC_JS)`);
        throw e;
      }
      if (!handlers.has('onPublish') && !handlers.has('onSubscribe'))
        fail('CodeHandlers', 'exports neither onPublish nor onSubscribe (export function onPublish(ctx) { ... })');
    }
    ctx.onDelete(
      service.putNamespace(api.apiId, {
        name: name as string,
        arn: attribute(ctx.template, resource, 'ChannelNamespaceArn'),
        ...(publishAuthModes ? { publishAuthModes } : {}),
        ...(subscribeAuthModes ? { subscribeAuthModes } : {}),
        ...(handlers ? { handlers } : {}),
      }),
    );
  };
  return Object.assign(deploy, {
    // A changed namespace (its handlers) replaces the one of that name; subscriptions stay.
    update: async (resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) => deploy(resource, ctx),
  });
}

// An HTTP API written as CloudFormation writes it without SAM: AWS::ApiGatewayV2::Api (ProtocolType
// HTTP), AWS::ApiGatewayV2::Integration (AWS_PROXY to a function), AWS::ApiGatewayV2::Route and
// AWS::ApiGatewayV2::Stage, served like a SAM HttpApi under <edge>/apis/<apiId>/. Nothing generates a
// permission here, as nothing does in AWS: API Gateway invokes a route's function only with the
// AWS::Lambda::Permission the template declares, and answers 500 without it.
import type { ApiConfig, HttpApisService, RouteConfig } from '../../services/apis/service.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import type { LoadedResource } from '../template/index.js';

/** `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`, or the function's ARN. */
export function functionOfIntegrationUri(uri: string): string | undefined {
  const m = /:lambda:path\/2015-03-31\/functions\/(arn:[^/]+)\/invocations$/.exec(uri);
  if (m) return m[1];
  return /^arn:aws[\w-]*:lambda:/.test(uri) ? uri : undefined;
}

export function apiGatewayV2Handlers(apis: HttpApisService): Record<string, ResourceHandler> {
  const configs = new Map<string, ApiConfig>();
  const integrations = new Map<string, { functionArn: string; payloadFormatVersion: '1.0' | '2.0' }>();
  const fail = (ctx: DeployContext, resource: LoadedResource, property: string, message: string): never => {
    throw new DeployError(ctx.template.file, resource.logicalId, property, message);
  };
  const apiOf = (resource: LoadedResource, ctx: DeployContext): ApiConfig => {
    const apiId = String(resource.properties.ApiId ?? '');
    const config = configs.get(apiId);
    if (!config) return fail(ctx, resource, 'ApiId', `no HTTP API ${apiId} is deployed here`);
    return config;
  };
  const republish = (config: ApiConfig) => apis.registerApi({ ...config, routes: [...config.routes] });

  const api: ResourceHandler = (resource, ctx) => {
    const p = resource.properties;
    if (p.ProtocolType !== 'HTTP')
      fail(ctx, resource, 'ProtocolType', `${String(p.ProtocolType)} APIs are not emulated locally (HTTP is)`);
    for (const key of ['Target', 'Body', 'BodyS3Location', 'CorsConfiguration'])
      if (p[key] !== undefined)
        ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId}: ${key} is not read locally`);
    const apiId = resource.physicalId;
    if (apis.hasApi(apiId)) fail(ctx, resource, 'Name', `API ${apiId} already exists (another stack owns it).`);
    const config: ApiConfig = {
      apiId,
      name: typeof p.Name === 'string' ? p.Name : apiId,
      kind: 'HTTP',
      stage: '$default',
      routes: [],
    };
    configs.set(apiId, config);
    republish(config);
    ctx.onDelete(() => {
      configs.delete(apiId);
      apis.removeApi(apiId);
    });
    return Promise.resolve();
  };

  const integration: ResourceHandler = (resource, ctx) => {
    const p = resource.properties;
    apiOf(resource, ctx);
    if (p.IntegrationType !== 'AWS_PROXY')
      fail(
        ctx,
        resource,
        'IntegrationType',
        `${String(p.IntegrationType)} integrations are not emulated (AWS_PROXY is)`,
      );
    const functionArn = functionOfIntegrationUri(String(p.IntegrationUri ?? ''));
    if (!functionArn)
      fail(
        ctx,
        resource,
        'IntegrationUri',
        `${String(p.IntegrationUri)} is not a Lambda function's ARN or invocation URI`,
      );
    const version = p.PayloadFormatVersion ?? '2.0';
    if (version !== '1.0' && version !== '2.0')
      fail(ctx, resource, 'PayloadFormatVersion', `must be 1.0 or 2.0, got '${String(version)}'`);
    integrations.set(resource.physicalId, {
      functionArn: functionArn!,
      payloadFormatVersion: version as '1.0' | '2.0',
    });
    ctx.onDelete(() => void integrations.delete(resource.physicalId));
    return Promise.resolve();
  };

  const route: ResourceHandler = (resource, ctx) => {
    const p = resource.properties;
    const config = apiOf(resource, ctx);
    const key = String(p.RouteKey ?? '');
    const m = /^(\$default)$|^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)$/.exec(key);
    if (!m) fail(ctx, resource, 'RouteKey', `'${key}' is not a route key ('$default' or '<METHOD> /path')`);
    const target = /^integrations\/(.+)$/.exec(String(p.Target ?? ''));
    const found = target ? integrations.get(target[1]!) : undefined;
    if (!found)
      fail(ctx, resource, 'Target', `'${String(p.Target)}' names no integration deployed here (integrations/<id>)`);
    const entry: RouteConfig = {
      method: m![1] ? 'ANY' : m![2]!,
      path: m![1] ?? m![3]!,
      functionArn: found!.functionArn,
      payloadFormatVersion: found!.payloadFormatVersion,
    };
    config.routes.push(entry);
    republish(config);
    ctx.onDelete(() => {
      config.routes = config.routes.filter((r) => r !== entry);
      if (configs.has(config.apiId)) republish(config);
    });
    return Promise.resolve();
  };

  const stage: ResourceHandler = (resource, ctx) => {
    const config = apiOf(resource, ctx);
    const name = String(resource.properties.StageName ?? '$default');
    config.stage = name;
    republish(config);
    ctx.onDelete(() => {
      config.stage = '$default';
      if (configs.has(config.apiId)) republish(config);
    });
    return Promise.resolve();
  };

  return {
    'AWS::ApiGatewayV2::Api': api,
    'AWS::ApiGatewayV2::Integration': integration,
    'AWS::ApiGatewayV2::Route': route,
    'AWS::ApiGatewayV2::Stage': stage,
  };
}

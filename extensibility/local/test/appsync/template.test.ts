// The template surface of AppSync Events, checked as CloudFormation and AppSync check it: what the
// resolver gives for Ref and Fn::GetAtt, and the deploy errors of an Event API and a namespace
// (each naming the property and why), on the handlers alone with a registry of their own.
import { describe, expect, it } from '@jest/globals';
import { LocalIssuer } from '../../src/services/apis/issuer.js';
import { EventApisService } from '../../src/services/appsync/service.js';
import { channelNamespaceHandler, eventApiConfigOf } from '../../src/stacks/resources/appsync.js';
import type { DeployContext } from '../../src/stacks/model.js';
import { defaultResourceResolver, type LoadedResource, type LoadedTemplate } from '../../src/stacks/template/index.js';

const stack = { stackName: 'core', region: 'eu-west-1', accountId: '123456789012' };
const resolver = defaultResourceResolver(stack);
const resource = (logicalId: string, type: string, properties: Record<string, unknown>): LoadedResource => ({
  logicalId,
  type,
  properties,
  dependsOn: [],
  physicalId: String(resolver.ref(logicalId, { logicalId, type, properties, dependsOn: [] })),
});
const template = (resources: LoadedResource[]): LoadedTemplate => ({
  file: 'template.yaml',
  ...stack,
  parameters: {},
  conditions: {},
  resources,
  outputs: {},
});
const context = (resources: LoadedResource[] = []): DeployContext => ({
  template: template(resources),
  templateDir: '.',
  deployment: 1,
  log: () => {},
  onDelete: () => {},
  cleanup: () => {},
  defer: () => {},
  addApi: () => {},
  addEventApi: () => {},
});
const eventConfig = (over: Record<string, unknown> = {}) => ({
  AuthProviders: [{ AuthType: 'API_KEY' }, { AuthType: 'AWS_IAM' }],
  ConnectionAuthModes: [{ AuthType: 'API_KEY' }],
  DefaultPublishAuthModes: [{ AuthType: 'AWS_IAM' }],
  DefaultSubscribeAuthModes: [{ AuthType: 'API_KEY' }],
  ...over,
});

describe('Ref and Fn::GetAtt', () => {
  const api = { logicalId: 'Realtime', type: 'AWS::AppSync::Api', properties: { Name: 'rt' }, dependsOn: [] };
  const apiId = resolver.getAtt('Realtime', 'ApiId', api) as string;

  it('gives an API its id, ARN and DNS names in AWS formats', () => {
    expect(apiId).toMatch(/^[a-z0-9]{26}$/);
    expect(resolver.ref('Realtime', api)).toBe(`arn:aws:appsync:eu-west-1:123456789012:apis/${apiId}`);
    expect(resolver.getAtt('Realtime', 'ApiArn', api)).toBe(`arn:aws:appsync:eu-west-1:123456789012:apis/${apiId}`);
    expect(resolver.getAtt('Realtime', 'Dns.Http', api)).toBe(`${apiId}.appsync-api.eu-west-1.amazonaws.com`);
    expect(resolver.getAtt('Realtime', 'Dns.Realtime', api)).toBe(
      `${apiId}.appsync-realtime-api.eu-west-1.amazonaws.com`,
    );
  });

  it('gives a key and a namespace ARNs under their API, from `ApiId: !GetAtt Api.ApiId` before it exists', () => {
    const ApiId = { 'Fn::GetAtt': ['Realtime', 'ApiId'] };
    const key = { logicalId: 'Key', type: 'AWS::AppSync::ApiKey', properties: { ApiId }, dependsOn: [] };
    const value = resolver.getAtt('Key', 'ApiKey', key) as string;
    expect(value).toMatch(/^da2-[a-z0-9]{26}$/);
    expect(resolver.ref('Key', key)).toBe(`arn:aws:appsync:eu-west-1:123456789012:apis/${apiId}/apikey/${value}`);
    const ns = {
      logicalId: 'Orders',
      type: 'AWS::AppSync::ChannelNamespace',
      properties: { ApiId, Name: 'orders' },
      dependsOn: [],
    };
    expect(resolver.getAtt('Orders', 'ChannelNamespaceArn', ns)).toBe(
      `arn:aws:appsync:eu-west-1:123456789012:apis/${apiId}/channelNamespace/orders`,
    );
  });
});

describe('deploy errors', () => {
  const issuer = new LocalIssuer('http://127.0.0.1/_presso/issuer');
  const configOf = (properties: Record<string, unknown>) => {
    const api = resource('Realtime', 'AWS::AppSync::Api', properties);
    return () => eventApiConfigOf(api, context([api]), issuer.pools);
  };

  it.each([
    [{ EventConfig: eventConfig() }, 'Resources.Realtime.Properties.Name: is required'],
    [{ Name: 'rt' }, 'Properties.EventConfig: is required for an Event API'],
    [
      { Name: 'rt', EventConfig: eventConfig({ AuthProviders: [{ AuthType: 'OPENID_CONNECT' }] }) },
      'EventConfig.AuthProviders[0].AuthType: OPENID_CONNECT authorization is not emulated locally',
    ],
    [
      {
        Name: 'rt',
        EventConfig: eventConfig({ DefaultSubscribeAuthModes: [{ AuthType: 'AMAZON_COGNITO_USER_POOLS' }] }),
      },
      "EventConfig.DefaultSubscribeAuthModes[0].AuthType: AMAZON_COGNITO_USER_POOLS is not one of the API's EventConfig.AuthProviders (API_KEY, AWS_IAM)",
    ],
    [
      {
        Name: 'rt',
        EventConfig: eventConfig({
          AuthProviders: [{ AuthType: 'AMAZON_COGNITO_USER_POOLS', CognitoConfig: { UserPoolId: 'eu-west-1_nope' } }],
        }),
      },
      'CognitoConfig.UserPoolId: user pool eu-west-1_nope is not deployed on the local cloud',
    ],
    [{ Name: 'rt', EventConfig: eventConfig({ ConnectionAuthModes: undefined }) }, 'ConnectionAuthModes: is required'],
  ])('refuses %j', (properties, message) => {
    expect(configOf(properties)).toThrow(message);
  });

  it("refuses a namespace's handler in S3, an invalid name, a handler APPSYNC_JS refuses, with the line", async () => {
    const service = new EventApisService({ issuer });
    const api = resource('Realtime', 'AWS::AppSync::Api', { Name: 'rt', EventConfig: eventConfig() });
    const config = eventApiConfigOf(api, context([api]), issuer.pools);
    service.putApi(config);
    const deploy = (properties: Record<string, unknown>) =>
      channelNamespaceHandler(service)(
        resource('Ns', 'AWS::AppSync::ChannelNamespace', { ApiId: config.apiId, ...properties }),
        context(),
      );
    await expect(deploy({ Name: 'orders', CodeS3Location: 's3://bucket/code.js' })).rejects.toThrow(
      'Resources.Ns.Properties.CodeS3Location: handler code in S3 is not emulated locally',
    );
    await expect(deploy({ Name: '-orders' })).rejects.toThrow('Resources.Ns.Properties.Name: must be 1-50 letters');
    await expect(
      deploy({ Name: 'orders', CodeHandlers: 'export function onPublish(ctx) {\n  throw 1\n}' }),
    ).rejects.toThrow(
      'Resources.Ns.Properties.CodeHandlers: line 2: throw is not supported by the APPSYNC_JS runtime (use util.error()) (APPSYNC_JS)',
    );
    await expect(deploy({ Name: 'orders', PublishAuthModes: [{ AuthType: 'AWS_LAMBDA' }] })).rejects.toThrow(
      'PublishAuthModes[0].AuthType: AWS_LAMBDA authorization is not emulated locally',
    );
    await deploy({ Name: 'orders', CodeHandlers: 'export function onPublish(ctx) { return ctx.events; }' });
    expect(service.namespace(config.apiId, 'orders')?.handlers?.has('onPublish')).toBe(true);
  });
});

// The realtime part of the core's template as CloudFormation would read it (the local cloud's
// loader: parameters, intrinsics, SAM): who may connect, subscribe and publish, and that the
// publisher's policy allows exactly the publishes AppSync's IAM check asks for.
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { iamRequestOf } from '@serverlesspresso/local';
import { DEFAULT_ACCOUNT, loadTemplate } from '@serverlesspresso/local/tooling';

const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)), {
  stackName: 'core',
  region: DEFAULT_ACCOUNT.region,
  accountId: DEFAULT_ACCOUNT.accountId,
});
const resource = (id: string) => {
  const r = template.resources.find((x) => x.logicalId === id);
  if (!r) throw new Error(`no ${id} in the core's template`);
  return r.properties as Record<string, unknown>;
};
const modes = (list: unknown) => (list as { AuthType: string }[]).map((m) => m.AuthType);

describe("the core's realtime API", () => {
  const api = resource('RealtimeApi').EventConfig as Record<string, unknown>;

  it('takes the core user pool to connect and subscribe, and IAM alone to publish', () => {
    expect(modes(api.ConnectionAuthModes)).toEqual(['AMAZON_COGNITO_USER_POOLS']);
    expect(modes(api.DefaultSubscribeAuthModes)).toEqual(['AMAZON_COGNITO_USER_POOLS']);
    expect(modes(api.DefaultPublishAuthModes)).toEqual(['AWS_IAM']);
    const cognito = (api.AuthProviders as { AuthType: string; CognitoConfig?: { UserPoolId: string } }[]).find(
      (p) => p.AuthType === 'AMAZON_COGNITO_USER_POOLS',
    );
    expect(cognito?.CognitoConfig?.UserPoolId).toMatch(/^us-east-1_\w{9}$/);
  });

  it.each(['orders', 'staff', 'board'])(
    'namespace %s: an onSubscribe handler, Cognito to subscribe, IAM to publish',
    (name) => {
      const ns = template.resources
        .filter((r) => r.type === 'AWS::AppSync::ChannelNamespace')
        .map((r) => r.properties as Record<string, unknown>)
        .find((p) => p.Name === name)!;
      expect(modes(ns.SubscribeAuthModes)).toEqual(['AMAZON_COGNITO_USER_POOLS']);
      expect(modes(ns.PublishAuthModes)).toEqual(['AWS_IAM']);
      expect(ns.CodeHandlers).toMatch(/export function onSubscribe\(ctx\)[\s\S]*util\.unauthorized\(\)/);
    },
  );

  it("gives the publisher exactly the publishes AppSync's IAM check asks for, and its URL", () => {
    const id = String(template.outputs.RealtimeApiId?.value);
    expect(id).toMatch(/^[a-z0-9]{26}$/);
    const publisher = resource('RealtimePublisherFunction');
    const statements = (publisher.Policies as { Statement?: { Action: string; Resource: string[] }[] }[]).flatMap(
      (p) => p.Statement ?? [],
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'appsync:EventPublish',
        Resource: ['orders', 'staff', 'board'].map(
          (ns) =>
            iamRequestOf(
              'publish',
              { apiId: id, region: DEFAULT_ACCOUNT.region, accountId: DEFAULT_ACCOUNT.accountId },
              ns,
            ).resource,
        ),
      },
    ]);
    const env = (publisher.Environment as { Variables: Record<string, string> }).Variables;
    expect(env.REALTIME_PUBLISH_URL).toBe(`https://${id}.appsync-api.us-east-1.amazonaws.com/event`);
  });
});

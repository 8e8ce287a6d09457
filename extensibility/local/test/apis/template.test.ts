// Template -> ApiConfig, pure: what an AWS::Serverless::HttpApi / Api (written or implicit) and the
// functions' HttpApi / Api events become, what is refused and why; local outputs; token requests.
import { describe, expect, it } from '@jest/globals';
import { UserPools, TokenRequestError } from '../../src/services/apis/user-pools.js';
import { apiConfigOf, localOutputs } from '../../src/stacks/resources/apis.js';
import { loadTemplate, type LoadedTemplate } from '../../src/stacks/template/index.js';
import { load } from '../stacks/template/helpers.js';

const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };
const fixture = (name: string) => new URL(`../stacks/fixtures/${name}/template.yaml`, import.meta.url).pathname;
const resource = (t: LoadedTemplate, id: string) => t.resources.find((r) => r.logicalId === id)!;
const physical = (t: LoadedTemplate, id: string) => resource(t, id).physicalId;
const fnArn = (t: LoadedTemplate, id: string) => `arn:aws:lambda:us-east-1:123456789012:function:${physical(t, id)}`;

/** A template with one HttpApi/Api and one function whose events are given, as YAML fragments. */
function template(api: string, events: string, type = 'AWS::Serverless::HttpApi'): LoadedTemplate {
  return load(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: ${type}
    Properties:
${api.replace(/^/gm, '      ')}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: .
      Runtime: nodejs24.x
      Events:
${events.replace(/^/gm, '        ')}
`);
}

const plan = (t: LoadedTemplate, id = 'Api') => apiConfigOf(resource(t, id), t);
const failure = (t: LoadedTemplate, id = 'Api') => {
  try {
    plan(t, id);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('AWS::Serverless::HttpApi', () => {
  const t = loadTemplate(fixture('orders-http-app'), STACK);

  it('collects the routes of every function, with the JWT authorizer of a user pool and CORS', () => {
    const { config, warnings, functions } = plan(t, 'OrdersApi');
    const pool = physical(t, 'UserPool');
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      apiId: physical(t, 'OrdersApi'),
      name: 'presso',
      kind: 'HTTP',
      stage: '$default',
      cors: {
        allowOrigins: ['http://app.local'],
        allowMethods: ['GET', 'PUT'],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['x-served-by'],
        maxAge: 600,
      },
      authorizers: {
        Cognito: {
          type: 'JWT',
          issuer: `https://cognito-idp.us-east-1.amazonaws.com/${pool}`,
          audience: [physical(t, 'UserPoolClient')],
          identitySource: '$request.header.Authorization',
        },
      },
      defaultAuthorizer: 'Cognito',
      routes: [
        { method: 'GET', path: '/orders/{id}', functionArn: fnArn(t, 'Orders') },
        { method: 'GET', path: '/barista/queue', functionArn: fnArn(t, 'Orders') },
        { method: 'PUT', path: '/config', functionArn: fnArn(t, 'Orders') },
        { method: 'GET', path: '/health', functionArn: fnArn(t, 'Orders'), authorizer: 'NONE' },
        { method: 'GET', path: '/scoped', functionArn: fnArn(t, 'Orders'), authorizationScopes: ['orders/read'] },
        { method: 'ANY', path: '$default', functionArn: fnArn(t, 'Fallback'), authorizer: 'NONE' },
      ].map((r) => ({ ...r, payloadFormatVersion: '2.0' })),
    });
    expect(config.apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(functions).toMatchObject({ 'GET /orders/{id}': 'Orders', $default: 'Fallback' });
  });

  it("takes the authorizer's scopes unless the route names its own; CorsConfiguration: true allows any origin", () => {
    const t = template(
      `CorsConfiguration: true
StageName: live
Auth:
  DefaultAuthorizer: A
  Authorizers:
    A:
      AuthorizationScopes: [menu/read]
      JwtConfiguration: { Issuer: https://issuer.example, Audience: web }`,
      `
One: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /one, Method: GET } }
Two: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /two, Method: GET, PayloadFormatVersion: '1.0', Auth: { AuthorizationScopes: [menu/write] } } }`,
    );
    const { config } = plan(t);
    expect(config.cors).toEqual({ allowOrigins: ['*'] });
    expect(config.stage).toBe('live');
    expect(config.authorizers).toEqual({ A: { type: 'JWT', issuer: 'https://issuer.example', audience: ['web'] } });
    expect(config.routes.map((r) => [r.path, r.authorizationScopes, r.payloadFormatVersion])).toEqual([
      ['/one', ['menu/read'], '2.0'],
      ['/two', ['menu/write'], '1.0'],
    ]);
  });

  it('refuses what API Gateway or SAM refuse, and what is not emulated, naming resource and property', () => {
    const jwt = 'JwtConfiguration: { issuer: https://i.example, audience: [web] }';
    expect(
      failure(
        template(
          `Auth: { DefaultAuthorizer: Nope, Authorizers: { A: { ${jwt} } } }`,
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
        ),
      ),
    ).toBe(
      "t.yaml: Resources.Api.Properties.Auth.DefaultAuthorizer: Unable to set DefaultAuthorizer because 'Nope' was not defined in 'Authorizers'.",
    );
    expect(
      failure(
        template(
          `Auth: { Authorizers: { A: { ${jwt} } } }`,
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /x, Method: get, Auth: { Authorizer: B } } }',
        ),
      ),
    ).toBe(
      "t.yaml: Resources.Fn.Properties.Events.E.Properties.Auth.Authorizer: Unable to set Authorizer [B] on API method [get] for path [/x] because it wasn't defined in the API's Authorizers.",
    );
    expect(
      failure(
        template(
          'StageName: $default',
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /x, Method: get, Auth: { Authorizer: B } } }',
        ),
      ),
    ).toMatch(/because the related API does not define any Authorizers\.$/);
    expect(
      failure(
        template(
          'Auth: { Authorizers: { L: { FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:auth } } }',
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
        ),
      ),
    ).toBe(
      't.yaml: Resources.Api.Properties.Auth.Authorizers.L: Lambda authorizers are not emulated locally; use a JWT authorizer (JwtConfiguration)',
    );
    expect(
      failure(
        template(
          'Auth: { Authorizers: { A: { JwtConfiguration: { issuer: https://i.example } } } }',
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
        ),
      ),
    ).toMatch(/Auth\.Authorizers\.A\.JwtConfiguration\.audience: is required/);
    expect(
      failure(
        template(
          'CorsConfiguration: { AllowOrigins: ["*"], AllowCredentials: true }',
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
        ),
      ),
    ).toMatch(/CorsConfiguration: Unable to add Cors configuration because 'AllowCredentials' can not be true/);
    expect(
      failure(
        template(
          'StageName: $default',
          `
A: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /x, Method: get } }
B: { Type: HttpApi, Properties: { ApiId: !Ref Api, Path: /x, Method: GET } }`,
        ),
      ),
    ).toBe('t.yaml: Resources.Fn.Properties.Events.B.Properties: route GET /x is declared twice on Api (also by Fn)');
    expect(
      failure(
        template(
          'Auth: { DefaultAuthorizer: AWS_IAM, EnableIamAuthorizer: true }',
          'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
        ),
      ),
    ).toMatch(/IAM authorization \(AWS_IAM\) is not emulated locally/);
  });

  it('warns that an OpenAPI definition is not read', () => {
    const { warnings } = plan(
      template(
        'DefinitionBody: { openapi: "3.0.1", paths: {} }',
        'E: { Type: HttpApi, Properties: { ApiId: !Ref Api } }',
      ),
    );
    expect(warnings).toEqual([
      "DefinitionBody is not read locally: only the routes of functions' HttpApi events are served",
    ]);
  });
});

describe('AWS::Serverless::Api', () => {
  const t = loadTemplate(fixture('menu-rest-app'), STACK);

  it('builds the implicit ServerlessRestApi (stage Prod) from Api events, with Globals Auth and Cors', () => {
    const { config } = plan(t, 'ServerlessRestApi');
    expect(config).toEqual({
      apiId: physical(t, 'ServerlessRestApi'),
      name: 'presso',
      kind: 'REST',
      stage: 'Prod',
      restCors: { allowOrigin: '*', allowHeaders: 'authorization,content-type', maxAge: '300' },
      authorizers: {
        MenuCognito: {
          type: 'COGNITO_USER_POOLS',
          providerArns: [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${physical(t, 'MenuPool')}`],
        },
      },
      defaultAuthorizer: 'MenuCognito',
      routes: [
        { method: 'GET', path: '/items/{id}', functionArn: fnArn(t, 'Menu'), authorizer: 'NONE' },
        { method: 'POST', path: '/items', functionArn: fnArn(t, 'Menu') },
        { method: 'GET', path: '/me', functionArn: fnArn(t, 'Menu') },
      ],
    });
  });

  it('builds the implicit ServerlessHttpApi with the $default route of an HttpApi event without properties', () => {
    expect(plan(t, 'ServerlessHttpApi').config).toEqual({
      apiId: physical(t, 'ServerlessHttpApi'),
      name: 'presso',
      kind: 'HTTP',
      stage: '$default',
      routes: [{ method: 'ANY', path: '$default', functionArn: fnArn(t, 'Ping'), payloadFormatVersion: '2.0' }],
    });
  });

  it('puts the default authorizer on the CORS preflight unless told not to; a Cors string is the origin', () => {
    const t = template(
      `StageName: v1
Cors: "'https://app.example'"
Auth:
  DefaultAuthorizer: C
  Authorizers:
    C:
      UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
      Identity: { Header: X-Token }`,
      'E: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /x, Method: any, Auth: { ApiKeyRequired: true } } }',
      'AWS::Serverless::Api',
    );
    const { config, warnings } = plan(t);
    expect(config.restCors).toEqual({ allowOrigin: 'https://app.example', authorizer: 'C' });
    expect(config.authorizers!.C).toEqual({
      type: 'COGNITO_USER_POOLS',
      providerArns: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc'],
      identitySource: 'method.request.header.X-Token',
    });
    expect(config.routes).toEqual([{ method: 'ANY', path: '/x', functionArn: fnArn(t, 'Fn') }]);
    expect(warnings).toEqual(['Fn.Events.E: Auth.ApiKeyRequired is not enforced locally']);
  });

  it('needs StageName and a user pool ARN', () => {
    expect(
      failure(
        template(
          'Name: x',
          'E: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /x, Method: get } }',
          'AWS::Serverless::Api',
        ),
      ),
    ).toBe('t.yaml: Resources.Api.Properties.StageName: StageName is required for an AWS::Serverless::Api');
    expect(
      failure(
        template(
          'StageName: v1\nAuth: { Authorizers: { C: { UserPoolArn: us-east-1_abc } } }',
          'E: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /x, Method: get } }',
          'AWS::Serverless::Api',
        ),
      ),
    ).toMatch(/Auth\.Authorizers\.C\.UserPoolArn: 'us-east-1_abc' is not a user pool ARN/);
  });
});

describe('localOutputs', () => {
  it("points every invoke URL of the stack's APIs at the edge, stage and path kept", () => {
    const api = (apiId: string, stage: string, url: string) => ({
      logicalId: apiId,
      type: 'AWS::Serverless::Api',
      apiId,
      kind: 'REST' as const,
      stage,
      url,
      awsUrl: `https://${apiId}.execute-api.us-east-1.amazonaws.com${stage === '$default' ? '' : `/${stage}`}`,
      routes: [],
    });
    expect(
      localOutputs(
        {
          Rest: 'https://aaaaaaaaaa.execute-api.us-east-1.amazonaws.com/Prod/items',
          Http: 'https://bbbbbbbbbb.execute-api.us-east-1.amazonaws.com',
          Other: 'arn:aws:sns:x',
        },
        [
          api('aaaaaaaaaa', 'Prod', 'http://127.0.0.1:1/apis/aaaaaaaaaa/Prod'),
          api('bbbbbbbbbb', '$default', 'http://127.0.0.1:1/apis/bbbbbbbbbb'),
        ],
      ),
    ).toEqual({
      Rest: 'http://127.0.0.1:1/apis/aaaaaaaaaa/Prod/items',
      Http: 'http://127.0.0.1:1/apis/bbbbbbbbbb',
      Other: 'arn:aws:sns:x',
    });
  });
});

describe('token requests', () => {
  const pools = () => {
    const p = new UserPools();
    p.add({
      id: 'us-east-1_A',
      arn: 'arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_A',
      name: 'a',
      providerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A',
      stack: 's1',
      logicalId: 'Pool',
    });
    p.addClient('us-east-1_A', { clientId: 'client-a', name: 'web', logicalId: 'Client' });
    p.addGroup('us-east-1_A', 'barista');
    return p;
  };
  const error = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(TokenRequestError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('mints for the only pool and its only client, with its groups', () => {
    expect(pools().tokenOptions({ user: 'ann', groups: ['barista'] })).toEqual({
      user: 'ann',
      groups: ['barista'],
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A',
      audience: 'client-a',
      clientId: 'client-a',
    });
    expect(new UserPools().tokenOptions({ user: 'ann', audience: 'web' })).toEqual({
      user: 'ann',
      audience: 'web',
      clientId: 'web',
    });
  });

  it('says which option to give when the choice is not clear or the group does not exist', () => {
    const p = pools();
    expect(error(() => p.tokenOptions({ user: 'ann', groups: ['admin'] }))).toBe(
      "user pool s1/Pool (us-east-1_A) has no group 'admin' (its groups: barista)",
    );
    p.addClient('us-east-1_A', { clientId: 'client-b', name: 'ops' });
    expect(error(() => p.tokenOptions({ user: 'ann' }))).toBe(
      'user pool s1/Pool (us-east-1_A) has 2 app clients: pick one with --client (Client (client-a), ops (client-b))',
    );
    expect(p.tokenOptions({ user: 'ann', client: 'ops', scopes: ['menu/read'] })).toMatchObject({
      audience: 'client-b',
      clientId: 'client-b',
      scopes: ['menu/read'],
    });
    p.add({
      id: 'us-east-1_B',
      arn: 'arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_B',
      name: 'b',
      providerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_B',
      stack: 's2',
      logicalId: 'Pool',
    });
    expect(error(() => p.tokenOptions({ user: 'ann' }))).toBe(
      '2 user pools are deployed: pick one with --user-pool (s1/Pool (us-east-1_A); s2/Pool (us-east-1_B))',
    );
    expect(error(() => p.tokenOptions({ user: 'ann', userPool: 'Pool' }))).toMatch(
      /^--user-pool Pool names 2 user pools; give the pool id or STACK\/LogicalId/,
    );
    expect(error(() => p.tokenOptions({ user: 'ann', userPool: 's2/Pool' }))).toBe(
      "user pool s2/Pool (us-east-1_B) has no app client: a token's aud is a client id; add an AWS::Cognito::UserPoolClient or pass --audience",
    );
    expect(p.tokenOptions({ user: 'ann', userPool: 'us-east-1_B', audience: 'x' })).toMatchObject({
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_B',
      audience: 'x',
    });
    expect(error(() => p.tokenOptions({ user: 'ann', userPool: 'nope' }))).toMatch(
      /^no user pool nope is deployed \(deployed: s1\/Pool/,
    );
  });
});

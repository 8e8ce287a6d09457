// The HTTP APIs service as wired into the local cloud: a route behind a JWT authorizer answers 401
// without a token and 200 with one minted by the cloud's own token route.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  cloud.lambda.register(
    inProcessFunction({
      name: 'whoami',
      arn: arns.lambda(cloud.account, 'whoami'),
      handler: async (event) => ({
        statusCode: 200,
        body: JSON.stringify(
          (event as { requestContext: { authorizer: { jwt: { claims: unknown } } } }).requestContext.authorizer.jwt
            .claims,
        ),
      }),
    }),
  );
  // What `aws lambda add-permission --principal apigateway.amazonaws.com` writes: API Gateway may invoke it.
  const fn = arns.lambda(cloud.account, 'whoami');
  cloud.iam.putResourcePolicy(fn, 'apigateway', [
    {
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: fn,
    },
  ]);
  cloud.apis.registerApi({
    apiId: 'orders1',
    name: 'Orders',
    kind: 'HTTP',
    authorizers: { Cognito: { type: 'JWT', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local' } },
    defaultAuthorizer: 'Cognito',
    routes: [{ method: 'GET', path: '/me', functionArn: arns.lambda(cloud.account, 'whoami') }],
  });
});

afterAll(async () => {
  await cloud.close();
});

it('answers 401 without a token and 200 with a token from /_presso/token', async () => {
  const url = `${cloud.apis.baseUrl(cloud.url, 'orders1')}/me`;
  expect((await fetch(url)).status).toBe(401);
  const { token } = (await (
    await fetch(`${cloud.url}/_presso/token`, {
      method: 'POST',
      body: JSON.stringify({ user: 'bob', groups: ['barista'] }),
    })
  ).json()) as { token: string };
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ 'cognito:username': 'bob', 'cognito:groups': '[barista]' });
});

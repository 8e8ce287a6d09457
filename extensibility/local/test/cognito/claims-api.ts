// An HTTP API behind a JWT authorizer of a user pool, as the core's: GET /me answers with the claims
// the authorizer passed on. The OAuth tests use it to show a token is accepted as API Gateway accepts it.
import { arns, inProcessFunction, type LocalCloud } from '../../src/index.js';

/** Registers the API on the cloud; `me(token)` calls it. */
export function registerClaimsApi(cloud: LocalCloud, poolId: string, clientId: string) {
  cloud.lambda.register(
    inProcessFunction({
      name: 'claims',
      arn: arns.lambda(cloud.account, 'claims'),
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
  const fn = arns.lambda(cloud.account, 'claims');
  cloud.iam.putResourcePolicy(fn, 'apigateway', [
    {
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: fn,
    },
  ]);
  cloud.apis.registerApi({
    apiId: 'coffeeapi',
    name: 'Coffee',
    kind: 'HTTP',
    authorizers: {
      Pool: {
        type: 'JWT',
        issuer: `https://cognito-idp.${cloud.account.region}.amazonaws.com/${poolId}`,
        audience: [clientId],
      },
    },
    defaultAuthorizer: 'Pool',
    routes: [{ method: 'GET', path: '/me', functionArn: arns.lambda(cloud.account, 'claims') }],
  });
  return {
    me: (token: string) =>
      fetch(`${cloud.apis.baseUrl(cloud.url, 'coffeeapi')}/me`, { headers: { authorization: `Bearer ${token}` } }),
  };
}

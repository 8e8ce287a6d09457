// HTTP and REST APIs deployed from SAM templates as stacks, over real HTTP: functions built and run
// by the Lambda runtime, tokens minted by the cloud's token route for the templates' user pools.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalCloud, type LocalCloud, type StackApi } from '../../src/index.js';

const fixture = (name: string) => new URL(`../stacks/fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let orders: StackApi;
let rest: StackApi;
let ping: StackApi;

async function token(request: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${cloud.url}/_presso/token`, { method: 'POST', body: JSON.stringify(request) });
  const body = (await res.json()) as { token?: string; message?: string };
  if (!body.token) throw new Error(`no token: ${body.message}`);
  return body.token;
}

const ordersToken = (user: string, groups: string[] = [], extra: Record<string, unknown> = {}) =>
  token({ user, groups, userPool: 'orders/UserPool', ...extra });
const menuToken = (user: string) => token({ user, userPool: 'menu/MenuPool' });

async function call(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  await cloud.stacks.deploy({ path: fixture('orders-http-app'), stackName: 'orders' });
  await cloud.stacks.deploy({ path: fixture('menu-rest-app'), stackName: 'menu' });
  orders = cloud.stacks.get('orders')!.apis.OrdersApi!;
  rest = cloud.stacks.get('menu')!.apis.ServerlessRestApi!;
  ping = cloud.stacks.get('menu')!.apis.ServerlessHttpApi!;
});

afterAll(async () => {
  await cloud.close();
});

describe('stacks with APIs', () => {
  it('record each API with its local URL, and outputs that point at the edge', () => {
    const stack = cloud.stacks.get('orders')!;
    expect(orders).toMatchObject({
      kind: 'HTTP',
      stage: '$default',
      url: `${cloud.url}/apis/${orders.apiId}`,
      awsUrl: `https://${orders.apiId}.execute-api.us-east-1.amazonaws.com`,
    });
    expect(orders.routes).toContainEqual({ routeKey: 'GET /orders/{id}', function: 'Orders', authorizer: 'Cognito' });
    expect(orders.routes).toContainEqual({ routeKey: '$default', function: 'Fallback' });
    expect(stack.outputs.OrdersUrl).toBe(`https://${orders.apiId}.execute-api.us-east-1.amazonaws.com/orders`);
    expect(stack.localOutputs).toMatchObject({
      ApiEndpoint: orders.url,
      OrdersUrl: `${orders.url}/orders`,
      UserPoolId: stack.outputs.UserPoolId,
    });
    expect(stack.notEmulated).toEqual([]);
    const menu = cloud.stacks.get('menu')!;
    expect(rest).toMatchObject({ kind: 'REST', stage: 'Prod', url: `${cloud.url}/apis/${rest.apiId}/Prod` });
    expect(menu.localOutputs).toEqual({ ItemsUrl: `${rest.url}/items`, PingUrl: `${ping.url}/` });
  });
});

describe('an HTTP API behind a user pool', () => {
  it("answers 401 without a token, with another pool's token, another audience or an expired one", async () => {
    expect(await call(`${orders.url}/orders/ann-1`)).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    const otherPool = await call(`${orders.url}/orders/ann-1`, { token: await menuToken('ann') });
    expect(otherPool).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(otherPool.headers.get('www-authenticate')).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer"',
    );
    const audience = await call(`${orders.url}/orders/ann-1`, {
      token: await ordersToken('ann', [], { audience: 'someone-else' }),
    });
    expect(audience.status).toBe(401);
    expect(audience.headers.get('www-authenticate')).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
    );
    const pool = cloud.issuer.pools.get(cloud.stacks.get('orders')!.outputs.UserPoolId!)!;
    const expired = await cloud.issuer.mint({
      user: 'ann',
      issuer: pool.providerUrl,
      audience: pool.clients[0]!.clientId,
      expiresInSeconds: -60,
    });
    expect((await call(`${orders.url}/orders/ann-1`, { token: expired })).headers.get('www-authenticate')).toContain(
      'error_description="the token has expired"',
    );
  });

  it('passes path parameters, query strings and the claims of a valid token', async () => {
    const { status, body } = await call(`${orders.url}/orders/ann-7?size=large&shot=1&shot=2`, {
      token: await ordersToken('ann'),
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      routeKey: 'GET /orders/{id}',
      rawPath: '/orders/ann-7',
      stage: '$default',
      pathParameters: { id: 'ann-7' },
      query: { size: 'large', shot: '1,2' },
      user: 'ann',
      groups: [],
      scopes: null,
      owner: 'ann',
    });
  });

  it('lets the function refuse what the groups in the token do not allow', async () => {
    const ann = await ordersToken('ann');
    const bob = await ordersToken('bob', ['barista']);
    const cy = await ordersToken('cy', ['admin']);
    expect(await call(`${orders.url}/orders/bob-1`, { token: ann })).toMatchObject({
      status: 403,
      body: { message: 'not your order' },
    });
    expect(await call(`${orders.url}/orders/ann-1`, { token: bob })).toMatchObject({
      status: 200,
      body: { user: 'bob', groups: ['barista'] },
    });
    expect(await call(`${orders.url}/barista/queue`, { token: ann })).toMatchObject({
      status: 403,
      body: { message: 'barista only' },
    });
    expect(await call(`${orders.url}/barista/queue`, { token: bob })).toMatchObject({ status: 200 });
    expect(await call(`${orders.url}/config`, { method: 'PUT', token: bob })).toMatchObject({
      status: 403,
      body: { message: 'admin only' },
    });
    expect(await call(`${orders.url}/config`, { method: 'PUT', token: cy })).toMatchObject({
      status: 200,
      body: { groups: ['admin'] },
    });
    const unknownGroup = await fetch(`${cloud.url}/_presso/token`, {
      method: 'POST',
      body: JSON.stringify({ user: 'dee', groups: ['manager'], userPool: 'orders/UserPool' }),
    });
    expect(unknownGroup.status).toBe(400);
    expect(((await unknownGroup.json()) as { message: string }).message).toMatch(
      /^user pool orders\/UserPool \(\S+\) has no group 'manager' \(its groups: admin, barista\)$/,
    );
  });

  it("answers 403 when the token lacks the route's scopes", async () => {
    const idToken = await ordersToken('ann');
    const forbidden = await call(`${orders.url}/scoped`, { token: idToken });
    expect(forbidden).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
    expect(forbidden.headers.get('www-authenticate')).toMatch(
      /^Bearer scope="orders\/read" error="insufficient_scope"/,
    );
    expect(
      (await call(`${orders.url}/scoped`, { token: await ordersToken('ann', [], { scopes: ['orders/write'] }) }))
        .status,
    ).toBe(403);
    expect(
      await call(`${orders.url}/scoped`, {
        token: await ordersToken('ann', [], { scopes: ['orders/read', 'openid'] }),
      }),
    ).toMatchObject({ status: 200, body: { user: 'ann', scopes: ['orders/read', 'openid'] } });
  });

  it('serves routes without auth and the $default route', async () => {
    expect(await call(`${orders.url}/health`)).toMatchObject({
      status: 200,
      body: { routeKey: 'GET /health', user: null },
    });
    expect(await call(`${orders.url}/anything/else?x=1`)).toEqual(
      expect.objectContaining({
        status: 200,
        body: { fallback: true, routeKey: '$default', rawPath: '/anything/else' },
      }),
    );
  });

  it('answers CORS preflights itself and puts its CORS headers on responses', async () => {
    const pre = await fetch(`${orders.url}/orders/ann-1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.local', 'access-control-request-method': 'PUT' },
    });
    expect(pre.status).toBe(204);
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'http://app.local',
      'access-control-allow-methods': 'GET,PUT',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'x-served-by',
    });
    const res = await call(`${orders.url}/orders/ann-1`, {
      token: await ordersToken('ann'),
      headers: { origin: 'http://app.local' },
    });
    // The function's own access-control-allow-origin is replaced by the API's.
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.local');
    expect(res.headers.get('x-served-by')).toBe('orders');
    const foreign = await call(`${orders.url}/health`, { headers: { origin: 'http://evil.local' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to mint without a pool when several are deployed', async () => {
    const res = await fetch(`${cloud.url}/_presso/token`, { method: 'POST', body: JSON.stringify({ user: 'ann' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^2 user pools are deployed: pick one with --user-pool \(orders\/UserPool \(\S+\); menu\/MenuPool \(\S+\)\)$/,
    );
  });
});

describe('a REST API (payload 1.0) with a Cognito authorizer', () => {
  it('builds the 1.0 event with the stage in requestContext.path', async () => {
    const { status, body } = await call(`${rest.url}/items/42?q=1&q=2`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      stagePath: '/Prod/items/42',
      stage: 'Prod',
      pathParameters: { id: '42' },
      query: { q: '2' },
      multiQuery: { q: ['1', '2'] },
      claims: null,
    });
  });

  it("answers 401 without a token or with another pool's, and passes the pool's claims", async () => {
    expect(await call(`${rest.url}/me`)).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(await call(`${rest.url}/me`, { token: await ordersToken('ann') })).toMatchObject({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    const { status, body } = await call(`${rest.url}/me`, { token: await menuToken('ann') });
    expect(status).toBe(200);
    const claims = body.claims as Record<string, string>;
    expect(claims).toMatchObject({
      'cognito:username': 'ann',
      token_use: 'id',
      iss: expect.stringMatching(/^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_/),
    });
    expect(claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    const created = await call(`${rest.url}/items`, {
      method: 'POST',
      token: await menuToken('ann'),
      body: '{"name":"latte"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(created).toMatchObject({ status: 201, body: { resource: '/items', body: '{"name":"latte"}' } });
  });

  it('says an expired token has expired', async () => {
    const pool = cloud.issuer.pools.list().find((p) => p.logicalId === 'MenuPool')!;
    const expired = await cloud.issuer.mint({
      user: 'ann',
      issuer: pool.providerUrl,
      audience: pool.clients[0]!.clientId,
      expiresInSeconds: -60,
    });
    expect(await call(`${rest.url}/me`, { token: expired })).toMatchObject({
      status: 401,
      body: { message: 'The incoming token has expired' },
    });
  });

  it('answers unknown routes and stages as API Gateway does', async () => {
    expect(await call(`${rest.url}/nowhere`)).toMatchObject({
      status: 403,
      body: { message: 'Missing Authentication Token' },
    });
    expect(await call(`${rest.url}/items/1`, { method: 'DELETE' })).toMatchObject({
      status: 403,
      body: { message: 'Missing Authentication Token' },
    });
    expect(await call(`${cloud.url}/apis/${rest.apiId}/Dev/items/1`)).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });

  it('answers the CORS preflight SAM adds, without the authorizer (AddDefaultAuthorizerToCorsPreflight: false)', async () => {
    const pre = await fetch(`${rest.url}/items`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.local', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'OPTIONS,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '300',
    });
  });

  it('serves the implicit HTTP API of the same template', async () => {
    expect(await call(`${ping.url}/any/path`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { pong: true, routeKey: '$default', rawPath: '/any/path' },
    });
  });
});

describe('redeploying a stack', () => {
  it("keeps its APIs' ids and URLs, and tokens of its pool stay valid", async () => {
    const before = await ordersToken('ann');
    const record = await cloud.stacks.deploy({ path: fixture('orders-http-app'), stackName: 'orders' });
    expect(record.status).toBe('UPDATE_COMPLETE');
    expect(record.apis.OrdersApi!.url).toBe(orders.url);
    expect(await call(`${orders.url}/orders/ann-2`, { token: before })).toMatchObject({
      status: 200,
      body: { user: 'ann' },
    });
  });
});

describe('deleting a stack', () => {
  it("removes its APIs and user pool; the other stack's API keeps working", async () => {
    const menuPool = cloud.issuer.pools.list().find((p) => p.logicalId === 'MenuPool')!.id;
    expect(await cloud.stacks.delete('menu')).toBe(true);
    expect(await call(`${rest.url}/items/1`)).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(await call(`${ping.url}/x`)).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(cloud.issuer.pools.get(menuPool)).toBeUndefined();
    // One pool left: presso token needs no --user-pool any more.
    expect(await call(`${orders.url}/orders/ann-1`, { token: await token({ user: 'ann' }) })).toMatchObject({
      status: 200,
      body: { user: 'ann' },
    });
  });
});

// HTTP APIs over real HTTP through the edge: routes, the proxy event shapes, JWT auth, CORS and errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { startEdge, type Edge } from '../../src/edge/server.js';
import { inProcessFunction } from '../../src/services/lambda/functions.js';
import { LambdaService } from '../../src/services/lambda/service.js';
import { LocalIssuer } from '../../src/services/apis/issuer.js';
import { HttpApisService } from '../../src/services/apis/service.js';

type Event = Record<string, unknown> & { requestContext: Record<string, unknown> };

let edge: Edge;
let apis: HttpApisService;
let issuer: LocalIssuer;
let http: string;
let rest: string;
const events: Event[] = [];
const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool';
const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

beforeAll(async () => {
  const lambda = new LambdaService();
  const echo = (name: string, reply: (e: Event) => unknown) =>
    lambda.register(
      inProcessFunction({
        name,
        arn: arn(name),
        handler: async (e) => {
          events.push(e as Event);
          return reply(e as Event);
        },
      }),
    );
  echo('echo', (e) => ({
    statusCode: 200,
    headers: { 'X-Echo': 'yes' },
    body: JSON.stringify({ route: e.routeKey ?? e.resource }),
  }));
  echo('bare', () => ({ hello: 'world' }));
  echo('bad', () => 'not structured');
  echo('any', () => ({ which: 'any' }));
  lambda.register(
    inProcessFunction({
      name: 'boom',
      arn: arn('boom'),
      handler: async () => {
        throw new Error('boom');
      },
    }),
  );
  edge = await startEdge({ port: 0, services: [lambda] });
  issuer = new LocalIssuer(`${edge.url}/_presso/issuer`);
  await issuer.start();
  apis = new HttpApisService(lambda, issuer);
  edge.addService(apis);
  apis.registerApi({
    apiId: 'httpapi',
    name: 'Orders',
    kind: 'HTTP',
    cors: {
      allowOrigins: ['http://app.local'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['authorization'],
      maxAge: 600,
      exposeHeaders: ['x-echo'],
    },
    authorizers: { jwt: { type: 'JWT', issuer: COGNITO, audience: ['web'] } },
    routes: [
      { method: 'GET', path: '/orders/{id}', functionArn: arn('echo') },
      { method: 'GET', path: '/orders/special', functionArn: arn('bare') },
      { method: 'ANY', path: '/orders/{id}', functionArn: arn('any') },
      { method: 'GET', path: '/files/{proxy+}', functionArn: arn('echo') },
      { method: 'GET', path: '/secure', functionArn: arn('echo'), authorizer: 'jwt' },
      { method: 'GET', path: '/boom', functionArn: arn('boom') },
    ],
  });
  apis.registerApi({
    apiId: 'restapi',
    name: 'Rest',
    kind: 'REST',
    stage: 'Prod',
    authorizers: {
      cognito: {
        type: 'COGNITO_USER_POOLS',
        providerArns: ['arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_pool'],
      },
    },
    routes: [
      { method: 'GET', path: '/items/{id}', functionArn: arn('echo') },
      { method: 'GET', path: '/me', functionArn: arn('echo'), authorizer: 'cognito' },
      { method: 'GET', path: '/bad', functionArn: arn('bad') },
    ],
  });
  apis.registerApi({
    apiId: 'staged',
    name: 'Staged',
    kind: 'HTTP',
    stage: 'live',
    routes: [{ method: 'GET', path: '/items/{id}', functionArn: arn('echo') }],
  });
  apis.registerApi({
    apiId: 'restcors',
    name: 'RestCors',
    kind: 'REST',
    stage: 'v1',
    authorizers: {
      cognito: {
        type: 'COGNITO_USER_POOLS',
        providerArns: ['arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_pool'],
        identitySource: 'method.request.header.X-Token',
      },
    },
    defaultAuthorizer: 'cognito',
    restCors: { allowOrigin: 'https://app.example', authorizer: 'cognito' },
    routes: [
      { method: 'ANY', path: '/things', functionArn: arn('echo') },
      { method: 'GET', path: '/boom', functionArn: arn('boom'), authorizer: 'NONE' },
      { method: 'GET', path: '/scoped', functionArn: arn('echo'), authorizationScopes: ['menu/read'] },
    ],
  });
  http = apis.baseUrl(edge.url, 'httpapi');
  rest = apis.baseUrl(edge.url, 'restapi');
});

afterAll(async () => edge.close());

const last = (): Event => events[events.length - 1]!;

describe('HTTP API (payload 2.0)', () => {
  it('passes path parameters, query strings and lower-cased headers', async () => {
    const res = await fetch(`${http}/orders/42?a=1&b=x&b=y`, { headers: { 'X-Custom': 'V', cookie: 'c1=1; c2=2' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(await res.json()).toEqual({ route: 'GET /orders/{id}' });
    const e = last();
    expect(e).toMatchObject({
      version: '2.0',
      routeKey: 'GET /orders/{id}',
      rawPath: '/orders/42',
      rawQueryString: 'a=1&b=x&b=y',
      queryStringParameters: { a: '1', b: 'x,y' },
      pathParameters: { id: '42' },
      cookies: ['c1=1', 'c2=2'],
      body: null,
      isBase64Encoded: false,
    });
    expect((e.headers as Record<string, string>)['x-custom']).toBe('V');
    expect(e.requestContext).toMatchObject({
      apiId: 'httpapi',
      stage: '$default',
      routeKey: 'GET /orders/{id}',
      http: { method: 'GET', path: '/orders/42', protocol: 'HTTP/1.1' },
    });
    expect(typeof e.requestContext.timeEpoch).toBe('number');
  });

  it('prefers exact over parameterised routes, methods over ANY, and supports greedy paths', async () => {
    expect(await (await fetch(`${http}/orders/special`)).json()).toEqual({ hello: 'world' });
    expect(await (await fetch(`${http}/orders/7`, { method: 'DELETE' })).json()).toEqual({ which: 'any' });
    await fetch(`${http}/files/a/b/c.txt`);
    expect(last().pathParameters).toEqual({ proxy: 'a/b/c.txt' });
  });

  it('answers 404 for no route and 500 when the function fails', async () => {
    const missing = await fetch(`${http}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
    const boom = await fetch(`${http}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers CORS preflights and adds CORS headers', async () => {
    const pre = await fetch(`${http}/orders/1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.local', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.local');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    const res = await fetch(`${http}/orders/1`, { headers: { origin: 'http://app.local' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.local');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-echo');
    const foreign = await fetch(`${http}/orders/1`, { headers: { origin: 'http://evil.local' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('JWT authorizer', () => {
  it('answers 401 without a token, with a foreign key, or expired', async () => {
    expect((await fetch(`${http}/secure`)).status).toBe(401);
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(COGNITO)
      .setAudience('web')
      .setExpirationTime('1h')
      .sign(privateKey);
    const res = await fetch(`${http}/secure`, { headers: { authorization: `Bearer ${foreign}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
    const expired = await issuer.mint({ user: 'ann', audience: 'web', expiresInSeconds: -60 });
    expect((await fetch(`${http}/secure`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    const wrongAudience = await issuer.mint({ user: 'ann', audience: 'other' });
    expect((await fetch(`${http}/secure`, { headers: { authorization: wrongAudience } })).status).toBe(401);
  });

  it('passes the claims of a minted token to the function', async () => {
    const token = await issuer.mint({ user: 'ann', groups: ['admin'], audience: 'web' });
    const res = await fetch(`${http}/secure`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const claims = (last().requestContext.authorizer as { jwt: { claims: Record<string, string> } }).jwt.claims;
    expect(claims).toMatchObject({
      'cognito:username': 'ann',
      'cognito:groups': '[admin]',
      token_use: 'id',
      aud: 'web',
    });
  });

  it('mints tokens over POST /_presso/token and serves the JWKS', async () => {
    const res = await fetch(`${edge.url}/_presso/token`, {
      method: 'POST',
      body: JSON.stringify({ user: 'bob', groups: ['barista'], audience: 'web', issuer: COGNITO }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const claims = await issuer.verify(token, { issuers: [COGNITO], audience: ['web'] });
    expect(claims).toMatchObject({ 'cognito:username': 'bob', 'cognito:groups': ['barista'], iss: COGNITO });
    expect((await fetch(`${http}/secure`, { headers: { authorization: token } })).status).toBe(200);
    const jwks = (await (await fetch(`${edge.url}/_presso/issuer/.well-known/jwks.json`)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });
});

describe('REST API (payload 1.0)', () => {
  it('builds the 1.0 proxy event', async () => {
    const res = await fetch(`${rest}/items/9?q=1&q=2`, { headers: { 'X-Custom': 'V' } });
    expect(res.status).toBe(200);
    const e = last();
    expect(e).toMatchObject({
      resource: '/items/{id}',
      path: '/items/9',
      httpMethod: 'GET',
      pathParameters: { id: '9' },
      queryStringParameters: { q: '2' },
      multiValueQueryStringParameters: { q: ['1', '2'] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect((e.multiValueHeaders as Record<string, string[]>)['x-custom']).toEqual(['V']);
    expect(e.requestContext).toMatchObject({
      apiId: 'restapi',
      stage: 'Prod',
      resourcePath: '/items/{id}',
      httpMethod: 'GET',
    });
  });

  it('passes Cognito claims and answers 401 without a token', async () => {
    expect((await fetch(`${rest}/me`)).status).toBe(401);
    const token = await issuer.mint({ user: 'cy', groups: ['admin'] });
    expect((await fetch(`${rest}/me`, { headers: { authorization: token } })).status).toBe(200);
    expect((last().requestContext.authorizer as { claims: Record<string, string> }).claims['cognito:username']).toBe(
      'cy',
    );
  });

  it('answers 502 for a response without statusCode', async () => {
    const res = await fetch(`${rest}/bad`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  });
});

describe('stages', () => {
  it('puts a named stage in the URL; an HTTP API keeps it in rawPath, routes match without it', async () => {
    expect(apis.baseUrl(edge.url, 'staged')).toBe(`${edge.url}/apis/staged/live`);
    expect(rest).toBe(`${edge.url}/apis/restapi/Prod`);
    expect((await fetch(`${edge.url}/apis/staged/live/items/3`)).status).toBe(200);
    expect(last()).toMatchObject({
      routeKey: 'GET /items/{id}',
      rawPath: '/live/items/3',
      pathParameters: { id: '3' },
      requestContext: { stage: 'live', http: { path: '/live/items/3' } },
    });
    const outside = await fetch(`${edge.url}/apis/staged/items/3`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ message: 'Not Found' });
  });
});

describe('REST API authorizers, CORS and errors', () => {
  const things = () => `${apis.baseUrl(edge.url, 'restcors')}/things`;

  it('puts the default authorizer on the CORS preflight, reading the identity header the authorizer names', async () => {
    const denied = await fetch(things(), { method: 'OPTIONS' });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ message: 'Unauthorized' });
    const token = await issuer.mint({ user: 'ann' });
    const pre = await fetch(things(), { method: 'OPTIONS', headers: { 'x-token': token } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toBe('DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
    // The function's response carries no CORS header the REST API did not get from the function.
    const res = await fetch(things(), { headers: { 'x-token': token, origin: 'https://app.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(things(), { headers: { authorization: token } })).status).toBe(401);
  });

  it('takes access tokens with a scope of the route when it has scopes, ID tokens otherwise', async () => {
    const scoped = `${apis.baseUrl(edge.url, 'restcors')}/scoped`;
    const id = await issuer.mint({ user: 'ann' });
    const access = await issuer.mint({ user: 'ann', scopes: ['menu/read'] });
    expect((await fetch(scoped, { headers: { 'x-token': id } })).status).toBe(401);
    expect(
      (await fetch(scoped, { headers: { 'x-token': await issuer.mint({ user: 'ann', scopes: ['menu/write'] }) } }))
        .status,
    ).toBe(401);
    expect((await fetch(scoped, { headers: { 'x-token': access } })).status).toBe(200);
    expect((last().requestContext.authorizer as { claims: Record<string, string> }).claims).toMatchObject({
      token_use: 'access',
      scope: 'menu/read',
      username: 'ann',
    });
    expect((await fetch(things(), { headers: { 'x-token': access } })).status).toBe(401);
  });

  it('answers 502 when the function fails', async () => {
    const res = await fetch(`${apis.baseUrl(edge.url, 'restcors')}/boom`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  });

  it('gives REST claims as strings, groups comma-joined and exp/iat as dates', async () => {
    const token = await issuer.mint({ user: 'cy', groups: ['admin', 'barista'] });
    expect((await fetch(`${rest}/me`, { headers: { authorization: token } })).status).toBe(200);
    const claims = (last().requestContext.authorizer as { claims: Record<string, string> }).claims;
    expect(claims['cognito:groups']).toBe('admin,barista');
    expect(claims.auth_time).toMatch(/^\d+$/);
    expect(new Date(claims.iat!.replace(' UTC', '') + ' UTC').getTime() / 1000).toBeCloseTo(
      Number(claims.auth_time),
      -1,
    );
  });
});

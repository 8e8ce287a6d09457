// AppSync Events on the local cloud, through the real path: a template deployed as a stack, a real
// WebSocket client (ws) speaking AppSync's protocol, HTTP publish with fetch, tokens minted for the
// template's user pools, and a function publishing with the URL its template resolved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud, type StackEventApi, type StackRecord } from '../../src/index.js';
import { EventsClient } from '@serverlesspresso/testing/events';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let stack: StackRecord;
let api: StackEventApi;
let apiKey: string;
const clients: EventsClient[] = [];
/** A SigV4 Authorization header's shape: the local cloud takes a signed request as IAM-authorized. */
const iam = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20260101T000000Z',
};

async function token(user: string, userPool = 'rt/UserPool'): Promise<string> {
  const res = await fetch(`${cloud.url}/_presso/token`, { method: 'POST', body: JSON.stringify({ user, userPool }) });
  const body = (await res.json()) as { token?: string; message?: string };
  if (!body.token) throw new Error(`no token: ${body.message}`);
  return body.token;
}
const subOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

async function connect(headers: Record<string, string>, options: { autoPong?: boolean } = {}) {
  const client = await EventsClient.connect(api.realtime, { host: api.dns.http, ...headers }, options);
  clients.push(client);
  return client;
}

async function publish(channel: string, events: unknown[], headers: Record<string, string> = { 'x-api-key': apiKey }) {
  const res = await fetch(api.http, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ channel, events }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const json = (events: unknown[]) => events.map((e) => JSON.stringify(e));

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    speed: 100,
    log: () => {},
    appsync: { keepAliveIntervalMs: 100, connectionTimeoutMs: 1000 },
  });
  stack = await cloud.stacks.deploy({ path: fixture('realtime-app'), stackName: 'rt' });
  api = stack.eventApis.Api!;
  apiKey = stack.outputs.KeyValue!;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await cloud.close();
});

describe('the stack', () => {
  it('records the Event API with its local URLs; outputs keep AWS values, local outputs point at the edge', () => {
    const host = new URL(cloud.url).host;
    expect(api).toMatchObject({
      http: `${cloud.url}/appsync/${api.apiId}/event`,
      realtime: `ws://${host}/appsync/${api.apiId}/event/realtime`,
      dns: {
        http: `${api.apiId}.appsync-api.us-east-1.amazonaws.com`,
        realtime: `${api.apiId}.appsync-realtime-api.us-east-1.amazonaws.com`,
      },
    });
    expect(api.namespaces.sort()).toEqual(['orders', 'staff']);
    expect(api.apiId).toMatch(/^[a-z0-9]{26}$/);
    expect(stack.outputs).toMatchObject({
      HttpUrl: `https://${api.dns.http}/event`,
      RealtimeUrl: `wss://${api.dns.realtime}/event/realtime`,
      HttpDomain: api.dns.http,
      ApiArn: `arn:aws:appsync:us-east-1:${cloud.account.accountId}:apis/${api.apiId}`,
      StaffArn: `arn:aws:appsync:us-east-1:${cloud.account.accountId}:apis/${api.apiId}/channelNamespace/staff`,
    });
    expect(stack.outputs.KeyValue).toMatch(/^da2-[a-z0-9]{26}$/);
    expect(stack.localOutputs).toMatchObject({
      HttpUrl: api.http,
      RealtimeUrl: api.realtime,
      HttpDomain: api.dns.http,
    });
  });

  it('fails the deploy of a handler APPSYNC_JS refuses, naming the resource and the line', async () => {
    await expect(cloud.stacks.deploy({ path: fixture('broken-handler-app'), stackName: 'broken' })).rejects.toThrow(
      /Resources\.Looping\.Properties\.CodeHandlers: line 3: while loops are not supported by the APPSYNC_JS runtime/,
    );
    expect(cloud.stacks.get('broken')).toBeUndefined();
  });
});

describe('subscribe and receive', () => {
  it('acks the connection with its timeout, then delivers HTTP and WebSocket publishes to a customer on their channel', async () => {
    const jwt = await token('ana');
    const client = await connect({ authorization: jwt });
    expect(client.ws.protocol).toBe('aws-appsync-event-ws');
    expect(await client.init()).toEqual({ type: 'connection_ack', connectionTimeoutMs: 1000 });
    await client.next('ka');
    const channel = `/orders/e1/${subOf(jwt)}`;
    expect(await client.subscribe('s1', channel, { authorization: jwt })).toEqual({
      type: 'subscribe_success',
      id: 's1',
    });

    const http = await publish(channel, json([{ state: 'SUBMITTED' }, { state: 'MAKING' }]));
    expect(http.status).toBe(200);
    expect(http.body.failed).toEqual([]);
    expect(http.body.successful).toEqual([
      { identifier: expect.any(String), index: 0 },
      { identifier: expect.any(String), index: 1 },
    ]);
    const first = await client.next('data', 's1');
    expect(first).toEqual({ type: 'data', id: 's1', event: JSON.stringify({ state: 'SUBMITTED' }) });
    await client.next('data', 's1');

    // A publisher on its own connection, signed with IAM, publishing over the WebSocket.
    const publisher = await connect(iam);
    await publisher.init();
    publisher.send({ type: 'publish', id: 'p1', channel, events: json([{ state: 'COMPLETED' }]), authorization: iam });
    const ack = await publisher.next('publish_success', 'p1');
    expect(ack).toMatchObject({ successful: [{ identifier: expect.any(String), index: 0 }], failed: [] });
    await until('the completed event', () => client.data('s1').length === 3);
    expect(client.data('s1')).toEqual([{ state: 'SUBMITTED' }, { state: 'MAKING' }, { state: 'COMPLETED' }]);

    client.send({ type: 'unsubscribe', id: 's1' });
    expect(await client.next('unsubscribe_success', 's1')).toEqual({ type: 'unsubscribe_success', id: 's1' });
    await publish(channel, json([{ state: 'AFTER' }]));
    // A second subscriber proves the publish was delivered; the unsubscribed one got nothing more.
    const other = await connect({ 'x-api-key': apiKey });
    expect(await other.subscribe('w', '/staff/*', { 'x-api-key': apiKey })).toMatchObject({
      type: 'subscribe_success',
    });
    await publish('/staff/marker', json([{ marker: true }]));
    await other.next('data', 'w');
    expect(client.data('s1')).toHaveLength(3);
  });

  it('delivers to wildcard subscriptions below their path only, through the namespace onPublish handler', async () => {
    const client = await connect({ 'x-api-key': apiKey });
    await client.init();
    expect(await client.subscribe('nyc', '/staff/NYC/*', { 'x-api-key': apiKey })).toMatchObject({
      type: 'subscribe_success',
    });
    expect((await publish('/staff/LA/bar', json([{ n: 1 }]))).status).toBe(200);
    const result = await publish('/staff/NYC/bar/2', json([{ n: 2 }, { n: 3, secret: true }, { n: 4, bad: true }]));
    expect(result.status).toBe(200);
    expect(result.body.successful).toEqual([
      { identifier: expect.any(String), index: 0 },
      { identifier: expect.any(String), index: 1 },
    ]);
    expect(result.body.failed).toEqual([
      { identifier: expect.any(String), index: 2, code: 'CustomError', message: 'bad event' },
    ]);
    await client.next('data', 'nyc');
    expect(client.data('nyc')).toEqual([{ n: 2, via: 'staff' }]);
  });

  it('lets a function publish with the URL its template resolved (https://<Dns.Http>/event), pointing at the edge', async () => {
    const client = await connect({ 'x-api-key': apiKey });
    await client.subscribe('fn', '/staff/fn', { 'x-api-key': apiKey });
    const fn = cloud.lambda.get(
      `arn:aws:lambda:us-east-1:${cloud.account.accountId}:function:${stack.resources.find((r) => r.logicalId === 'Publisher')!.physicalId}`,
    )!;
    const result = await fn.invoke({ channel: '/staff/fn', events: [{ from: 'lambda' }] });
    expect(result).toMatchObject({ ok: true, payload: { status: 200, url: api.http } });
    await client.next('data', 'fn');
    expect(client.data('fn')).toEqual([{ from: 'lambda', via: 'staff' }]);
  });
});

describe('events as published', () => {
  it('reach subscribers byte for byte when no onPublish handler rewrites them', async () => {
    const jwt = await token('cy');
    const client = await connect({ authorization: jwt });
    const channel = `/orders/e2/${subOf(jwt)}`;
    await client.subscribe('raw', channel, { authorization: jwt });
    const event = '{ "state" : "SUBMITTED",\n "n": 1.50 }';
    expect((await publish(channel, [event])).status).toBe(200);
    expect(await client.next('data', 'raw')).toEqual({ type: 'data', id: 'raw', event });
  });
});

describe('redeploys', () => {
  it("update a namespace's handler in place: subscriptions stay and get the new code's events", async () => {
    const client = await connect({ 'x-api-key': apiKey });
    await client.subscribe('r', '/staff/redeploy', { 'x-api-key': apiKey });
    await cloud.stacks.deploy({ path: fixture('realtime-app'), stackName: 'rt', parameterOverrides: { Via: 'again' } });
    expect(cloud.stacks.get('rt')!.eventApis.Api!.apiId).toBe(api.apiId);
    await publish('/staff/redeploy', json([{ n: 1 }]));
    await client.next('data', 'r');
    expect(client.data('r')).toEqual([{ n: 1, via: 'again' }]);
    await cloud.stacks.deploy({ path: fixture('realtime-app'), stackName: 'rt' });
  });

  it("closes an API's connections when its stack is deleted", async () => {
    const copy = await cloud.stacks.deploy({ path: fixture('realtime-app'), stackName: 'rt-copy' });
    const client = await EventsClient.connect(copy.eventApis.Api!.realtime, { 'x-api-key': copy.outputs.KeyValue! });
    clients.push(client);
    await client.init();
    await cloud.stacks.delete('rt-copy');
    await until('the connection to close', () => client.closed);
    expect(client.ws.readyState).toBe(client.ws.CLOSED);
  });
});

describe('refusals', () => {
  const connectionRefused = async (headers: Record<string, string>) => {
    const client = await connect(headers);
    const error = await client.next('connection_error');
    await until('the refused connection to close', () => client.closed);
    return error;
  };

  it("refuses a connection without a token, with a forged, an expired or another pool's token, or a wrong API key", async () => {
    const unauthorized = { errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) }] };
    expect(await connectionRefused({})).toMatchObject(unauthorized);
    const { privateKey } = await generateKeyPair('RS256');
    const pool = cloud.issuer.pools.list().find((p) => p.logicalId === 'UserPool')!;
    const forged = await new SignJWT({ sub: 'x', token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(pool.providerUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await connectionRefused({ authorization: forged })).toMatchObject(unauthorized);
    const expired = await cloud.issuer.mint({ user: 'ana', issuer: pool.providerUrl, expiresInSeconds: -60 });
    expect(await connectionRefused({ authorization: expired })).toMatchObject({
      errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }],
    });
    expect(await connectionRefused({ authorization: await token('ana', 'rt/OtherPool') })).toMatchObject(unauthorized);
    expect(await connectionRefused({ 'x-api-key': 'da2-notakey' })).toMatchObject(unauthorized);
  });

  it('refuses a subscription the namespace does not allow, or its onSubscribe handler refuses', async () => {
    const ana = await token('ana');
    const bob = await token('bob');
    const client = await connect({ authorization: ana });
    await client.init();
    // Another customer's channel: the handler calls util.unauthorized().
    expect(await client.subscribe('b', `/orders/e1/${subOf(bob)}`, { authorization: ana })).toEqual({
      type: 'subscribe_error',
      id: 'b',
      errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }],
    });
    // The orders namespace takes Cognito only for subscriptions: an API key is refused.
    expect(await client.subscribe('k', `/orders/e1/${subOf(ana)}`, { 'x-api-key': apiKey })).toMatchObject({
      type: 'subscribe_error',
      errors: [{ errorType: 'UnauthorizedException' }],
    });
    // A subscription carries its own authorization: an expired or another pool's token is refused there too.
    const pool = cloud.issuer.pools.list().find((p) => p.logicalId === 'UserPool')!;
    const expired = await cloud.issuer.mint({ user: 'ana', issuer: pool.providerUrl, expiresInSeconds: -60 });
    expect(await client.subscribe('exp', `/orders/e1/${subOf(ana)}`, { authorization: expired })).toEqual({
      type: 'subscribe_error',
      id: 'exp',
      errors: [{ errorType: 'UnauthorizedException', message: 'Token has expired.' }],
    });
    const other = await token('ana', 'rt/OtherPool');
    expect(await client.subscribe('oth', `/orders/e1/${subOf(other)}`, { authorization: other })).toMatchObject({
      type: 'subscribe_error',
      errors: [{ errorType: 'UnauthorizedException' }],
    });
    expect(await client.subscribe('bad', '/orders/e 1', { authorization: ana })).toMatchObject({
      type: 'subscribe_error',
      errors: [{ errorType: 'BadRequestException', message: expect.stringContaining("segment 2 ('e 1')") }],
    });
    expect(await client.subscribe('nons', '/nowhere/x', { authorization: ana })).toMatchObject({
      type: 'subscribe_error',
      errors: [{ errorType: 'BadRequestException', message: expect.stringContaining("namespace 'nowhere'") }],
    });
  });

  it('refuses a publish of more than 5 events or of an event over 240 KB, over HTTP and WebSocket', async () => {
    const six = await publish('/staff/x', json([1, 2, 3, 4, 5, 6]));
    expect(six).toEqual({
      status: 400,
      body: { errors: [{ errorType: 'BadRequestException', message: expect.stringContaining('at most 5') }] },
    });
    const big = await publish('/staff/x', [JSON.stringify({ text: 'x'.repeat(240 * 1024) })]);
    expect(big.status).toBe(400);
    expect(big.body).toEqual({
      errors: [{ errorType: 'BadRequestException', message: expect.stringContaining('at most 245760 bytes') }],
    });
    expect((await publish('/staff/x', ['not json'])).status).toBe(400);
    expect((await publish('/staff/*', json([1]))).body).toMatchObject({
      errors: [{ errorType: 'BadRequestException' }],
    });
    expect(await publish('/staff/x', json([1]), {})).toEqual({
      status: 401,
      body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] },
    });
    const client = await connect({ 'x-api-key': apiKey });
    client.send({
      type: 'publish',
      id: 'six',
      channel: '/staff/x',
      events: json([1, 2, 3, 4, 5, 6]),
      authorization: { 'x-api-key': apiKey },
    });
    expect(await client.next('publish_error', 'six')).toMatchObject({ errors: [{ errorType: 'BadRequestException' }] });
  });

  it('refuses an IAM request the IAM check refuses, naming the action and resource', async () => {
    cloud.appsync.setIamCheck(({ action }) => action !== 'appsync:EventPublish');
    try {
      expect(await publish('/staff/x', json([1]), iam)).toEqual({
        status: 401,
        body: {
          errors: [
            {
              errorType: 'UnauthorizedException',
              message: `Not authorized to perform appsync:EventPublish on arn:aws:appsync:us-east-1:${cloud.account.accountId}:apis/${api.apiId}/channelNamespace/staff.`,
            },
          ],
        },
      });
    } finally {
      cloud.appsync.setIamCheck(undefined);
    }
    expect((await publish('/staff/x', json([1]), iam)).status).toBe(200);
  });

  it('drops a client that stops answering after the keep-alive timeout, and keeps one that answers', async () => {
    const silent = await connect({ 'x-api-key': apiKey }, { autoPong: false });
    const alive = await connect({ 'x-api-key': apiKey });
    await silent.init();
    await alive.init();
    await silent.subscribe('s', '/staff/silent', { 'x-api-key': apiKey });
    const before = cloud.appsync.subscriptionCount(api.apiId);
    await until('the silent client to be dropped', () => silent.closed, { ms: 5000 });
    expect(alive.closed).toBe(false);
    expect(cloud.appsync.subscriptionCount(api.apiId)).toBe(before - 1);
  });
});

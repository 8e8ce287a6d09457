// The realtime client's protocol and recovery against a real `ws` server speaking AppSync Events'
// WebSocket protocol (appsync-events-server.ts), through Node 24's WebSocket, the browser's API.
// Timeouts, backoff and polling are milliseconds here so that nothing waits long; until() waits.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import type { RealtimeError } from '../../src/shared/realtime.js';
import {
  authProtocols,
  backoffDelay,
  channelProblem,
  RealtimeClient,
  type RealtimeStatus,
} from '../../src/shared/realtime.js';
import { AppSyncEventsServer } from './appsync-events-server.js';

const HOST = 'xyz.appsync-api.us-east-1.amazonaws.com';

describe('the realtime client', () => {
  let server: AppSyncEventsServer;
  let client: RealtimeClient;
  let tokens: number;
  let refreshes: number;
  let statuses: RealtimeStatus[];
  /** Tokens the server takes; the test revokes them to play an expired token. */
  let valid: Set<string>;
  let ids: number;

  const start = async (options: Partial<ConstructorParameters<typeof AppSyncEventsServer>[0]> = {}) => {
    server = await new AppSyncEventsServer({
      host: HOST,
      kaEveryMs: 50,
      // Generous: a test machine under load must not drop a connection the test did not mean to drop.
      connectionTimeoutMs: 5_000,
      validToken: (token) => valid.has(token),
      allow: (channel, token) =>
        !channel.startsWith('/orders/NYC/') || channel === `/orders/NYC/${token.split(':')[0]}`,
      ...options,
    }).start();
    client = new RealtimeClient({
      wsUrl: server.url,
      host: HOST,
      // Each connection asks for the token (auth.token() refreshes it when due).
      token: async () => {
        const token = `alice:${++tokens}`;
        valid.add(token);
        return token;
      },
      refreshToken: async () => {
        refreshes++;
      },
      newId: () => `sub-${++ids}`,
      backoff: { baseMs: 20, capMs: 100 },
      pollEveryMs: 40,
      ackTimeoutMs: 5_000,
    });
    client.onStatus((status) => statuses.push(status));
  };

  beforeEach(() => {
    tokens = 0;
    refreshes = 0;
    statuses = [];
    valid = new Set();
    ids = 0;
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it('connects with the subprotocols carrying host and token, subscribes after the ack, and delivers events', async () => {
    await start();
    const events: unknown[] = [];
    const sub = client.subscribe('/orders/NYC/alice', { onData: (e) => events.push(e) });
    expect(client.status).toBe('connecting');
    await until('live', () => client.status === 'live');
    expect(sub.live).toBe(true);

    const [connection] = server.connections;
    expect(connection!.protocols).toEqual(authProtocols(HOST, 'alice:1'));
    expect(connection!.header).toEqual({ host: HOST, Authorization: 'alice:1' });
    expect(connection!.received).toEqual([
      { type: 'connection_init' },
      {
        type: 'subscribe',
        id: 'sub-1',
        channel: '/orders/NYC/alice',
        authorization: { host: HOST, Authorization: 'alice:1' },
      },
    ]);

    server.publish('/orders/NYC/alice', { orderId: 'o-1', status: 'SUBMITTED', orderNumber: '12' });
    server.publish('/orders/NYC/bob', { orderId: 'o-2' });
    server.publish('/orders/NYC/alice', { orderId: 'o-1', status: 'MAKING' });
    await until('two events', () => events.length === 2 && events);
    expect(events).toEqual([
      { orderId: 'o-1', status: 'SUBMITTED', orderNumber: '12' },
      { orderId: 'o-1', status: 'MAKING' },
    ]);
    expect(statuses).toEqual(['live']);
  });

  it('subscribes to a wildcard channel and unsubscribes', async () => {
    await start();
    const events: unknown[] = [];
    const sub = client.subscribe('/staff/NYC/*', { onData: (e) => events.push(e) });
    await until('live', () => client.status === 'live');
    server.publish('/staff/NYC/queue', { n: 1 });
    await until('the event', () => events.length === 1);
    sub.unsubscribe();
    await until('the unsubscribe', () => server.connections[0]!.received.some((m) => m.type === 'unsubscribe'));
    expect(server.connections[0]!.received.at(-1)).toEqual({ type: 'unsubscribe', id: 'sub-1' });
    expect(server.publish('/staff/NYC/queue', { n: 2 })).toBe(0);
  });

  it("reports a refused subscription with AppSync's error and polls that channel while the others stay live", async () => {
    await start();
    const errors: RealtimeError[] = [];
    let polls = 0;
    const mine: unknown[] = [];
    client.subscribe('/orders/NYC/alice', { onData: (e) => mine.push(e) });
    client.subscribe('/orders/NYC/bob', {
      onData: () => undefined,
      onError: (e) => errors.push(e),
      poll: () => {
        polls++;
      },
    });
    await until('the refusal', () => errors.length > 0);
    expect(errors[0]).toMatchObject({
      errorType: 'UnauthorizedException',
      message: 'You are not authorized to make this call.',
      channel: '/orders/NYC/bob',
    });
    expect(client.status).toBe('polling');
    await until('polls every pollEveryMs', () => polls >= 3);
    server.publish('/orders/NYC/alice', { still: 'live' });
    await until("the live channel's event", () => mine.length === 1);
    // Refused as unauthorized: tried again alone with the backoff, the token refreshed first, on the same connection.
    const bobs = () => server.connections[0]!.received.filter((m) => m.channel === '/orders/NYC/bob');
    await until('three tries of the refused channel', () => bobs().length >= 3, {
      detail: () => JSON.stringify(server.connections.map((c) => [c.header, c.received])),
    });
    expect(refreshes).toBe(1);
    expect(bobs()[1]!.authorization).toEqual({ host: HOST, Authorization: 'alice:2' });
    expect(server.connections).toHaveLength(1);
  });

  it('when the server drops the connection: polls, reconnects with a fresh token, resubscribes every channel, polls once more, live again', async () => {
    await start();
    const events: unknown[] = [];
    let polls = 0;
    client.subscribe('/orders/NYC/alice', {
      onData: (e) => events.push(e),
      poll: () => {
        polls++;
      },
    });
    client.subscribe('/board/NYC', { onData: (e) => events.push(e) });
    await until('live', () => client.status === 'live');
    expect(polls).toBe(0);

    server.dropAll();
    // The reconnect may take less than until()'s 20 ms: the transitions are read, not the status now.
    await until('polling', () => statuses.includes('polling'));
    await until('polled at once', () => polls >= 1);
    await until('live again', () => statuses.length === 3 && client.status === 'live' && server.open.length === 1, {
      detail: () => JSON.stringify(server.connections.map((c) => [c.header, c.received])),
    });
    const second = server.open[0]!;
    expect(second.header.Authorization).toBe('alice:2');
    expect(second.received.filter((m) => m.type === 'subscribe').map((m) => [m.channel, m.authorization])).toEqual([
      ['/orders/NYC/alice', { host: HOST, Authorization: 'alice:2' }],
      ['/board/NYC', { host: HOST, Authorization: 'alice:2' }],
    ]);
    // The catch-up poll after resubscribing, for what was published while it was down.
    const pollsWhenLive = polls;
    expect(pollsWhenLive).toBeGreaterThanOrEqual(2);
    server.publish('/board/NYC', { after: 'reconnect' });
    await until('the event after the reconnect', () => events.length === 1);
    expect(statuses).toEqual(['live', 'polling', 'live']);
    expect(polls).toBe(pollsWhenLive);
  });

  it('while the server is down (a local cloud restarting), keeps polling and retrying; recovers when it is back', async () => {
    await start();
    let polls = 0;
    client.subscribe('/board/NYC', {
      onData: () => undefined,
      poll: () => {
        polls++;
      },
    });
    await until('live', () => client.status === 'live');
    await server.stop();
    await until('polling', () => client.status === 'polling');
    const before = polls;
    await until('several polls while down', () => polls >= before + 4);
    expect(client.status).toBe('polling');
    await server.start(); // the same port: a local cloud restarted
    await until('live again', () => client.status === 'live', { ms: 5_000 });
  });

  it('closes a connection that gets no keep-alive for connectionTimeoutMs, and reconnects', async () => {
    await start({ kaEveryMs: undefined, connectionTimeoutMs: 150 });
    client.subscribe('/board/NYC', { onData: () => undefined });
    await until('live', () => client.status === 'live');
    await until('dropped by the watchdog and reconnected', () => server.connections.length >= 2);
    expect(statuses.slice(0, 2)).toEqual(['live', 'polling']);
  });

  it('keeps a connection that gets its keep-alives', async () => {
    await start({ kaEveryMs: 50, connectionTimeoutMs: 1_500 });
    client.subscribe('/board/NYC', { onData: () => undefined });
    await until('live', () => client.status === 'live');
    const connection = server.connections[0]!;
    await until('keep-alives for twice the keep-alive timeout', () => connection.kaSent >= 60);
    expect(server.connections).toHaveLength(1);
    expect(connection.socket.readyState).toBe(connection.socket.OPEN);
    expect(statuses).toEqual(['live']);
  });

  it('refreshes the token before reconnecting when the connection was refused as unauthorized', async () => {
    await start();
    client.subscribe('/board/NYC', { onData: () => undefined });
    await until('live', () => client.status === 'live');
    // The token expires on the server and the connection is lost: the next connect is refused once.
    let refusedOnce = false;
    const original = valid.has.bind(valid);
    valid.has = (token: string) => (refusedOnce ? original(token) : ((refusedOnce = true), false));
    server.dropAll();
    await until('refused, refreshed, live again', () => refreshes === 1 && client.status === 'live');
    expect(server.connections.length).toBe(3);
  });

  it('refuses a channel AppSync would not take, saying what a channel is', async () => {
    await start();
    expect(() => client.subscribe('orders', { onData: () => undefined })).toThrow(/not an AppSync Events channel/);
    expect(channelProblem('/orders/NYC/alice')).toBeUndefined();
    expect(channelProblem('/staff/NYC/*')).toBeUndefined();
    expect(channelProblem('/a/b/c/d/e/f')).toMatch(/at most 5 segments/);
    expect(channelProblem('/a/b/c/d/e/*')).toMatch(/too many segments/);
    expect(channelProblem('/orders/NY C')).toMatch(/letters, digits and hyphens/);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially from the base, is capped, and jitters within the upper half', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 1000, 30_000, () => 0))).toEqual([
      500, 1000, 2000, 4000, 15_000,
    ]);
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 1000, 30_000, () => 0.999999))).toEqual([
      1000, 2000, 4000, 8000, 30_000,
    ]);
    expect(backoffDelay(1000, 1000, 30_000, () => 0.5)).toBe(22_500);
  });
});

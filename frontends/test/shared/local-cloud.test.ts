// The shared module against the local cloud, as an app uses it: config.json from the stack's local
// outputs, a person signs up and in on the user pool's domain (Auth's code flow with PKCE, the
// sign-in pages driven over real HTTP, the code the local cloud prints), refreshes and signs out;
// the realtime client subscribes to AppSync Events with the token, gets what is published, is
// refused another customer's channel by the namespace's onSubscribe handler, and recovers from a
// lost connection (cut by a TCP proxy in front of the edge) by polling, reconnecting and resubscribing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createConnection, createServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpBrowser } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { Auth, type KeyValueStorage } from '../../src/shared/auth.js';
import { parseConfig, type AppConfig } from '../../src/shared/config.js';
import { RealtimeClient, type RealtimeError, type RealtimeStatus } from '../../src/shared/realtime.js';
import { signUpOnDomain } from './sign-up.js';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string): string | null => this.items.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.items.set(key, value);
  removeItem = (key: string): void => void this.items.delete(key);
}

/** A TCP proxy in front of the edge: cut() loses every connection through it, as a phone's network does. */
async function tcpProxy(
  target: URL,
): Promise<{ url: (ws: string) => string; cut: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (ws) => ws.replace(`//${target.host}/`, `//127.0.0.1:${port}/`),
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const fixture = new URL('./fixtures/bar', import.meta.url).pathname;
let cloud: LocalCloud;
let stack: StackRecord;
let app: Server;
let callback: string;
let config: AppConfig;
const logs: string[] = [];
let proxy: Awaited<ReturnType<typeof tcpProxy>>;

beforeAll(async () => {
  app = createHttpServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/order/`;
  cloud = await startLocalCloud({
    port: 0,
    log: (line) => logs.push(line),
    appsync: { keepAliveIntervalMs: 100, connectionTimeoutMs: 1_000 },
  });
  stack = await cloud.stacks.deploy({ path: fixture, stackName: 'bar', parameterOverrides: { CallbackURL: callback } });
  const out = stack.localOutputs;
  // config.json as `presso up` would serve it: the stack's local outputs.
  config = parseConfig({
    apiUrl: `${cloud.url}/no-api-in-this-test`,
    userPoolDomain: out.AuthUrl,
    clientId: stack.outputs.ClientId,
    redirectUri: callback,
    realtimeHttpUrl: out.RealtimeHttpUrl,
    realtimeWsUrl: out.RealtimeWsUrl,
  });
  proxy = await tcpProxy(new URL(cloud.url));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await cloud?.close();
  await new Promise((resolve) => app?.close(resolve));
});

const publish = async (channel: string, event: unknown) => {
  const response = await fetch(config.realtime.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': stack.outputs.ApiKey! },
    body: JSON.stringify({ channel, events: [JSON.stringify(event)] }),
  });
  expect(response.status).toBe(200);
};

describe('the shared module on the local cloud', () => {
  const storage = new MemoryStorage();
  const visited: string[] = [];
  let auth: Auth;

  afterAll(() => auth?.dispose());

  it("signs a person up and in on the user pool's domain with the code flow and PKCE", async () => {
    auth = new Auth({ config: config.auth, storage, navigate: (url) => visited.push(url) });
    await auth.signIn({ returnTo: '/order/NYC' });
    const landed = await signUpOnDomain(visited[0]!, { email: 'dora@example.com', password: 'Cortado!2026' }, logs);
    expect(landed.startsWith(`${callback}?`)).toBe(true);
    expect(auth.isRedirect(landed)).toBe(true);

    const { user, returnTo } = await auth.handleRedirect(landed);
    expect(user).toMatchObject({ email: 'dora@example.com', groups: [] });
    expect(user.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(returnTo).toBe('/order/NYC');
    // The same redirect again (a reload of the callback page) is not a second sign-in.
    await expect(auth.handleRedirect(landed)).rejects.toMatchObject({ code: 'no_sign_in_pending' });
  });

  it('refreshes the tokens with the refresh token', async () => {
    const before = auth.tokenSet!;
    const after = await auth.refresh();
    expect(after.idToken).not.toBe(before.idToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(auth.user?.email).toBe('dora@example.com');
  });

  it("subscribes to the customer's channel with the token and gets what is published; another customer's is refused", async () => {
    const realtime = new RealtimeClient({
      wsUrl: config.realtime.wsUrl,
      host: config.realtime.host,
      token: () => auth.token(),
      refreshToken: () => auth.refresh(),
    });
    try {
      const events: unknown[] = [];
      const mine = `/orders/NYC/${auth.user!.sub}`;
      realtime.subscribe(mine, { onData: (e) => events.push(e) });
      await until('live', () => realtime.status === 'live');
      await publish(mine, { orderId: 'o-1', status: 'SUBMITTED', orderNumber: '7' });
      await until('the event', () => events.length === 1);
      expect(events).toEqual([{ orderId: 'o-1', status: 'SUBMITTED', orderNumber: '7' }]);

      const errors: RealtimeError[] = [];
      realtime.subscribe('/orders/NYC/someone-else', { onData: () => undefined, onError: (e) => errors.push(e) });
      await until('the refusal', () => errors.length > 0);
      expect(errors[0]).toMatchObject({ errorType: 'UnauthorizedException', channel: '/orders/NYC/someone-else' });
      expect(realtime.status).toBe('polling');
    } finally {
      realtime.close();
    }
  });

  it('polls while the connection is lost, then reconnects, resubscribes and gets events again', async () => {
    const statuses: RealtimeStatus[] = [];
    let polls = 0;
    const events: unknown[] = [];
    const realtime = new RealtimeClient({
      wsUrl: proxy.url(config.realtime.wsUrl),
      host: config.realtime.host,
      token: () => auth.token(),
      refreshToken: () => auth.refresh(),
      backoff: { baseMs: 50, capMs: 200 },
      pollEveryMs: 100,
    });
    realtime.onStatus((s) => statuses.push(s));
    try {
      realtime.subscribe('/board/NYC', {
        onData: (e) => events.push(e),
        poll: () => {
          polls++;
        },
      });
      await until('live', () => realtime.status === 'live');
      proxy.cut();
      // The transitions are read, not the status now: the reconnect may be quicker than until()'s 20 ms.
      await until('polling', () => statuses.includes('polling'));
      await until('polled', () => polls >= 1);
      await until('live again', () => statuses.length === 3 && realtime.status === 'live');
      expect(statuses).toEqual(['live', 'polling', 'live']);
      await publish('/board/NYC', { ready: ['7'] });
      await until('the event after the reconnect', () => events.length === 1);
      expect(events).toEqual([{ ready: ['7'] }]);
    } finally {
      realtime.close();
    }
  });

  it("signs out: the refresh token is revoked and the browser goes to the domain's /logout", async () => {
    const refreshToken = auth.tokenSet!.refreshToken!;
    await auth.signOut();
    expect(auth.signedIn).toBe(false);
    const logout = new URL(visited.at(-1)!);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${config.auth.domain}/logout`);
    const browser = new HttpBrowser();
    const back = await browser.open(logout.href);
    expect(back.url).toBe(callback);
    const refused = await fetch(`${config.auth.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: config.auth.clientId,
        refresh_token: refreshToken,
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

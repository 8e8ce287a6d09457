// The shared module against the core itself on the local cloud, as the apps will use it: a customer
// signed in on the core's user pool domain with Auth (the code flow with PKCE) orders through
// ApiClient and meets the core's refusals as ApiErrors with a sentence; then the whole story: the
// customer and a barista subscribed with RealtimeClient to the core's channels, the order placed,
// made and completed through the API, each step arriving live on both screens.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCore, type Core } from '@serverlesspresso/core/harness';
import { until } from '@serverlesspresso/testing/until';
import { ApiClient, ApiError } from '../../src/shared/api.js';
import { Auth, type KeyValueStorage } from '../../src/shared/auth.js';
import {
  customerChannel,
  staffChannel,
  type CustomerOrderMessage,
  type StaffChannelMessage,
} from '../../src/shared/channels.js';
import { parseConfig, type AppConfig } from '../../src/shared/config.js';
import { RealtimeClient } from '../../src/shared/realtime.js';
import { signUpOnDomain } from './sign-up.js';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string): string | null => this.items.get(key) ?? null;
  setItem = (key: string, value: string): void => void this.items.set(key, value);
  removeItem = (key: string): void => void this.items.delete(key);
}

// The core's steps are asynchronous (bus, workflow, streams, publisher): on a loaded machine they take
// seconds, so the waits for them are bounded generously.
const SLOW = { ms: 60_000 };
let core: Core;
let app: Server;
let config: AppConfig;
let auth: Auth;
let customer: ApiClient;
let admin: ApiClient;
let barista: { api: ApiClient; token: string };
const realtimeClients: RealtimeClient[] = [];

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the API to refuse');
}

beforeAll(async () => {
  app = createServer((_req, res) => void res.writeHead(200).end('the order app'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const callback = `http://localhost:${(app.address() as AddressInfo).port}/order/`;
  core = await startCore({ parameterOverrides: { CallbackURLs: callback } });
  config = parseConfig({
    apiUrl: core.api,
    userPoolDomain: core.stack.localOutputs.AuthDomainUrl,
    clientId: core.stack.outputs.UserPoolClientId,
    redirectUri: callback,
    realtimeHttpUrl: core.stack.localOutputs.RealtimeHttpUrl,
    realtimeWsUrl: core.stack.localOutputs.RealtimeUrl,
  });
  auth = new Auth({ config: config.auth, storage: new MemoryStorage(), navigate: () => undefined });
  const landed = await signUpOnDomain(
    await auth.authorizeUrl(),
    { email: 'ines@example.com', password: 'FlatWhite!2026' },
    core.logs,
  );
  await auth.handleRedirect(landed);
  customer = new ApiClient({ baseUrl: config.apiUrl, token: () => auth.token() });
  const adminUser = await core.user('admin', ['admin']);
  admin = new ApiClient({ baseUrl: config.apiUrl, token: async () => adminUser.token });
  const baristaUser = await core.user('bea', ['NYC.barista']);
  barista = {
    api: new ApiClient({ baseUrl: config.apiUrl, token: async () => baristaUser.token }),
    token: baristaUser.token,
  };
}, 180_000);

afterAll(async () => {
  for (const client of realtimeClients) client.close();
  auth?.dispose();
  await core?.close();
  await new Promise((resolve) => app?.close(resolve));
});

describe("the API client on the core's routes", () => {
  let orderId: string;

  it("reads the menu with the signed-in customer's token", async () => {
    const menu = await customer.menu('NYC');
    expect(menu.eventId).toBe('NYC');
    expect(menu.storeOpen).toBe(true);
    expect(menu.menu.length).toBeGreaterThan(0);
  });

  it('turns a wrong code into INVALID_CODE and a sentence', async () => {
    const error = await refusal(customer.placeOrder('NYC', 'not-the-code'));
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_CODE',
      message: 'This QR code is not valid for this coffee bar. Scan the code shown on the display at the bar.',
    });
  });

  it('orders with the code the display shows; a second order while it is open is refused with USER_LIMIT', async () => {
    const { code } = await admin.qrCode('NYC');
    ({ orderId } = await customer.placeOrder('NYC', code));
    const second = await refusal(customer.placeOrder('NYC', code));
    expect(second).toMatchObject({ status: 409, code: 'USER_LIMIT' });
    expect(second.message).toBe(second.serverMessage);
    expect(second.message).toMatch(/open order/);
  });

  it('orders the drink (an unknown one is refused with UNKNOWN_DRINK), sees the order, cancels it; then a drink is refused with ALREADY_CANCELLED', async () => {
    const order = await until(
      'the order, once its workflow has started',
      () =>
        customer.order(orderId).catch((e: ApiError) => (e.code === 'ORDER_NOT_FOUND' ? undefined : Promise.reject(e))),
      SLOW,
    );
    expect(order).toMatchObject({ orderId, eventId: 'NYC', status: 'CREATED' });
    const unknown = await refusal(customer.orderDrink(orderId, { drink: 'Dishwater' }));
    expect(unknown).toMatchObject({
      status: 422,
      code: 'UNKNOWN_DRINK',
      message: 'That drink is not on the menu. Please choose another.',
      details: [expect.objectContaining({ path: '/drink' })],
    });
    const [drink, other] = (await customer.menu('NYC')).menu;
    if (!drink || !other) throw new Error('the seeded menu has fewer than two drinks');
    const ordered = await customer.orderDrink(orderId, { drink: drink.drink });
    expect(ordered.order).toMatchObject({ orderId, drinkOrder: { drink: drink.drink } });
    expect((await customer.myOrders('NYC')).orders.map((o) => o.orderId)).toContain(orderId);

    const cancelled = await customer.cancel(orderId);
    expect(cancelled).toMatchObject({ order: { status: 'CANCELLED' }, duplicate: false });
    // A second tap changes nothing; another drink for the cancelled order is refused.
    expect(await customer.cancel(orderId)).toMatchObject({ order: { status: 'CANCELLED' }, duplicate: true });
    expect(await refusal(customer.orderDrink(orderId, { drink: other.drink }))).toMatchObject({
      status: 409,
      code: 'ALREADY_CANCELLED',
      message: 'This order was already cancelled.',
    });
  }, 90_000);

  it("refuses the customer the barista's queue with NOT_EVENT_STAFF, and no token with UNAUTHORIZED", async () => {
    expect(await refusal(customer.queue('NYC'))).toMatchObject({
      status: 403,
      code: 'NOT_EVENT_STAFF',
      message: 'You do not work at this event. Ask an admin of the event to add you, then check again.',
    });
    const anonymous = new ApiClient({ baseUrl: config.apiUrl, token: async () => undefined });
    expect(await refusal(anonymous.menu('NYC'))).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });
});

describe('the whole story, live', () => {
  const realtime = (token: () => Promise<string | undefined>) => {
    const client = new RealtimeClient({ wsUrl: config.realtime.wsUrl, host: config.realtime.host, token });
    realtimeClients.push(client);
    return client;
  };

  it("a customer orders, a barista makes and completes it: each step arrives on the customer's and the staff's channels", async () => {
    const sub = auth.user!.sub;
    const mine: CustomerOrderMessage[] = [];
    const staff: StaffChannelMessage[] = [];
    let polls = 0;
    const customerRealtime = realtime(() => auth.token());
    customerRealtime.subscribe<CustomerOrderMessage>(customerChannel('NYC', sub), {
      onData: (m) => mine.push(m),
      poll: () => {
        polls++;
      },
    });
    const staffRealtime = realtime(async () => barista.token);
    staffRealtime.subscribe<StaffChannelMessage>(staffChannel('NYC'), { onData: (m) => staff.push(m) });
    await until('both live', () => customerRealtime.status === 'live' && staffRealtime.status === 'live', SLOW);

    const { code } = await admin.qrCode('NYC');
    // The order cancelled above gives its customer's open-order slot back asynchronously (its workflow
    // ends, then the counter): until then the API answers USER_LIMIT, as it would to a person.
    const { orderId } = await until(
      "a new order, once the cancelled one's slot is given back",
      () =>
        customer
          .placeOrder('NYC', code)
          .catch((e: ApiError) => (e.code === 'USER_LIMIT' ? undefined : Promise.reject(e))),
      SLOW,
    );
    const states = () => mine.filter((m) => m.orderId === orderId).map((m) => m.state);
    await until('CREATED on the customer channel', () => states().includes('CREATED'), SLOW);
    const [drink] = (await customer.menu('NYC')).menu;
    await customer.orderDrink(orderId, { drink: drink!.drink });
    const queued = await until(
      'QUEUED with its number',
      () => mine.find((m) => m.orderId === orderId && m.state === 'QUEUED'),
      SLOW,
    );
    expect(queued).toMatchObject({ kind: 'order', eventId: 'NYC', drink: { drink: drink!.drink } });
    expect(queued.orderNumber).toMatch(/\d+/);

    await until(
      'the order in the staff channel',
      () => staff.some((m) => m.kind === 'order' && m.orderId === orderId),
      SLOW,
    );
    await barista.api.make(orderId);
    await until('MAKING', () => states().includes('MAKING'), SLOW);
    await barista.api.complete(orderId);
    await until('COMPLETED', () => states().includes('COMPLETED'), SLOW);
    expect([...new Set(states())]).toEqual(['CREATED', 'QUEUED', 'MAKING', 'COMPLETED']);
    const done = mine.find((m) => m.orderId === orderId && m.state === 'COMPLETED')!;
    expect(done.message).toEqual(expect.any(String));
    // Nothing of another person reaches the customer.
    expect(JSON.stringify(mine)).not.toMatch(/baristaUserId|TaskToken|userId/);
    expect(customerRealtime.status).toBe('live');
    expect(polls).toBe(0);
  }, 180_000);
});

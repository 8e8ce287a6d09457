// The realtime channels on the local cloud, through the real path: the core deployed with its Event
// API, real WebSocket clients (ws) speaking AppSync Events' protocol with tokens of the core's user
// pool, an order placed and worked through the core's HTTP routes, and the publisher function turning
// the bus events into channel messages, signed with SigV4.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateChannelMessage } from '@serverlesspresso/catalog';
import type { StackEventApi } from '@serverlesspresso/local';
import { until } from '@serverlesspresso/testing/until';
import WebSocket from 'ws';
import { queuedOrder, startCore, type Core, type User } from './harness.js';

type Message = Record<string, unknown> & { type: string; id?: string };

/** A subscriber: one WebSocket with AppSync's subprotocols, every message it received kept. */
class Subscriber {
  readonly messages: Message[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as Message));
  }

  static async connect(api: StackEventApi, user: User): Promise<Subscriber> {
    const auth = { host: api.dns.http, authorization: user.token };
    const header = `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
    const ws = new WebSocket(api.realtime, ['aws-appsync-event-ws', header]);
    const s = new Subscriber(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await until('connection_ack', () => s.messages.find((m) => m.type === 'connection_ack'));
    return s;
  }

  /** subscribe_success or subscribe_error for this subscription id. */
  async subscribe(id: string, channel: string, api: StackEventApi, user: User): Promise<Message> {
    this.ws.send(
      JSON.stringify({
        type: 'subscribe',
        id,
        channel,
        authorization: { host: api.dns.http, authorization: user.token },
      }),
    );
    return until(`the answer to subscription ${id}`, () =>
      this.messages.find((m) => (m.type === 'subscribe_success' || m.type === 'subscribe_error') && m.id === id),
    );
  }

  /** The messages a subscription delivered, parsed. */
  data(id: string): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.type === 'data' && m.id === id)
      .map((m) => JSON.parse(m.event as string) as Record<string, unknown>);
  }

  close(): void {
    this.ws.terminate();
  }
}

let core: Core;
let api: StackEventApi;
let admin: User, barista: User, alice: User, bob: User;
const subscribers: Subscriber[] = [];
const connect = async (user: User) => {
  const s = await Subscriber.connect(api, user);
  subscribers.push(s);
  return s;
};
const unauthorized = {
  type: 'subscribe_error',
  errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) as unknown }],
};

beforeAll(async () => {
  core = await startCore({ speed: 1 });
  [admin, barista, alice, bob] = await Promise.all([
    core.user('ada', ['admin']),
    core.user('bart', ['barista']),
    core.user('alice'),
    core.user('bob'),
  ]);
  const realtime = core.stack.eventApis.RealtimeApi;
  if (!realtime)
    throw new Error(`the core stack has no RealtimeApi: ${JSON.stringify(Object.keys(core.stack.eventApis))}`);
  api = realtime;
}, 180_000);

afterAll(async () => {
  for (const s of subscribers) s.close();
  const invalid = core?.invalid ?? [];
  await core?.close();
  expect(invalid).toEqual([]);
});

describe('the realtime channels', () => {
  it("refuses a customer on another customer's channel, on a wildcard and on the staff's; staff on their own", async () => {
    const mallory = await connect(bob);
    expect(await mallory.subscribe('theirs', `/orders/NYC/${alice.sub}`, api, bob)).toMatchObject(unauthorized);
    expect(await mallory.subscribe('all', '/orders/NYC/*', api, bob)).toMatchObject(unauthorized);
    expect(await mallory.subscribe('staff', '/staff/NYC', api, bob)).toMatchObject(unauthorized);
    expect(await mallory.subscribe('board', '/board/NYC', api, bob)).toMatchObject(unauthorized);
    const staff = await connect(barista);
    expect(await staff.subscribe('every-event', '/staff/*', api, barista)).toMatchObject(unauthorized);
    expect(await mallory.subscribe('mine', `/orders/NYC/${bob.sub}`, api, bob)).toMatchObject({
      type: 'subscribe_success',
    });
  });

  it("brings an order's whole lifecycle to its customer, the staff and the board, and nothing to anyone else", async () => {
    const customer = await connect(alice);
    const staff = await connect(barista);
    const other = await connect(bob);
    expect(await customer.subscribe('mine', `/orders/NYC/${alice.sub}`, api, alice)).toMatchObject({
      type: 'subscribe_success',
    });
    expect(await staff.subscribe('staff', '/staff/NYC', api, barista)).toMatchObject({ type: 'subscribe_success' });
    expect(await staff.subscribe('board', '/board/NYC', api, barista)).toMatchObject({ type: 'subscribe_success' });
    expect(await other.subscribe('bobs', `/orders/NYC/${bob.sub}`, api, bob)).toMatchObject({
      type: 'subscribe_success',
    });

    const orderId = await queuedOrder(core, admin, alice, { drink: 'Flat White', modifiers: ['Oat'] });
    expect((await core.http('POST', `/orders/${orderId}/make`, { user: barista })).status).toBe(200);
    expect((await core.http('POST', `/orders/${orderId}/complete`, { user: barista })).status).toBe(200);

    const statesOf = (s: Subscriber, id: string) =>
      s
        .data(id)
        .filter((m) => m.orderId === orderId || m.kind === 'order')
        .map((m) => m.state);
    await until('the customer to see the order completed', () =>
      statesOf(customer, 'mine').includes('COMPLETED') ? true : undefined,
    );
    await until('the staff and the board to see it completed', () =>
      statesOf(staff, 'staff').includes('COMPLETED') && statesOf(staff, 'board').includes('COMPLETED')
        ? true
        : undefined,
    );
    // Each step once, in order (the publisher gets each bus event once here; clients drop repeats by id).
    expect(statesOf(customer, 'mine')).toEqual(['CREATED', 'QUEUED', 'MAKING', 'COMPLETED']);
    const staffSeen = staff.data('staff').filter((m) => m.orderId === orderId);
    expect(staffSeen.map((m) => m.state)).toEqual(['QUEUED', 'MAKING', 'COMPLETED']);
    const number = staffSeen[0]!.orderNumber as string;
    expect(
      staff
        .data('board')
        .filter((m) => m.orderNumber === number)
        .map((m) => m.state),
    ).toEqual(['QUEUED', 'MAKING', 'COMPLETED']);
    expect(customer.data('mine').at(-1)).toMatchObject({
      kind: 'order',
      orderId,
      eventId: 'NYC',
      state: 'COMPLETED',
      orderNumber: number,
      drink: { drink: 'Flat White', modifiers: ['Oat'] },
    });

    // What went out is what the catalog's channel schemas allow, and names no person.
    const seen: [string, Record<string, unknown>][] = [
      ...customer.data('mine').map((m) => [`/orders/NYC/${alice.sub}`, m] as [string, Record<string, unknown>]),
      ...staff.data('staff').map((m) => ['/staff/NYC', m] as [string, Record<string, unknown>]),
      ...staff.data('board').map((m) => ['/board/NYC', m] as [string, Record<string, unknown>]),
    ];
    for (const [channel, message] of seen) {
      expect([channel, validateChannelMessage(channel, message).errors]).toEqual([channel, []]);
      const text = JSON.stringify(message);
      for (const who of [alice.sub, barista.sub, 'TaskToken']) expect(text).not.toContain(who);
    }
    expect(other.data('bobs')).toEqual([]);
  });
});

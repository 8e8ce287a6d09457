// The realtime channels on the local cloud, through the real path: the core deployed with its Event
// API, real WebSocket clients (ws) speaking AppSync Events' protocol with tokens of the core's user
// pool, an order placed and worked through the core's HTTP routes, and the publisher function turning
// the bus events into channel messages, signed with SigV4.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateChannelMessage } from '@serverlesspresso/catalog';
import type { StackEventApi } from '@serverlesspresso/local';
import { until } from '@serverlesspresso/testing/until';
import { queuedOrder, startCore, Subscriber, type Core, type User } from './harness.js';

let core: Core;
let api: StackEventApi;
let admin: User, barista: User, alice: User, bob: User;
const subscribers: Subscriber[] = [];
const connect = async (user: User) => {
  const s = await Subscriber.connect(api, user.token);
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
    core.user('bart', ['NYC.barista']),
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
    expect(await mallory.subscribe('theirs', `/orders/NYC/${alice.sub}`)).toMatchObject(unauthorized);
    expect(await mallory.subscribe('all', '/orders/NYC/*')).toMatchObject(unauthorized);
    expect(await mallory.subscribe('staff', '/staff/NYC')).toMatchObject(unauthorized);
    expect(await mallory.subscribe('board', '/board/NYC')).toMatchObject(unauthorized);
    const staff = await connect(barista);
    expect(await staff.subscribe('every-event', '/staff/*')).toMatchObject(unauthorized);
    expect(await mallory.subscribe('mine', `/orders/NYC/${bob.sub}`)).toMatchObject({
      type: 'subscribe_success',
    });
  });

  it("brings an order's whole lifecycle to its customer, the staff and the board, and nothing to anyone else", async () => {
    const customer = await connect(alice);
    const staff = await connect(barista);
    const other = await connect(bob);
    expect(await customer.subscribe('mine', `/orders/NYC/${alice.sub}`)).toMatchObject({
      type: 'subscribe_success',
    });
    expect(await staff.subscribe('staff', '/staff/NYC')).toMatchObject({ type: 'subscribe_success' });
    expect(await staff.subscribe('board', '/board/NYC')).toMatchObject({ type: 'subscribe_success' });
    expect(await other.subscribe('bobs', `/orders/NYC/${bob.sub}`)).toMatchObject({
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

  it("tells the customer and the staff of a customer's cancel, and the staff and the board of a config change", async () => {
    const customer = await connect(alice);
    const staff = await connect(barista);
    expect(await customer.subscribe('mine', `/orders/NYC/${alice.sub}`)).toMatchObject({ type: 'subscribe_success' });
    expect(await staff.subscribe('staff', '/staff/NYC')).toMatchObject({ type: 'subscribe_success' });
    expect(await staff.subscribe('board', '/board/NYC')).toMatchObject({ type: 'subscribe_success' });

    const orderId = await queuedOrder(core, admin, alice, { drink: 'Caffe Latte' });
    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: alice })).status).toBe(200);
    const cancelled = (s: Subscriber, id: string) =>
      s.data(id).find((m) => m.state === 'CANCELLED' && (m.orderId === orderId || id === 'board'));
    await until('the cancel on the customer, staff and board channels', () =>
      cancelled(customer, 'mine') && cancelled(staff, 'staff') && cancelled(staff, 'board') ? true : undefined,
    );
    expect(cancelled(customer, 'mine')).toMatchObject({ reason: 'customer', drink: { drink: 'Caffe Latte' } });

    const closed = await core.http('PATCH', '/events/NYC/config', { user: admin, body: { storeOpen: false } });
    expect(closed.status).toBe(200);
    const config = (id: string, open: boolean) =>
      staff.data(id).find((m) => m.kind === 'config' && m.storeOpen === open);
    await until('the closed store on the staff and board channels', () =>
      config('staff', false) && config('board', false) ? true : undefined,
    );
    expect(config('staff', false)).toMatchObject({ eventId: 'NYC', maxOrdersInQueue: expect.any(Number) as unknown });
    expect(config('board', false)).not.toHaveProperty('maxOrdersInQueue');
    expect(validateChannelMessage('/board/NYC', config('board', false)).errors).toEqual([]);
    // Customers get no config: the menu route has it.
    expect(customer.data('mine').filter((m) => m.kind === 'config')).toEqual([]);
    expect((await core.http('PATCH', '/events/NYC/config', { user: admin, body: { storeOpen: true } })).status).toBe(
      200,
    );
  });
});

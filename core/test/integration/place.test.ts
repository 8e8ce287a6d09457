// A customer's place in the queue, through the real routes on the local cloud: ordersAhead on their
// queued order (GET /orders/{id}, my-orders), counting the orders queued or being made before it,
// and nothing of those orders.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { queuedOrder, scan, startCore, stored, type Core, type User } from './harness.js';

let core: Core;
// The operator (group admin) works the queue here: PLACE is an event of its own, so NYC's baristas may not.
let admin: User, barista: User, alice: User, bob: User, carol: User, dan: User;
const EVENT = 'PLACE';

beforeAll(async () => {
  core = await startCore({ speed: 1 });
  [admin, barista, alice, bob, carol, dan] = await Promise.all([
    core.user('ada', ['admin']),
    core.user('olga', ['admin']),
    core.user('alice'),
    core.user('bob'),
    core.user('carol'),
    core.user('dan'),
  ]);
  const created = await core.http('PATCH', `/events/${EVENT}/config`, { user: admin, body: { storeOpen: true } });
  if (created.status !== 201) throw new Error(`PATCH config: ${created.status} ${created.text}`);
}, 180_000);

afterAll(async () => {
  await core?.close();
});

const view = (user: User, orderId: string) => core.http('GET', `/orders/${orderId}`, { user });

describe('ordersAhead', () => {
  it('tells a customer how many orders are ahead of their queued one, and only that', async () => {
    const first = await queuedOrder(core, admin, alice, { drink: 'Espresso' }, EVENT);
    const second = await queuedOrder(core, admin, bob, { drink: 'Espresso' }, EVENT);
    const third = await queuedOrder(core, admin, carol, { drink: 'Espresso' }, EVENT);

    expect((await view(alice, first)).body).toMatchObject({ orderId: first, status: 'SUBMITTED', ordersAhead: 0 });
    expect((await view(bob, second)).body).toMatchObject({ ordersAhead: 1 });
    const carols = await view(carol, third);
    expect(carols.body).toMatchObject({ ordersAhead: 2 });
    // A count, never the orders ahead: no other customer, number or id.
    expect(carols.text).not.toContain(first);
    expect(carols.text).not.toContain(alice.sub);
    expect(carols.text).not.toContain(bob.sub);

    // my-orders carries it too.
    const mine = await core.http<{ orders: Record<string, unknown>[] }>('GET', `/events/${EVENT}/my-orders`, {
      user: carol,
    });
    expect(mine.body.orders).toEqual([expect.objectContaining({ orderId: third, ordersAhead: 2 })]);

    // Being made still counts as ahead; the one being made has no place any more.
    expect((await core.http('POST', `/orders/${first}/make`, { user: barista })).status).toBe(200);
    expect((await view(carol, third)).body).toMatchObject({ ordersAhead: 2 });
    const making = await view(alice, first);
    expect(making.body).toMatchObject({ status: 'MAKING' });
    expect(making.body).not.toHaveProperty('ordersAhead');

    // Completed or cancelled orders are no longer ahead.
    expect((await core.http('POST', `/orders/${first}/complete`, { user: barista })).status).toBe(200);
    expect((await core.http('POST', `/orders/${second}/cancel`, { user: bob })).status).toBe(200);
    expect((await view(carol, third)).body).toMatchObject({ ordersAhead: 0 });
    // Staff see the same count on the order.
    expect((await view(barista, third)).body).toMatchObject({ ordersAhead: 0 });
  });

  it('gives no place to an order still waiting for its drink', async () => {
    const orderId = await scan(core, admin, dan, EVENT);
    const order = await stored(core, dan, orderId);
    expect(order).toMatchObject({ status: 'CREATED' });
    expect(order).not.toHaveProperty('ordersAhead');
  });
});

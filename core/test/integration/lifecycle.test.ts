// The core on the local cloud, through its real HTTP routes with real tokens and through the bus:
// the whole order lifecycle, its refusals and its idempotency. Every event the core puts is checked
// against the contract as it is accepted (core.invalid stays empty).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { reservationItem } from '../../src/adapters/qrStore.js';
import { MESSAGES, newReservation } from '../../src/domain/index.js';
import {
  CORE_DIR,
  currentCode,
  queuedOrder,
  scan,
  startCore,
  stored,
  typesOf,
  type Core,
  type User,
} from './harness.js';

let core: Core;
let admin: User, barista: User, barista2: User, alice: User, bob: User, carol: User;

beforeAll(async () => {
  core = await startCore({ speed: 1 });
  [admin, barista, barista2, alice, bob, carol] = await Promise.all([
    core.user('ada', ['admin']),
    core.user('bart', ['NYC.barista']),
    core.user('bea', ['NYC.barista']),
    core.user('alice'),
    core.user('bob'),
    core.user('carol'),
  ]);
}, 180_000);

afterAll(async () => {
  // Every event the core put during these tests is an event of the contract.
  const invalid = core?.invalid ?? [];
  await core?.close();
  expect(invalid).toEqual([]);
});

const byType = (orderId: string, detailType: string) =>
  core.event(`${detailType} of ${orderId}`, (e) => e['detail-type'] === detailType && e.detail.orderId === orderId);

describe('the seeded event', () => {
  it('NYC has the default menu, store open, announced by ConfigService.ConfigChanged', async () => {
    const menu = await core.http<{ storeOpen: boolean; menu: { drink: string }[] }>('GET', '/events/NYC/menu', {
      user: alice,
    });
    expect(menu.status).toBe(200);
    expect(menu.body.storeOpen).toBe(true);
    expect(menu.body.menu.map((m) => m.drink)).toEqual(
      expect.arrayContaining(['Espresso', 'James Soda', 'Bens Brew', 'Flat White', 'Americano', 'Caffe Latte']),
    );
    const created = await core.event(
      'the seed ConfigChanged',
      (e) => e['detail-type'] === 'ConfigService.ConfigChanged' && e.detail.eventId === 'NYC',
    );
    expect(created.detail).toMatchObject({
      storeOpen: true,
      version: 1,
      Message: 'The configuration of NYC was created: the store is open.',
    });
  });
});

describe('the happy path', () => {
  it('goes scan → workflow → drink → queue → make → complete → finished, events in the contract order', async () => {
    const orderId = await scan(core, admin, alice);
    const order = await stored(core, alice, orderId);
    expect(order).toMatchObject({ orderId, eventId: 'NYC', userId: alice.sub, status: 'CREATED' });
    expect(order).not.toHaveProperty('orderTaskToken');

    const drink = await core.http('PUT', `/orders/${orderId}/drink`, {
      user: alice,
      body: { drink: 'Caffe Latte', modifiers: ['Vanilla', 'Oat'] },
    });
    expect(drink.status).toBe(200);
    // Stored in menu order, with the menu's icon.
    expect(drink.body.order).toMatchObject({
      status: 'SUBMITTED',
      drinkOrder: { drink: 'Caffe Latte', modifiers: ['Oat', 'Vanilla'], icon: 'barista-icons_cafe-latte' },
    });
    const queued = await byType(orderId, 'OrderManager.WaitingCompletion');
    expect(queued.detail).toMatchObject({
      orderId,
      state: 'NYC-CREATED',
      robot: false,
      userId: alice.sub,
      eventId: 'NYC',
    });
    const orderNumber = queued.detail.orderNumber as string;
    expect(orderNumber).toMatch(/^\d+$/);

    const queue = await core.http<{ orders: { orderId: string }[] }>('GET', '/events/NYC/queue', { user: barista });
    expect(queue.body.orders.map((o) => o.orderId)).toContain(orderId);

    const make = await core.http('POST', `/orders/${orderId}/make`, { user: barista });
    expect(make.status).toBe(200);
    expect(make.body.order).toMatchObject({ status: 'MAKING', baristaUserId: barista.sub });
    expect((await byType(orderId, 'OrderManager.MakeOrder')).detail).toMatchObject({
      baristaUserId: barista.sub,
      orderNumber,
    });

    const complete = await core.http('POST', `/orders/${orderId}/complete`, { user: barista });
    expect(complete.status).toBe(200);
    const done = await byType(orderId, 'OrderManager.OrderNYC-COMPLETED');
    expect(done.detail).toMatchObject({
      ORDERSTATE: 'NYC-COMPLETED',
      orderNumber,
      userId: alice.sub,
      Message: MESSAGES.completed,
    });
    await byType(orderId, 'OrderProcessor.orderFinished');

    expect(typesOf(core.eventsOf(orderId))).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderManager.MakeOrder',
      'OrderManager.OrderNYC-COMPLETED',
      'OrderProcessor.orderFinished',
    ]);
    // The QR code's secret never travels on the bus.
    expect(JSON.stringify(core.eventsOf(orderId))).not.toContain(await currentCode(core, admin));

    const completed = await core.http<{ orders: { orderId: string }[] }>('GET', '/events/NYC/orders?status=COMPLETED', {
      user: barista,
    });
    expect(completed.body.orders.map((o) => o.orderId)).toContain(orderId);
    expect(await core.http('GET', '/events/NYC/orders?status=DONE', { user: barista })).toMatchObject({
      status: 400,
      body: { error: 'INVALID_STATUS' },
    });
    expect((await core.http('GET', '/events/NYC/orders?status=COMPLETED', { user: alice })).status).toBe(403);
    const mine = await core.http<{ orders: { orderId: string; status: string }[] }>('GET', '/events/NYC/my-orders', {
      user: alice,
    });
    expect(mine.body.orders.find((o) => o.orderId === orderId)?.status).toBe('COMPLETED');
    const board = await core.http<{ ready: { orderNumber: string }[] }>('GET', '/events/NYC/display', {
      user: barista,
    });
    expect(board.body.ready.map((e) => e.orderNumber)).toContain(orderNumber);
    expect(core.invalid).toEqual([]);
  });

  it('keeps the journey of the finished order: every step, as JSON and as a page', async () => {
    const orderId = await queuedOrder(core, admin, bob, { drink: 'Espresso', modifiers: ['Double'] });
    await core.http('POST', `/orders/${orderId}/complete`, { user: barista });
    await byType(orderId, 'OrderProcessor.orderFinished');
    const journey = await until('the journey to hold all 6 steps', async () => {
      const r = await core.http<{
        steps: { label: string; detailType: string }[];
        outcome: string;
        orderNumber: string;
        drink: string;
      }>('GET', `/orders/${orderId}/journey`, { user: bob });
      return r.status === 200 && r.body.steps.length === 6 ? r.body : undefined;
    });
    expect(journey.steps.map((s) => s.label)).toEqual([
      'QR code scanned',
      'Order workflow started',
      'Order numbered',
      'In the barista queue',
      'Completed',
      'Workflow finished',
    ]);
    expect(journey).toMatchObject({ outcome: 'completed', drink: 'Espresso' });
    const page = await core.http('GET', `/orders/${orderId}/journey.html`, { user: barista });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain(`<h1>Order ${journey.orderNumber}</h1>`);
    expect(page.text).toContain('Workflow finished');
    expect((await core.http('GET', `/orders/${orderId}/journey`, { user: carol })).status).toBe(403);
  });

  it('counts orders and time to complete in Embedded Metric Format logs', async () => {
    await until('EMF documents for completed orders', () =>
      core.logs.some((l) => l.includes('"OrdersCompleted"') && l.includes('"TimeToComplete"')) ? true : undefined,
    );
    const line = core.logs.find((l) => l.includes('"OrdersCompleted"'))!;
    const document = JSON.parse(line.slice(line.indexOf('{'))) as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
      eventId: string;
    };
    expect(document._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Serverlesspresso',
      Dimensions: [['eventId'], ['eventId', 'drink']],
    });
    expect(document.eventId).toBe('NYC');
    expect(core.logs.some((l) => l.includes('"OrdersCreated"'))).toBe(true);
  });
});

describe('who may do what', () => {
  it('401 without a token, from the API itself', async () => {
    const r = await core.http('GET', '/events/NYC/menu');
    expect(r).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });

  it("403 for a customer: config and QR codes need the event's admin, the queue and its actions its staff", async () => {
    for (const [method, path] of [
      ['GET', '/events/NYC/config'],
      ['PATCH', '/events/NYC/config'],
      ['GET', '/events/NYC/qr-code'],
      ['GET', '/events/NYC/queue'],
      ['GET', '/events/NYC/display'],
    ] as const) {
      const r = await core.http(method, path, {
        user: alice,
        ...(method === 'PATCH' ? { body: { storeOpen: false } } : {}),
      });
      expect({ path, status: r.status, error: r.body.error }).toEqual({ path, status: 403, error: 'NOT_EVENT_STAFF' });
    }
    expect(await core.http('GET', '/events/NYC/qr-code', { user: barista })).toMatchObject({
      status: 403,
      body: { error: 'NOT_EVENT_ADMIN' },
    });
  });

  it("403 for someone else's order, 404 for an unknown one", async () => {
    const orderId = await scan(core, admin, carol);
    await stored(core, carol, orderId);
    expect((await core.http('GET', `/orders/${orderId}`, { user: bob })).body).toEqual({
      error: 'NOT_YOUR_ORDER',
      message: 'This order belongs to another customer.',
    });
    expect(
      (await core.http('PUT', `/orders/${orderId}/drink`, { user: bob, body: { drink: 'Espresso' } })).status,
    ).toBe(403);
    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: bob })).status).toBe(403);
    expect((await core.http('POST', `/orders/${orderId}/complete`, { user: bob })).body.error).toBe('NOT_EVENT_STAFF');
    expect((await core.http('GET', `/orders/${orderId}`, { user: barista })).status).toBe(200);
    expect(await core.http('GET', '/orders/no-such-order', { user: alice })).toMatchObject({
      status: 404,
      body: { error: 'ORDER_NOT_FOUND' },
    });
    expect((await core.http('POST', '/orders/no-such-order/make', { user: barista })).status).toBe(404);
    // Leave nothing open for the tests after this one.
    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: carol })).status).toBe(200);
    await byType(orderId, 'OrderProcessor.orderFinished');
  });

  it('a drink for an admitted order not stored yet: 409 ORDER_NOT_READY with Retry-After, never 404', async () => {
    // The validator's admission (the place's reservation), as it writes it, for an order whose workflow has not stored it yet
    // (written here directly: the race between the 201 and the order processor, made certain).
    const table = core.physicalId('CountersTable');
    const dynamo = DynamoDBDocumentClient.from(core.dynamodb);
    const orderId = `early-${Date.now()}`;
    const Item = reservationItem(
      newReservation({ orderId, eventId: 'NYC', userId: alice.sub, nowMs: Date.now(), leaseMs: 600_000 }),
    );
    await dynamo.send(new PutCommand({ TableName: table, Item }));

    const early = await core.http('PUT', `/orders/${orderId}/drink`, { user: alice, body: { drink: 'Espresso' } });
    expect({ status: early.status, error: early.body.error, retryAfter: early.headers.get('retry-after') }).toEqual({
      status: 409,
      error: 'ORDER_NOT_READY',
      retryAfter: '1',
    });
    expect(early.body.message).toBe('Your order is still being set up. Try again in a second.');
    // Someone else's admission, or an order nobody admitted: no such order.
    const stranger = await core.http('PUT', `/orders/${orderId}/drink`, { user: bob, body: { drink: 'Espresso' } });
    expect({ status: stranger.status, error: stranger.body.error }).toEqual({ status: 404, error: 'ORDER_NOT_FOUND' });
    const madeUp = await core.http('PUT', '/orders/made-up/drink', { user: alice, body: { drink: 'Espresso' } });
    expect({ status: madeUp.status, error: madeUp.body.error }).toEqual({ status: 404, error: 'ORDER_NOT_FOUND' });
  });
});

describe('refusals', () => {
  it('422 for an invalid drink, with the reason; 409 for a second drink and for complete after cancel', async () => {
    const orderId = await scan(core, admin, alice);
    await stored(core, alice, orderId);
    const unknown = await core.http('PUT', `/orders/${orderId}/drink`, { user: alice, body: { drink: 'Mocha' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ error: 'UNKNOWN_DRINK', details: [{ path: '/drink' }] });
    expect(String(unknown.body.message)).toContain('"Mocha" is not on the menu. Choose one of: Espresso, James Soda');
    const modifier = await core.http('PUT', `/orders/${orderId}/drink`, {
      user: alice,
      body: { drink: 'Espresso', modifiers: ['Oat'] },
    });
    expect(modifier).toMatchObject({ status: 422, body: { error: 'UNKNOWN_MODIFIER' } });
    expect(
      (
        await core.http('PUT', `/orders/${orderId}/drink`, {
          user: alice,
          rawBody: '{"drink":',
          contentType: 'application/json',
        })
      ).body.error,
    ).toBe('INVALID_JSON');

    expect(
      (
        await core.http('PUT', `/orders/${orderId}/drink`, {
          user: alice,
          body: { drink: 'Americano', modifiers: ['Large'] },
        })
      ).status,
    ).toBe(200);
    // The same drink again is harmless; another one is refused.
    expect(
      (
        await core.http('PUT', `/orders/${orderId}/drink`, {
          user: alice,
          body: { drink: 'Americano', modifiers: ['Large'] },
        })
      ).body.duplicate,
    ).toBe(true);
    expect(
      await core.http('PUT', `/orders/${orderId}/drink`, { user: alice, body: { drink: 'Espresso' } }),
    ).toMatchObject({ status: 409, body: { error: 'ALREADY_ORDERED' } });
    await byType(orderId, 'OrderManager.WaitingCompletion');

    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: barista })).status).toBe(200);
    const cancelled = await byType(orderId, 'OrderManager.OrderNYC-CANCELLED');
    expect(cancelled.detail).toMatchObject({ reason: 'barista', ORDERSTATE: 'NYC-CANCELLED' });
    expect(await core.http('POST', `/orders/${orderId}/complete`, { user: barista })).toMatchObject({
      status: 409,
      body: { error: 'ALREADY_CANCELLED' },
    });
    await byType(orderId, 'OrderProcessor.orderFinished');
  });

  it('a customer holds at most one open order (409 USER_LIMIT), and may order again once it ends', async () => {
    const first = await scan(core, admin, bob);
    await stored(core, bob, first);
    const second = await core.http('POST', '/events/NYC/orders', {
      user: bob,
      body: { code: await currentCode(core, admin) },
    });
    expect(second).toMatchObject({ status: 409, body: { error: 'USER_LIMIT' } });
    expect((await core.http('POST', `/orders/${first}/cancel`, { user: bob })).body.order).toMatchObject({
      status: 'CANCELLED',
      reason: 'customer',
    });
    expect((await byType(first, 'OrderManager.OrderNYC-CANCELLED')).detail.reason).toBe('customer');
    await byType(first, 'OrderProcessor.orderFinished');
    const again = await until('bob to be admitted again', async () => {
      const r = await core.http('POST', '/events/NYC/orders', {
        user: bob,
        body: { code: await currentCode(core, admin) },
      });
      return r.status === 201 ? (r.body.orderId as string) : undefined;
    });
    await stored(core, bob, again);
    await core.http('POST', `/orders/${again}/cancel`, { user: bob });
    await byType(again, 'OrderProcessor.orderFinished');
  });

  it('a wrong code is 400 INVALID_CODE; an exhausted code 409; concurrent scans never take more than it admits', async () => {
    expect(
      await core.http('POST', '/events/NYC/orders', { user: carol, body: { code: 'not-the-code' } }),
    ).toMatchObject({ status: 400, body: { error: 'INVALID_CODE' } });
    const patched = await core.http('PATCH', '/events/QR3/config', {
      user: admin,
      body: { storeOpen: true, drinksPerCode: 3 },
    });
    expect(patched.status).toBe(201);
    const code = await currentCode(core, admin, 'QR3');
    const customers = await Promise.all(Array.from({ length: 6 }, (_, i) => core.user(`scanner-${i}`)));
    const results = await Promise.all(
      customers.map((c) => core.http('POST', '/events/QR3/orders', { user: c, body: { code } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error)).toEqual([
      'NO_TOKENS_LEFT',
      'NO_TOKENS_LEFT',
      'NO_TOKENS_LEFT',
    ]);
    expect(
      (await core.http<{ availableTokens: number }>('GET', '/events/QR3/qr-code', { user: admin })).body
        .availableTokens,
    ).toBe(0);
  });

  it('a closed store refuses scans (409) and the workflow refuses NewOrders with ShopUnavailable', async () => {
    // Robot orders (NewOrders the validator did not admit) only where the config allows robots.
    expect(
      (
        await core.http('PATCH', '/events/SHUT/config', {
          user: admin,
          body: { storeOpen: false, robotsAllowed: true },
        })
      ).status,
    ).toBe(201);
    const code = await currentCode(core, admin, 'SHUT');
    expect(await core.http('POST', '/events/SHUT/orders', { user: alice, body: { code } })).toMatchObject({
      status: 409,
      body: { error: 'STORE_CLOSED' },
    });
    await core.put('Validator.NewOrder', {
      orderId: 'shut-1',
      userId: 'robot',
      bucket: { eventId: 'SHUT' },
      Message: 'robot',
    });
    const refused = await byType('shut-1', 'OrderProcessor.ShopUnavailable');
    expect(refused.detail).toMatchObject({
      eventId: 'SHUT',
      reason: 'STORE_CLOSED',
      Message: 'The coffee bar is closed right now, so it takes no orders.',
    });
  });

  it('capacity is per event: a full event refuses, another one still takes orders', async () => {
    await core.http('PATCH', '/events/TINY/config', {
      user: admin,
      body: { storeOpen: true, maxOrdersInQueue: 1, robotsAllowed: true },
    });
    const first = await scan(core, admin, alice, 'TINY');
    await byType(first, 'OrderProcessor.WorkflowStarted');
    // The validator says so at once...
    const code = await currentCode(core, admin, 'TINY');
    expect(await core.http('POST', '/events/TINY/orders', { user: bob, body: { code } })).toMatchObject({
      status: 409,
      body: {
        error: 'AT_CAPACITY',
        message: 'The baristas are at capacity (1 open orders); please try again in a few minutes.',
      },
    });
    // ...and the workflow decides for good, for orders that do not come through it (robots).
    await core.put('Validator.NewOrder', {
      orderId: 'tiny-robot',
      userId: 'robot',
      bucket: { eventId: 'TINY' },
      Message: 'robot',
    });
    const refused = await byType('tiny-robot', 'OrderProcessor.ShopUnavailable');
    expect(refused.detail).toMatchObject({
      reason: 'AT_CAPACITY',
      Message: 'The baristas are at capacity (1 open orders); please try again in a few minutes.',
    });
    // Another event is not affected.
    const elsewhere = await scan(core, admin, bob, 'NYC');
    await byType(elsewhere, 'OrderProcessor.WorkflowStarted');
    for (const [user, orderId] of [
      [alice, first],
      [bob, elsewhere],
    ] as const) {
      await stored(core, user, orderId);
      await core.http('POST', `/orders/${orderId}/cancel`, { user });
      await byType(orderId, 'OrderProcessor.orderFinished');
    }
    // Once the first order ends, its place is free again.
    const next = await scan(core, admin, bob, 'TINY');
    await byType(next, 'OrderProcessor.WorkflowStarted');
    await stored(core, bob, next);
    await core.http('POST', `/orders/${next}/cancel`, { user: bob });
    await byType(next, 'OrderProcessor.orderFinished');
  });
});

describe('orders the workflow refuses', () => {
  const ROBOT_BARISTA = '2842daf6-2656-4690-ad3e-06e4efc9bfa1';
  const robotDrink = (orderId: string) => ({
    orderId,
    eventId: 'CLOSED',
    baristaUserId: ROBOT_BARISTA,
    action: '',
    body: { drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso', userId: 'robot' },
  });
  const orderOf = (orderId: string, user: User = admin) =>
    core.http<Record<string, unknown>>('GET', `/orders/${orderId}`, { user });
  const refusedOrder = (orderId: string, user?: User) =>
    until(`order ${orderId} stored as refused`, async () => {
      const r = await orderOf(orderId, user);
      return r.status === 200 && r.body.reason === 'refused' ? r.body : undefined;
    });
  const refusals = (orderId: string) =>
    core.logs.filter((l) => l.includes('"message":"refused: ORDER_REFUSED') && l.includes(`"orderId":"${orderId}"`));

  it("are stored refused, in either order with the robot's drink: the drink gets 409 or is ignored, in no queue, no event, no metric", async () => {
    expect(
      (
        await core.http('PATCH', '/events/CLOSED/config', {
          user: admin,
          body: { storeOpen: false, robotsAllowed: true },
        })
      ).status,
    ).toBe(201);

    // A customer's scan that raced the closing: the validator let it through (its admission, a place
    // among the customer's open orders, is written as the validator writes it: the race cannot be
    // forced through the route), the workflow refuses it.
    await core.dynamodb.send(
      new UpdateItemCommand({
        TableName: core.physicalId('CountersTable'),
        Key: { PK: { S: `userOrders-CLOSED-${alice.sub}` } },
        UpdateExpression: 'ADD orderIds :order',
        ExpressionAttributeValues: { ':order': { SS: ['closed-alice'] } },
      }),
    );
    await core.put('Validator.NewOrder', {
      orderId: 'closed-alice',
      userId: alice.sub,
      eventId: 'CLOSED',
      bucket: { eventId: 'CLOSED' },
      Message: 'a scan',
    });
    await byType('closed-alice', 'OrderProcessor.ShopUnavailable');
    expect(await refusedOrder('closed-alice', alice)).toMatchObject({
      status: 'CANCELLED',
      reason: 'refused',
      refusal: { code: 'STORE_CLOSED', message: 'The coffee bar is closed right now, so it takes no orders.' },
    });
    expect(
      await core.http('PUT', '/orders/closed-alice/drink', { user: alice, body: { drink: 'Espresso' } }),
    ).toMatchObject({
      status: 409,
      body: {
        error: 'ORDER_REFUSED',
        message: 'Order closed-alice was refused: The coffee bar is closed right now, so it takes no orders.',
      },
    });

    // The original OrderRobot: its drink 5 s after the refusal, its barista's answer after that.
    await core.put('Validator.NewOrder', {
      orderId: 'closed-robot',
      userId: 'robot',
      bucket: { eventId: 'CLOSED' },
      Message: 'robot order',
    });
    await byType('closed-robot', 'OrderProcessor.ShopUnavailable');
    await refusedOrder('closed-robot');
    await core.put('ProducerRobot.FulfillOrder', robotDrink('closed-robot'));
    await core.put('OrderRobot.FulfillOrder', {
      orderId: 'closed-robot',
      eventId: 'CLOSED',
      baristaUserId: ROBOT_BARISTA,
      action: 'complete',
    });
    await until('the robot drink and answer refused', () => (refusals('closed-robot').length === 2 ? true : undefined));
    expect(await orderOf('closed-robot')).toMatchObject({
      status: 200,
      body: { status: 'CANCELLED', reason: 'refused' },
    });
    expect((await orderOf('closed-robot')).body).not.toHaveProperty('drinkOrder');

    // The drink first (the refusal delayed): the order it created early is refused when the refusal comes.
    await core.put('ProducerRobot.FulfillOrder', robotDrink('closed-early'));
    await until('the early drink stored', async () =>
      (await orderOf('closed-early')).body.status === 'CREATED' ? true : undefined,
    );
    await core.put('Validator.NewOrder', {
      orderId: 'closed-early',
      userId: 'robot',
      bucket: { eventId: 'CLOSED' },
      Message: 'robot order',
    });
    expect(await refusedOrder('closed-early')).toMatchObject({
      status: 'CANCELLED',
      drinkOrder: { drink: 'Espresso' },
      refusal: { code: 'STORE_CLOSED' },
    });

    const refused = ['closed-alice', 'closed-robot', 'closed-early'];
    // Read by the operator: the baristas here work NYC only.
    const queue = await core.http<{ orders: unknown[] }>('GET', '/events/CLOSED/queue', { user: admin });
    expect(queue).toMatchObject({ status: 200, body: { orders: [] } });
    for (const status of ['CREATED', 'SUBMITTED', 'MAKING']) {
      expect(
        (await core.http<{ orders: unknown[] }>('GET', `/events/CLOSED/orders?status=${status}`, { user: admin })).body
          .orders,
      ).toEqual([]);
    }
    const cancelled = await core.http<{ orders: { orderId: string }[] }>(
      'GET',
      '/events/CLOSED/orders?status=CANCELLED',
      { user: admin },
    );
    expect(cancelled.body.orders.map((o) => o.orderId).sort()).toEqual([...refused].sort());
    // The order manager put nothing for them (the original did not either).
    for (const orderId of refused)
      expect(typesOf(core.eventsOf(orderId)).filter((t) => t.startsWith('OrderManager.'))).toEqual([]);

    // Metrics come from the order table's stream, one shard on the local cloud, read in order: once an
    // order written after these is counted, their records have been read.
    await core.put('Validator.NewOrder', {
      orderId: 'after-closed',
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot order',
    });
    await until('the later order counted', () =>
      core.logs.some((l) => l.includes('"OrdersCreated"') && l.includes('"orderId":"after-closed"')) ? true : undefined,
    );
    expect(
      core.logs.filter((l) => l.includes('"_aws"') && refused.some((orderId) => l.includes(`"orderId":"${orderId}"`))),
    ).toEqual([]);
    // The robot barista may cancel an order not yet in the queue: it ends at once.
    await core.put('OrderRobot.FulfillOrder', {
      orderId: 'after-closed',
      eventId: 'NYC',
      baristaUserId: ROBOT_BARISTA,
      action: 'cancel',
    });
    expect((await byType('after-closed', 'OrderManager.OrderNYC-CANCELLED')).detail).toMatchObject({
      reason: 'barista',
    });
    await byType('after-closed', 'OrderProcessor.orderFinished');
    expect(core.invalid).toEqual([]);
  });
});

describe('baristas at work', () => {
  it('make, unmake (back in the queue), another barista cannot touch a claim, cancel', async () => {
    const orderId = await queuedOrder(core, admin, carol, { drink: 'James Soda', modifiers: ['No ice'] });
    expect((await core.http('POST', `/orders/${orderId}/make`, { user: barista })).status).toBe(200);
    expect(await core.http('POST', `/orders/${orderId}/make`, { user: barista2 })).toMatchObject({
      status: 409,
      body: { error: 'ALREADY_CLAIMED' },
    });
    expect(await core.http('POST', `/orders/${orderId}/complete`, { user: barista2 })).toMatchObject({
      status: 403,
      body: { error: 'CLAIMED_BY_OTHER' },
    });
    expect((await core.http('POST', `/orders/${orderId}/unmake`, { user: barista })).body.order).toMatchObject({
      status: 'SUBMITTED',
    });
    await until('the order back in the queue', () =>
      core.eventsOf(orderId).filter((e) => e['detail-type'] === 'OrderManager.WaitingCompletion').length === 2
        ? true
        : undefined,
    );
    expect(
      core.eventsOf(orderId).filter((e) => e['detail-type'] === 'OrderManager.WaitingCompletion')[1]!.detail.Message,
    ).toBe(MESSAGES.backInQueue);
    expect((await core.http('POST', `/orders/${orderId}/make`, { user: barista2 })).status).toBe(200);
    expect(await core.http('POST', `/orders/${orderId}/cancel`, { user: carol })).toMatchObject({
      status: 409,
      body: { error: 'ORDER_BEING_MADE' },
    });
    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: barista2 })).status).toBe(200);
    await byType(orderId, 'OrderProcessor.orderFinished');
    expect(typesOf(core.eventsOf(orderId)).filter((t) => t.startsWith('OrderManager.'))).toEqual([
      'OrderManager.WaitingCompletion',
      'OrderManager.MakeOrder',
      'OrderManager.WaitingCompletion',
      'OrderManager.MakeOrder',
      'OrderManager.OrderNYC-CANCELLED',
    ]);
  });
});

describe('at least once, in any order', () => {
  it('a duplicate NewOrder starts no second workflow; repeated workflow events change nothing', async () => {
    const detail = { orderId: 'dup-1', userId: 'robot', eventId: 'NYC', bucket: { eventId: 'NYC' }, Message: 'robot' };
    await core.put('Validator.NewOrder', detail);
    await core.put('Validator.NewOrder', detail);
    const started = await byType('dup-1', 'OrderProcessor.WorkflowStarted');
    await core.put('OrderProcessor.WorkflowStarted', started.detail);
    await core.put('ProducerRobot.FulfillOrder', {
      orderId: 'dup-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: '',
      body: { drink: 'Bens Brew', modifiers: ['Whole'], icon: 'x', userId: 'robot' },
    });
    const waiting = await byType('dup-1', 'OrderProcessor.WaitingCompletion');
    await core.put('OrderProcessor.WaitingCompletion', waiting.detail);
    await byType('dup-1', 'OrderManager.WaitingCompletion');
    await core.put('OrderRobot.FulfillOrder', {
      orderId: 'dup-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: 'complete',
    });
    await core.put('OrderRobot.FulfillOrder', {
      orderId: 'dup-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: 'complete',
    });
    await byType('dup-1', 'OrderProcessor.orderFinished');
    // Wait until every redelivery has been consumed: the order manager logs each one it recognises,
    // and the second workflow ends at its duplicate claim.
    const applied = () =>
      core.logs.filter((l) => l.includes('"message":"already applied"') && l.includes('"orderId":"dup-1"'));
    await until('the three repeated events to be recognised', () => (applied().length >= 3 ? true : undefined));
    const executions = await until('both executions of dup-1 to end', async () => {
      const { executions: all = [] } = await core.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: core.stack.outputs.OrderProcessorStateMachineArn }),
      );
      const described = await Promise.all(
        all.map((x) => core.sfn.send(new DescribeExecutionCommand({ executionArn: x.executionArn }))),
      );
      const runs = described.filter((x) => x.input?.includes('"dup-1"'));
      return runs.length === 2 && runs.every((x) => x.status !== 'RUNNING') ? runs : undefined;
    });
    expect(executions.map((x) => x.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const types = typesOf(core.eventsOf('dup-1').filter((e) => e.source === 'awsserverlessda.serverlesspresso'));
    const count = (t: string) => types.filter((x) => x === t).length;
    expect([
      count('Validator.NewOrder'),
      count('OrderProcessor.WorkflowStarted'),
      count('OrderManager.WaitingCompletion'),
      count('OrderManager.OrderNYC-COMPLETED'),
      count('OrderProcessor.orderFinished'),
    ]).toEqual([2, 2, 1, 1, 1]);
  });

  it('replayed events (the EventPlayer marks them with detail.replay) are history: the core acts on none', async () => {
    const replay = 'arn:aws:states:us-east-1:000000000000:execution:EventPlayer-abc:run-1';
    await core.put('Validator.NewOrder', {
      orderId: 'replayed-1',
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot',
      replay,
    });
    await core.put('ProducerRobot.FulfillOrder', {
      orderId: 'replayed-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: '',
      body: { drink: 'Flat White', modifiers: ['Whole'], icon: 'x', userId: 'robot' },
      replay,
    });
    // A live order put after them: once it has started, the replayed ones had their chance.
    await core.put('Validator.NewOrder', {
      orderId: 'live-after-replay',
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot',
    });
    await byType('live-after-replay', 'OrderProcessor.WorkflowStarted');
    const { executions = [] } = await core.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: core.stack.outputs.OrderProcessorStateMachineArn }),
    );
    const inputs = await Promise.all(
      executions.map(
        async (x) => (await core.sfn.send(new DescribeExecutionCommand({ executionArn: x.executionArn }))).input ?? '',
      ),
    );
    expect(inputs.filter((i) => i.includes('replayed-1'))).toEqual([]);
    expect((await core.http('GET', '/orders/replayed-1', { user: barista })).status).toBe(404);
  });

  it("a robot's drink that arrives before its workflow starts is kept and the order completes", async () => {
    await core.put('ProducerRobot.FulfillOrder', {
      orderId: 'early-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: '',
      body: { drink: 'Flat White', modifiers: ['Whole'], icon: 'x', userId: 'robot' },
    });
    await until('the early drink to be stored', async () =>
      (await core.http('GET', '/orders/early-1', { user: barista })).status === 200 ? true : undefined,
    );
    await core.put('Validator.NewOrder', {
      orderId: 'early-1',
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot',
    });
    const queued = await byType('early-1', 'OrderManager.WaitingCompletion');
    expect(queued.detail).toMatchObject({
      robot: true,
      drinkOrder: {
        drink: 'Flat White',
        modifiers: ['Whole'],
        icon: 'barista-icons_cappuccino-alternative',
        userId: 'robot',
      },
    });
    await core.put('OrderRobot.FulfillOrder', {
      orderId: 'early-1',
      eventId: 'NYC',
      baristaUserId: 'robot-barista',
      action: 'complete',
    });
    await byType('early-1', 'OrderManager.OrderNYC-COMPLETED');
  });
});

describe('the original OrderRobot', () => {
  it('drives a complete order with its own events: NewOrder (eventId in bucket only), ProducerRobot and OrderRobot FulfillOrder', async () => {
    const orderId = 'd6e373b5-709c-40b0-a614-80d9a07276fc';
    await core.put('Validator.NewOrder', {
      orderId,
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot order',
    });
    await byType(orderId, 'OrderProcessor.WorkflowStarted');
    await core.put('ProducerRobot.FulfillOrder', {
      orderId,
      eventId: 'NYC',
      baristaUserId: '2842daf6-2656-4690-ad3e-06e4efc9bfa1',
      action: '',
      body: {
        drink: 'Flat White',
        modifiers: ['Whole'],
        icon: 'barista-icons_cappuccino-alternative',
        userId: 'robot',
      },
    });
    const queued = await byType(orderId, 'OrderManager.WaitingCompletion');
    expect(queued.detail.robot).toBe(true);
    await core.put('OrderRobot.FulfillOrder', {
      orderId,
      eventId: 'NYC',
      baristaUserId: '2842daf6-2656-4690-ad3e-06e4efc9bfa1',
      action: 'complete',
    });
    const done = await byType(orderId, 'OrderManager.OrderNYC-COMPLETED');
    expect(done.detail).toMatchObject({ userId: 'robot', baristaUserId: '2842daf6-2656-4690-ad3e-06e4efc9bfa1' });
    await byType(orderId, 'OrderProcessor.orderFinished');
    expect(core.invalid).toEqual([]);
  });

  // Its barista bot answers ProducerRobot.FulfillOrder 10 to 30 s later without waiting for the order
  // to be queued: on a busy core the answer can come first.
  const ROBOT_BARISTA = '2842daf6-2656-4690-ad3e-06e4efc9bfa1';
  const drink = (orderId: string) => ({
    orderId,
    eventId: 'NYC',
    baristaUserId: ROBOT_BARISTA,
    action: '',
    body: { drink: 'Americano', modifiers: [], icon: 'barista-icons_americano', userId: 'robot' },
  });
  const answer = (orderId: string, action: 'complete' | 'cancel') => ({
    orderId,
    eventId: 'NYC',
    baristaUserId: ROBOT_BARISTA,
    action,
  });
  const coreTypes = (orderId: string) => typesOf(core.eventsOf(orderId)).filter((t) => !t.includes('Robot.'));
  // The order manager has stored the order (an answer for an order not stored at all is retried a minute later).
  const started = async (orderId: string) => {
    await core.put('Validator.NewOrder', {
      orderId,
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot order',
    });
    await until(`order ${orderId} stored`, async () =>
      (await core.http('GET', `/orders/${orderId}`, { user: barista })).status === 200 ? true : undefined,
    );
  };

  it('completes an order whose barista answered before it was queued, with the contract events', async () => {
    const orderId = 'hasty-barista-1';
    await started(orderId);
    await core.put('ProducerRobot.FulfillOrder', drink(orderId));
    await core.put('OrderRobot.FulfillOrder', answer(orderId, 'complete'));
    const done = await byType(orderId, 'OrderManager.OrderNYC-COMPLETED');
    expect(done.detail).toMatchObject({ userId: 'robot', baristaUserId: ROBOT_BARISTA, ORDERSTATE: 'NYC-COMPLETED' });
    await byType(orderId, 'OrderProcessor.orderFinished');
    const types = typesOf(core.eventsOf(orderId));
    expect(types.indexOf('OrderRobot.FulfillOrder')).toBeLessThan(types.indexOf('OrderManager.WaitingCompletion'));
    expect(coreTypes(orderId)).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderManager.OrderNYC-COMPLETED',
      'OrderProcessor.orderFinished',
    ]);
    expect(core.logs.filter((l) => l.includes('"message":"refused') && l.includes(`"orderId":"${orderId}"`))).toEqual(
      [],
    );
    expect(core.invalid).toEqual([]);
  });

  it('keeps an answer that comes while the order waits for its drink, and completes the order once it is queued', async () => {
    // The race above, made certain: the answer is stored before the drink is.
    const orderId = 'hasty-barista-4';
    await started(orderId);
    await core.put('OrderRobot.FulfillOrder', answer(orderId, 'complete'));
    const held = await until('the answer kept with the order', async () => {
      const r = await core.http('GET', `/orders/${orderId}`, { user: barista });
      return r.body.pendingCompletion ? r.body : undefined;
    });
    expect(held).toMatchObject({ status: 'CREATED', pendingCompletion: { baristaUserId: ROBOT_BARISTA } });
    await core.put('ProducerRobot.FulfillOrder', drink(orderId));
    expect((await byType(orderId, 'OrderManager.OrderNYC-COMPLETED')).detail).toMatchObject({
      baristaUserId: ROBOT_BARISTA,
    });
    await byType(orderId, 'OrderProcessor.orderFinished');
    expect(coreTypes(orderId)).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderManager.OrderNYC-COMPLETED',
      'OrderProcessor.orderFinished',
    ]);
  });

  it('keeps the answer as long as the queue takes: drink and answer before the workflow even starts', async () => {
    const orderId = 'hasty-barista-2';
    await core.put('ProducerRobot.FulfillOrder', drink(orderId));
    await until('the early drink stored', async () =>
      (await core.http('GET', `/orders/${orderId}`, { user: barista })).status === 200 ? true : undefined,
    );
    await core.put('OrderRobot.FulfillOrder', answer(orderId, 'complete'));
    const held = await until('the answer kept with the order', async () => {
      const r = await core.http('GET', `/orders/${orderId}`, { user: barista });
      return r.body.pendingCompletion ? r.body : undefined;
    });
    expect(held).toMatchObject({ status: 'CREATED', pendingCompletion: { baristaUserId: ROBOT_BARISTA } });
    await core.put('Validator.NewOrder', {
      orderId,
      userId: 'robot',
      bucket: { eventId: 'NYC' },
      Message: 'robot order',
    });
    await byType(orderId, 'OrderManager.OrderNYC-COMPLETED');
    await byType(orderId, 'OrderProcessor.orderFinished');
    expect(coreTypes(orderId)).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderManager.OrderNYC-COMPLETED',
      'OrderProcessor.orderFinished',
    ]);
    const order = await core.http('GET', `/orders/${orderId}`, { user: barista });
    expect(order.body).toMatchObject({ status: 'COMPLETED', finishedBy: ROBOT_BARISTA });
    expect(order.body).not.toHaveProperty('pendingCompletion');
  });

  it("cancels an order whose barista's cancel came before the queue, and releases its workflow", async () => {
    const orderId = 'hasty-barista-3';
    await started(orderId);
    // The answer overtakes the drink (delivery out of order), so the order is surely not queued yet:
    // put together, the drink may be numbered first, and then the cancel is an ordinary one.
    await core.put('OrderRobot.FulfillOrder', answer(orderId, 'cancel'));
    expect((await byType(orderId, 'OrderManager.OrderNYC-CANCELLED')).detail).toMatchObject({
      reason: 'barista',
      userId: 'robot',
    });
    await byType(orderId, 'OrderProcessor.orderFinished');
    // The drink that arrives late changes nothing.
    await core.put('ProducerRobot.FulfillOrder', drink(orderId));
    await until('the late drink refused', () =>
      core.logs.some((l) => l.includes('"message":"refused: ALREADY_CANCELLED') && l.includes(`"orderId":"${orderId}"`))
        ? true
        : undefined,
    );
    expect((await core.http('GET', `/orders/${orderId}`, { user: barista })).body).toMatchObject({
      status: 'CANCELLED',
      reason: 'barista',
    });
    expect(coreTypes(orderId).filter((t) => t.startsWith('OrderManager.'))).toEqual([
      'OrderManager.OrderNYC-CANCELLED',
    ]);
  });
});

describe('config', () => {
  it('admins change it with patches; each change is one ConfigChanged from the table stream; stale versions 409', async () => {
    const before = await core.http<{ version: number }>('GET', '/events/NYC/config', { user: admin });
    const patched = await core.http('PATCH', '/events/NYC/config', {
      user: admin,
      body: { maxOrdersInQueue: 25, version: before.body.version },
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { changed: ['maxOrdersInQueue'], config: { maxOrdersInQueue: 25, version: before.body.version + 1 } },
    });
    const changed = await core.event(
      'ConfigChanged for capacity 25',
      (e) =>
        e['detail-type'] === 'ConfigService.ConfigChanged' &&
        e.detail.eventId === 'NYC' &&
        e.detail.version === before.body.version + 1,
    );
    expect(changed.detail.Message).toBe('Configuration of NYC changed: queue capacity 20 → 25.');
    expect(
      await core.http('PATCH', '/events/NYC/config', {
        user: admin,
        body: { maxOrdersInQueue: 30, version: before.body.version },
      }),
    ).toMatchObject({ status: 409, body: { error: 'CONFIG_VERSION_CONFLICT' } });
    const invalid = await core.http('PATCH', '/events/NYC/config', {
      user: admin,
      body: { maxOrdersInQueue: -1, colour: 'red' },
    });
    expect(invalid).toMatchObject({ status: 422, body: { error: 'INVALID_CONFIG' } });
    expect((invalid.body.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      '/colour',
      '/maxOrdersInQueue',
    ]);
    expect(core.invalid).toEqual([]);
  });
});

describe('the table streams', () => {
  it('bisect a failed batch and retry it, then move the bad record to a dead-letter queue: none holds its shard', () => {
    const mappings = core.cloud.streamPollers.list().map((p) => p.spec);
    const of = (name: string) =>
      mappings
        .filter((m) => m.functionArn.includes(`-${name}-`))
        .map((m) => ({
          maximumRetryAttempts: m.maximumRetryAttempts,
          bisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
          onFailure: m.onFailureDestination?.split(':').at(-1),
        }));
    for (const name of ['OrderPublisherFunction', 'ConfigPublisherFunction', 'OrderMetricsFunction']) {
      const queue = name.replace('Function', 'DeadLetterQueue');
      expect({ name, mappings: of(name) }).toEqual({
        name,
        mappings: [
          {
            maximumRetryAttempts: 10,
            bisectBatchOnFunctionError: true,
            onFailure: expect.stringContaining(`-${queue}-`),
          },
        ],
      });
    }
  });
});

describe('redeploying the core', () => {
  it("keeps the operator's config: the seed never overwrites it, and orders go on", async () => {
    const before = await core.http<{ version: number; maxOrdersInQueue: number }>('GET', '/events/NYC/config', {
      user: admin,
    });
    expect(before.body.version).toBeGreaterThan(1);
    const redeployed = await core.cloud.stacks.deploy({ path: CORE_DIR, stackName: 'core' });
    expect(redeployed.status).toBe('UPDATE_COMPLETE');
    const after = await core.http('GET', '/events/NYC/config', { user: admin });
    expect(after.body).toEqual(before.body);
    const orderId = await queuedOrder(core, admin, alice, { drink: 'Americano' });
    await core.http('POST', `/orders/${orderId}/complete`, { user: barista });
    await byType(orderId, 'OrderManager.OrderNYC-COMPLETED');
  }, 120_000);
});

// The extension deployed on the local cloud from its own template, as `presso deploy` does, beside the
// core (whose bus it listens to and whose user pool its read route trusts, by the core's outputs):
// order events on the bus reach the function through its rule, the counters land in its table, admins
// read them through its HTTP API with tokens of the core's pool, and a copy of the stack deletes alone.
// First, events put with the SDK, each with its Time, to set days and the order of arrival exactly:
// completions before drinks, repeats one after the other and at the same time, an order queued twice.
// Then a real order through the core's HTTP routes, from scan to completion.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListRulesCommand, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BUS_NAME, EVENT_SOURCE, contract, detailTypeOf, type EventEnvelope } from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, orderThroughCore, startLocal, until, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
const queuedExample = contract.find((e) => e.name === 'OrderManager.WaitingCompletion')!.example as EventEnvelope;
const makeExample = contract.find((e) => e.name === 'OrderManager.MakeOrder')!.example as EventEnvelope;

let local: Local;
let db: DynamoDBClient;
let stack: StackRecord;
let core: StackRecord;
let ruleArn: string;

const queued = (eventId: string, orderId: string, drink: string, time: string): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  DetailType: 'OrderManager.WaitingCompletion',
  Time: new Date(time),
  Detail: JSON.stringify({
    ...queuedExample.detail,
    eventId,
    orderId,
    state: `${eventId}-CREATED`,
    drinkOrder: { ...(queuedExample.detail.drinkOrder as object), drink },
  }),
});
const finished = (
  state: 'COMPLETED' | 'CANCELLED',
  eventId: string,
  orderId: string,
  time: string,
): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  Time: new Date(time),
  DetailType: detailTypeOf(
    state === 'COMPLETED' ? 'OrderManager.Order{eventId}-COMPLETED' : 'OrderManager.Order{eventId}-CANCELLED',
    { eventId },
  ),
  Detail: JSON.stringify({ orderId, eventId, userId: 'u-1', ORDERSTATE: `${eventId}-${state}`, Message: 'done' }),
});

let sent = 0;
/** Puts the entries and waits until the rule delivered every one it matches. */
async function put(...entries: PutEventsRequestEntry[]): Promise<void> {
  const result = await local.eb.send(new PutEventsCommand({ Entries: entries }));
  expect(result.FailedEntryCount).toBe(0);
  sent += entries.filter((e) => e.DetailType !== makeExample['detail-type']).length;
  await local.delivered(ruleArn, sent);
}

const token = (user: string, groups: string[] = []) =>
  local.token({ user, groups, userPool: core.outputs.UserPoolId! });

async function read(path: string, bearer?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apis.MetricsApi!.url}${path}`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The ARNs of every rule on the bus, sorted. */
const rulesOnBus = async () =>
  ((await local.eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }))).Rules ?? []).map((r) => r.Arn!).sort();

beforeAll(async () => {
  local = await startLocal(20); // the core's 5-minute customer timeout lasts 15 s
  db = new DynamoDBClient(local.client);
  core = await local.deploy(repo.core, 'core'); // the bus, the user pool, the ordering app
  stack = await local.deploy(extensionDir, 'order-metrics', {
    UserPoolId: core.outputs.UserPoolId!,
    UserPoolClientId: core.outputs.UserPoolClientId!,
    TimeZone: 'America/New_York',
    Prices: 'Americano=3.00,Caffe Latte=3.75,Espresso=2.50,Flat White=3.50',
  });
  ruleArn = await local.ruleOf(stack);
}, 180_000);

afterAll(async () => {
  db?.destroy();
  await local?.close();
});

describe('OrderMetrics on the local cloud', () => {
  it('counts each order once per day and drink, whatever the order and repeats of its events', async () => {
    // A completion whose drink is not known yet, and an event the rule leaves alone.
    await put(finished('COMPLETED', 'NYC', 'o-2', '2025-06-01T14:10:00Z'), {
      EventBusName: BUS_NAME,
      Source: EVENT_SOURCE,
      DetailType: makeExample['detail-type'],
      Detail: JSON.stringify(makeExample.detail),
    });
    await put(
      queued('NYC', 'o-1', 'Caffe Latte', '2025-06-01T14:00:00Z'),
      finished('COMPLETED', 'NYC', 'o-1', '2025-06-01T14:05:00Z'),
      queued('NYC', 'o-2', 'Espresso', '2025-06-01T14:06:00Z'), // the drink of the completion above
      queued('NYC', 'o-3', 'Caffe Latte', '2025-06-01T15:00:00Z'),
      finished('CANCELLED', 'NYC', 'o-3', '2025-06-01T15:02:00Z'),
      // 03:30 UTC on the 2nd is the evening of the 1st in New York
      queued('NYC', 'o-4', 'Flat White', '2025-06-02T03:30:00Z'),
      finished('COMPLETED', 'NYC', 'o-4', '2025-06-02T03:35:00Z'),
      finished('COMPLETED', 'NYC', 'o-4', '2025-06-02T03:35:00Z'), // delivered twice at once
      queued('NYC', 'o-6', 'Caffe Latte', '2025-06-01T16:10:00Z'), // back in the queue after a barista released it...
      queued('BCN', 'o-7', 'Caffe Latte', '2025-06-01T10:00:00Z'),
    );
    await put(
      queued('NYC', 'o-6', 'Caffe Latte', '2025-06-01T16:00:00Z'), // ...first queued earlier
      finished('COMPLETED', 'NYC', 'o-1', '2025-06-01T14:05:00Z'), // delivered again later
      queued('NYC', 'o-1', 'Caffe Latte', '2025-06-01T14:00:00Z'),
      queued('NYC', 'o-5', 'Mocha', '2025-06-02T14:00:00Z'),
      finished('COMPLETED', 'NYC', 'o-5', '2025-06-02T14:03:00Z'),
      finished('COMPLETED', 'BCN', 'o-7', '2025-06-01T10:04:00Z'),
    );

    const ana = await token('ana', ['admin']);
    const { status, body } = await read('/events/NYC/metrics?from=2025-06-01&to=2025-06-02', ana);
    expect(status).toBe(200);
    expect(body).toEqual({
      eventId: 'NYC',
      from: '2025-06-01',
      to: '2025-06-02',
      timeZone: 'America/New_York',
      currency: 'USD',
      days: [
        {
          day: '2025-06-01',
          drinks: [
            { drink: 'Caffe Latte', orders: 3, completed: 1, cancelled: 1, sales: 375, unpriced: 0, open: 1 },
            { drink: 'Espresso', orders: 1, completed: 1, cancelled: 0, sales: 250, unpriced: 0, open: 0 },
            { drink: 'Flat White', orders: 1, completed: 1, cancelled: 0, sales: 350, unpriced: 0, open: 0 },
          ],
          totals: { orders: 5, completed: 3, cancelled: 1, sales: 975, unpriced: 0, open: 1 },
        },
        {
          day: '2025-06-02',
          drinks: [{ drink: 'Mocha', orders: 1, completed: 1, cancelled: 0, sales: 0, unpriced: 1, open: 0 }],
          totals: { orders: 1, completed: 1, cancelled: 0, sales: 0, unpriced: 1, open: 0 },
        },
      ],
    });

    const bcn = await read('/events/BCN/metrics?day=2025-06-01', ana);
    expect(bcn.body.days).toEqual([
      {
        day: '2025-06-01',
        drinks: [expect.objectContaining({ drink: 'Caffe Latte', orders: 1, completed: 1, sales: 375 })],
        totals: expect.objectContaining({ orders: 1 }),
      },
    ]);
  });

  it('answers admins only, and says what is wrong with a query', async () => {
    expect(await read('/events/NYC/metrics')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    const barista = await read('/events/NYC/metrics', await token('ben', ['NYC.barista']));
    expect(barista).toEqual({
      status: 403,
      body: { error: 'WRONG_GROUP', message: 'Only members of the admin group may read the metrics.' },
    });
    const bad = await read('/events/NYC/metrics?day=2025-13-01', await token('ana', ['admin']));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'INVALID_QUERY', details: [{ path: 'day' }] });
    // Today, in the extension's time zone, when the query names no day: nothing counted yet.
    const today = await read('/events/NYC/metrics', await token('ana', ['admin']));
    expect(today.body).toMatchObject({ days: [] });
    expect(today.body.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('counts a real order through the core, from scan to completion', async () => {
    const ada = await token('ada', ['admin']);
    await orderThroughCore(
      core,
      { admin: ada, customer: await token('alice'), barista: await token('bart', ['NYC.barista']) },
      'Americano',
    );

    // Today in the extension's time zone (and yesterday, should the order have crossed midnight).
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
    const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(
      new Date(Date.now() - 86_400_000),
    );
    const americano = await until('the Americano completed in the metrics', async () => {
      const { body } = await read(`/events/NYC/metrics?from=${yesterday}&to=${today}`, ada);
      const drinks = (body.days as { drinks: { drink: string; completed: number }[] }[]).flatMap((d) => d.drinks);
      return drinks.find((d) => d.drink === 'Americano' && d.completed === 1);
    });
    expect(americano).toEqual({
      drink: 'Americano',
      orders: 1,
      completed: 1,
      cancelled: 0,
      open: 0,
      sales: 300,
      unpriced: 0,
    });
  });

  it('refuses a price list it cannot read, naming the parameter, and leaves nothing behind', async () => {
    await expect(local.deploy(extensionDir, 'order-metrics-bad', { Prices: 'Espresso=cheap' })).rejects.toThrow(
      'Prices: entry 1 "Espresso=cheap": the amount must be a number',
    );
    expect(await local.stackNames()).not.toContain('order-metrics-bad');
  }, 60_000);

  it('deletes alone: a copy of it deploys, then its table, API and rule go with its stack, the core and the extension stay', async () => {
    const before = await rulesOnBus();
    // Another copy of the extension, so that this test deletes no stack the other tests use.
    const copy = await local.deploy(extensionDir, `${stack.name}-deleted`, {
      UserPoolId: core.outputs.UserPoolId!,
      UserPoolClientId: core.outputs.UserPoolClientId!,
      TimeZone: 'America/New_York',
      Prices: 'Americano=3.00,Caffe Latte=3.75,Espresso=2.50,Flat White=3.50',
    });
    const copyRule = await local.ruleOf(copy);
    const table = copy.outputs.MetricsTableName!;
    const url = `${copy.apis.MetricsApi!.url}/events/NYC/metrics`;
    expect(table).not.toBe(stack.outputs.MetricsTableName);
    expect(copy.apis.MetricsApi!.url).not.toBe(stack.apis.MetricsApi!.url);
    expect((await fetch(url)).status).not.toBe(404);
    expect(await rulesOnBus()).toEqual([...before, copyRule].sort());

    await local.deleteStack(copy.name);
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await fetch(url)).status).toBe(404);
    expect(await rulesOnBus()).toEqual(before);
    expect(before).toContain(ruleArn);
    await db.send(new DescribeTableCommand({ TableName: stack.outputs.MetricsTableName }));
    expect((await fetch(`${stack.apis.MetricsApi!.url}/events/NYC/metrics`)).status).not.toBe(404);
    expect(await local.stackNames()).toEqual(['core', stack.name]);
  }, 60_000);
});

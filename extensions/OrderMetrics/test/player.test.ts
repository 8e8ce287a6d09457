// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant, and the
// metrics the read route answers are those of the replayed events, counted here from the bus's
// archive on their own: every order with its drink, every completion, cancellation and sale.
// With its defaults (no user pool), the route takes the local issuer's own tokens, audience "none".
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, startLocal, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
const PRICES: Record<string, number> = {
  Espresso: 250,
  Americano: 300,
  'Bens Brew': 300,
  'James Soda': 275,
  'Flat White': 350,
  'Caffe Latte': 375,
}; // the template's default list
const TENANT = 'REPLAY';
/** How many orders the recording completed, as its archive says. */
const RECORDED_COMPLETIONS = (
  JSON.parse(readFileSync(`${repo.player}/archive/session.json`, 'utf8')) as {
    recording: { counts: Record<string, number> };
  }
).recording.counts['OrderManager.OrderNYC-COMPLETED']!;

let local: Local;
let stack: StackRecord;
let player: StackRecord;

beforeAll(async () => {
  local = await startLocal(200);
  player = await local.deploy(repo.player, 'player', { CreateBus: 'true' });
  stack = await local.deploy(extensionDir, 'order-metrics');
}, 180_000);

afterAll(async () => {
  await local?.close();
});

describe('OrderMetrics beside the EventPlayer', () => {
  it('counts the replayed session: orders, completions, cancellations and sales per day and drink', async () => {
    // Speed 1 for the player: the recorded gaps in whole seconds, which the local cloud's time scale shortens.
    const executionArn = await local.replay(player, { speed: 1, eventId: TENANT });

    // What the rule routes of the replay, delivered to the function (each a success).
    const replayed = await local.archived({
      resources: [executionArn],
      'detail-type': [
        'OrderManager.WaitingCompletion',
        { wildcard: 'OrderManager.Order*-COMPLETED' },
        { wildcard: 'OrderManager.Order*-CANCELLED' },
      ],
    });
    expect(replayed.filter((e) => e['detail-type'] === `OrderManager.Order${TENANT}-COMPLETED`)).toHaveLength(
      RECORDED_COMPLETIONS,
    );
    await local.delivered(await local.ruleOf(stack), replayed.length);

    // The same counts, from the replayed events alone: an order has the drink of its first queueing.
    const orders = new Map<string, { drink?: string; queuedAt?: string; completed?: boolean; cancelled?: boolean }>();
    for (const e of replayed) {
      const order = orders.get(e.detail.orderId as string) ?? {};
      if (e['detail-type'] === 'OrderManager.WaitingCompletion' && (!order.queuedAt || e.time < order.queuedAt)) {
        Object.assign(order, { drink: (e.detail.drinkOrder as { drink: string }).drink, queuedAt: e.time });
      }
      if (e['detail-type'].endsWith('-COMPLETED')) order.completed = true;
      if (e['detail-type'].endsWith('-CANCELLED')) order.cancelled = true;
      orders.set(e.detail.orderId as string, order);
    }
    const expected = new Map<
      string,
      Map<string, { orders: number; completed: number; cancelled: number; sales: number }>
    >();
    for (const o of orders.values()) {
      if (!o.drink) continue; // cancelled before choosing a drink: not a drink order
      const day = o.queuedAt!.slice(0, 10); // UTC, the default TimeZone
      const drinks = expected.get(day) ?? new Map();
      const d = drinks.get(o.drink) ?? { orders: 0, completed: 0, cancelled: 0, sales: 0 };
      d.orders++;
      if (o.completed) {
        d.completed++;
        d.sales += PRICES[o.drink]!;
      } else if (o.cancelled) d.cancelled++;
      drinks.set(o.drink, d);
      expected.set(day, drinks);
    }
    const days = [...expected.keys()].sort();

    const token = await local.token({ user: 'ada', groups: ['admin'], audience: 'none' });
    const res = await fetch(
      `${stack.apis.MetricsApi!.url}/events/${TENANT}/metrics?from=${days[0]}&to=${days.at(-1)}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      days: {
        day: string;
        drinks: { drink: string; orders: number; completed: number; cancelled: number; sales: number }[];
        totals: { completed: number };
      }[];
    };
    expect(report.days.map((d) => d.day)).toEqual(days);
    for (const day of report.days) {
      const counted = Object.fromEntries(
        day.drinks.map(({ drink, orders, completed, cancelled, sales }) => [
          drink,
          { orders, completed, cancelled, sales },
        ]),
      );
      expect(counted).toEqual(Object.fromEntries(expected.get(day.day)!));
    }
    expect(report.days.reduce((n, d) => n + d.totals.completed, 0)).toBe(RECORDED_COMPLETIONS);
  }, 180_000);
});

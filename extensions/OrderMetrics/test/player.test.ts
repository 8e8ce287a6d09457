// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant, and the
// metrics the read route answers are those of the replayed events, counted here from the bus's
// archive on their own: every order with its drink, every completion, cancellation and sale.
// With its defaults (no user pool), the route takes the local issuer's own tokens, audience "none".
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS_NAME, type EventEnvelope } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';

const extensionDir = new URL('..', import.meta.url).pathname;
const playerDir = new URL('../../../extensibility/EventPlayer', import.meta.url).pathname;
const PRICES: Record<string, number> = { Espresso: 250, Americano: 300, 'Bens Brew': 300, 'James Soda': 275, 'Flat White': 350, 'Caffe Latte': 375 }; // the template's default list
const TENANT = 'REPLAY';
/** How many orders the recording completed, as its archive says. */
const RECORDED_COMPLETIONS = (JSON.parse(readFileSync(`${playerDir}/archive/session.json`, 'utf8')) as { recording: { counts: Record<string, number> } }).recording.counts['OrderManager.OrderNYC-COMPLETED']!;

let cloud: LocalCloud;
let eb: EventBridgeClient;
let sfn: SFNClient;
let stack: StackRecord;
let player: StackRecord;

const client = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function admin(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(path, cloud.url), init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
  return body;
}

const deploy = async (path: string, stackName: string, parameterOverrides?: Record<string, string>) =>
  (await admin('/_presso/stacks', { method: 'POST', body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }) })).stack as StackRecord;

/** Bounded poll: resolves with the first truthy value of `probe`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 15): Promise<T> {
  for (let i = 0; i < seconds * 20; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out (${seconds} s) waiting for ${what}`);
}

/** The events of the bus's archive that match a pattern, as `presso events --pattern` reads them. */
async function archived<D = Record<string, unknown>>(pattern: unknown): Promise<EventEnvelope<D>[]> {
  const res = await fetch(new URL(`/_presso/events?bus=${BUS_NAME}&pattern=${encodeURIComponent(JSON.stringify(pattern))}`, cloud.url));
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EventEnvelope<D>);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 200, log: () => {} });
  const endpoint = { ...client, endpoint: cloud.url };
  eb = new EventBridgeClient(endpoint);
  sfn = new SFNClient(endpoint);
  player = await deploy(playerDir, 'player', { CreateBus: 'true' });
  stack = await deploy(extensionDir, 'order-metrics');
}, 180_000);

afterAll(async () => {
  eb?.destroy();
  sfn?.destroy();
  await cloud?.close();
});

describe('OrderMetrics beside the EventPlayer', () => {
  it('counts the replayed session: orders, completions, cancellations and sales per day and drink', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: player.outputs.EventPlayerStateMachineArn!, input: JSON.stringify({ speed: 1, eventId: TENANT }) }));
    const status = await until('the replay to end', async () => {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status !== 'RUNNING' && status;
    }, 120);
    expect(status).toBe('SUCCEEDED');

    // What the rule routes of the replay, delivered to the function (each a success).
    const replayed = await archived({ resources: [executionArn], 'detail-type': ['OrderManager.WaitingCompletion', { wildcard: 'OrderManager.Order*-COMPLETED' }, { wildcard: 'OrderManager.Order*-CANCELLED' }] });
    expect(replayed.filter((e) => e['detail-type'] === `OrderManager.Order${TENANT}-COMPLETED`)).toHaveLength(RECORDED_COMPLETIONS);
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
    await until(`${replayed.length} deliveries`, async () => {
      const { rules } = (await admin('/_presso/stats')) as { rules: Record<string, { delivered: number; failed: number }> };
      const rule = rules[Rules![0]!.Arn!]!;
      if (rule.failed > 0) throw new Error(`the function failed ${rule.failed} time(s)`);
      return rule.delivered === replayed.length;
    });

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
    const expected = new Map<string, Map<string, { orders: number; completed: number; cancelled: number; sales: number }>>();
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

    const { token } = (await admin('/_presso/token', { method: 'POST', body: JSON.stringify({ user: 'ada', groups: ['admin'], audience: 'none' }) })) as { token: string };
    const res = await fetch(`${stack.apis.MetricsApi!.url}/events/${TENANT}/metrics?from=${days[0]}&to=${days.at(-1)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { days: { day: string; drinks: { drink: string; orders: number; completed: number; cancelled: number; sales: number }[]; totals: { completed: number } }[] };
    expect(report.days.map((d) => d.day)).toEqual(days);
    for (const day of report.days) {
      const counted = Object.fromEntries(day.drinks.map(({ drink, orders, completed, cancelled, sales }) => [drink, { orders, completed, cancelled, sales }]));
      expect(counted).toEqual(Object.fromEntries(expected.get(day.day)!));
    }
    expect(report.days.reduce((n, d) => n + d.totals.completed, 0)).toBe(RECORDED_COMPLETIONS);
  }, 180_000);
});

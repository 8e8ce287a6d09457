// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant, and the last
// WaitTimes.WaitTimeChanged of each drink is the rolling average of the replayed events, computed here
// from the bus's archive on their own: each order's wait from its first queueing to its completion,
// the last WindowSize completions of the drink by completion time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS_NAME, validateEvent, type EventEnvelope, type WaitTimesWaitTimeChanged } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';

const extensionDir = new URL('..', import.meta.url).pathname;
const playerDir = new URL('../../../extensibility/EventPlayer', import.meta.url).pathname;
const TENANT = 'REPLAY';
const WINDOW = 4;

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
  stack = await deploy(extensionDir, 'wait-times', { WindowSize: String(WINDOW) });
}, 180_000);

afterAll(async () => {
  eb?.destroy();
  sfn?.destroy();
  await cloud?.close();
});

describe('WaitTimes beside the EventPlayer', () => {
  it('puts the rolling average of the replayed session for every drink', async () => {
    // Speed 1 for the player: the recorded gaps in whole seconds, which the local cloud's time scale shortens.
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: player.outputs.EventPlayerStateMachineArn!, input: JSON.stringify({ speed: 1, eventId: TENANT }) }));
    const status = await until('the replay to end', async () => {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status !== 'RUNNING' && status;
    }, 120);
    expect(status).toBe('SUCCEEDED');

    const replayed = await archived({ resources: [executionArn], 'detail-type': ['OrderManager.WaitingCompletion', { wildcard: 'OrderManager.Order*-COMPLETED' }] });
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
    await until(`${replayed.length} deliveries`, async () => {
      const { rules } = (await admin('/_presso/stats')) as { rules: Record<string, { delivered: number; failed: number }> };
      const rule = rules[Rules![0]!.Arn!]!;
      if (rule.failed > 0) throw new Error(`the recorder failed ${rule.failed} time(s)`);
      return rule.delivered === replayed.length;
    });

    // The windows, from the replayed events alone.
    const orders = new Map<string, { drink?: string; queuedAt?: string; completedAt?: string }>();
    for (const e of replayed) {
      const order = orders.get(e.detail.orderId as string) ?? {};
      if (e['detail-type'] === 'OrderManager.WaitingCompletion' && (!order.queuedAt || e.time < order.queuedAt)) Object.assign(order, { drink: (e.detail.drinkOrder as { drink: string }).drink, queuedAt: e.time });
      if (e['detail-type'].endsWith('-COMPLETED')) order.completedAt = e.time;
      orders.set(e.detail.orderId as string, order);
    }
    const waits = new Map<string, { orderId: string; completedAt: string; seconds: number }[]>();
    for (const [orderId, o] of orders) {
      if (!o.drink || !o.completedAt) continue;
      waits.set(o.drink, [...(waits.get(o.drink) ?? []), { orderId, completedAt: o.completedAt, seconds: (Date.parse(o.completedAt) - Date.parse(o.queuedAt!)) / 1000 }]);
    }
    expect(waits.size).toBeGreaterThan(3);
    const expected = Object.fromEntries([...waits].map(([drink, all]) => {
      const last = all.sort((a, b) => b.completedAt.localeCompare(a.completedAt) || a.orderId.localeCompare(b.orderId)).slice(0, WINDOW);
      return [drink, { averageSeconds: Math.round((last.reduce((s, w) => s + w.seconds, 0) / last.length) * 10) / 10, samples: last.length, latestCompletedAt: last[0]!.completedAt }];
    }));

    // The newest average of each drink on the bus: once every window has been published.
    const newest = await until('the last average of every drink', async () => {
      const put = await archived<WaitTimesWaitTimeChanged>({ 'detail-type': ['WaitTimes.WaitTimeChanged'], detail: { eventId: [TENANT] } });
      const byDrink = new Map<string, WaitTimesWaitTimeChanged>();
      for (const { detail } of put) if ((byDrink.get(detail.drink)?.version ?? 0) < detail.version) byDrink.set(detail.drink, detail);
      const got = Object.fromEntries([...byDrink].map(([drink, d]) => [drink, { averageSeconds: d.averageSeconds, samples: d.samples, latestCompletedAt: d.latestCompletedAt }]));
      const canonical = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
      return canonical(got) === canonical(expected) ? put : undefined;
    }).catch(async (e: Error) => {
      const put = await archived({ 'detail-type': ['WaitTimes.WaitTimeChanged'] });
      throw new Error(`${e.message}\nexpected ${JSON.stringify(expected)}\nput ${JSON.stringify(put.map((x) => x.detail))}`);
    });
    for (const e of newest) expect(validateEvent(e).errors).toEqual([]);
    expect(newest.every((e) => e.detail.windowSize === WINDOW)).toBe(true);
  }, 180_000);
});

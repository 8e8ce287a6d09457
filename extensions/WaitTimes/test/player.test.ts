// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant, and the last
// WaitTimes.WaitTimeChanged of each drink is the rolling average of the replayed events, computed here
// from the bus's archive on their own: each order's wait from its first queueing to its completion,
// the last WindowSize completions of the drink by completion time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEvent, type WaitTimesWaitTimeChanged } from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, startLocal, until, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
const TENANT = 'REPLAY';
const WINDOW = 4;

let local: Local;
let stack: StackRecord;
let player: StackRecord;

beforeAll(async () => {
  local = await startLocal(200);
  player = await local.deploy(repo.player, 'player', { CreateBus: 'true' });
  stack = await local.deploy(extensionDir, 'wait-times', { WindowSize: String(WINDOW) });
}, 180_000);

afterAll(async () => {
  await local?.close();
});

describe('WaitTimes beside the EventPlayer', () => {
  it('puts the rolling average of the replayed session for every drink', async () => {
    // Speed 1 for the player: the recorded gaps in whole seconds, which the local cloud's time scale shortens.
    const executionArn = await local.replay(player, { speed: 1, eventId: TENANT });
    const replayed = await local.archived({
      resources: [executionArn],
      'detail-type': ['OrderManager.WaitingCompletion', { wildcard: 'OrderManager.Order*-COMPLETED' }],
    });
    await local.delivered(await local.ruleOf(stack), replayed.length);

    // The windows, from the replayed events alone.
    const orders = new Map<string, { drink?: string; queuedAt?: string; completedAt?: string }>();
    for (const e of replayed) {
      const order = orders.get(e.detail.orderId as string) ?? {};
      if (e['detail-type'] === 'OrderManager.WaitingCompletion' && (!order.queuedAt || e.time < order.queuedAt))
        Object.assign(order, { drink: (e.detail.drinkOrder as { drink: string }).drink, queuedAt: e.time });
      if (e['detail-type'].endsWith('-COMPLETED')) order.completedAt = e.time;
      orders.set(e.detail.orderId as string, order);
    }
    const waits = new Map<string, { orderId: string; completedAt: string; seconds: number }[]>();
    for (const [orderId, o] of orders) {
      if (!o.drink || !o.completedAt) continue;
      waits.set(o.drink, [
        ...(waits.get(o.drink) ?? []),
        { orderId, completedAt: o.completedAt, seconds: (Date.parse(o.completedAt) - Date.parse(o.queuedAt!)) / 1000 },
      ]);
    }
    expect(waits.size).toBeGreaterThan(3);
    const expected = Object.fromEntries(
      [...waits].map(([drink, all]) => {
        const last = all
          .sort((a, b) => b.completedAt.localeCompare(a.completedAt) || a.orderId.localeCompare(b.orderId))
          .slice(0, WINDOW);
        return [
          drink,
          {
            averageSeconds: Math.round((last.reduce((s, w) => s + w.seconds, 0) / last.length) * 10) / 10,
            samples: last.length,
            latestCompletedAt: last[0]!.completedAt,
          },
        ];
      }),
    );

    // The newest average of each drink on the bus: once every window has been published.
    const newest = await until('the last average of every drink', async () => {
      const put = await local.archived<WaitTimesWaitTimeChanged>({
        'detail-type': ['WaitTimes.WaitTimeChanged'],
        detail: { eventId: [TENANT] },
      });
      const byDrink = new Map<string, WaitTimesWaitTimeChanged>();
      for (const { detail } of put)
        if ((byDrink.get(detail.drink)?.version ?? 0) < detail.version) byDrink.set(detail.drink, detail);
      const got = Object.fromEntries(
        [...byDrink].map(([drink, d]) => [
          drink,
          { averageSeconds: d.averageSeconds, samples: d.samples, latestCompletedAt: d.latestCompletedAt },
        ]),
      );
      const canonical = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
      return canonical(got) === canonical(expected) ? put : undefined;
    }).catch(async (e: Error) => {
      const put = await local.archived({ 'detail-type': ['WaitTimes.WaitTimeChanged'] });
      throw new Error(
        `${e.message}\nexpected ${JSON.stringify(expected)}\nput ${JSON.stringify(put.map((x) => x.detail))}`,
      );
    });
    for (const e of newest) expect(validateEvent(e).errors).toEqual([]);
    expect(newest.every((e) => e.detail.windowSize === WINDOW)).toBe(true);
  }, 180_000);
});

import { describe, expect, it } from '@jest/globals';
import type { OrderFact } from '../../src/domain/facts.js';
import {
  applyFact,
  sameRecord,
  sampleOf,
  statsOf,
  windowChanges,
  windowWith,
  type OrderRecord,
  type Sample,
} from '../../src/domain/wait.js';

const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2025, 5, 1, 9, minute, second)).toISOString().replace('.000', '');
const queued = (orderId: string, minute: number, drink = 'Latte'): OrderFact => ({
  kind: 'queued',
  eventId: 'NYC',
  orderId,
  at: at(minute),
  drink,
});
const completed = (orderId: string, minute: number): OrderFact => ({
  kind: 'completed',
  eventId: 'NYC',
  orderId,
  at: at(minute),
});

/** Plays facts as the handler does (a record per order, a window per drink) and returns the windows. */
function play(facts: readonly OrderFact[], size: number): Map<string, Sample[]> {
  const records = new Map<string, OrderRecord>();
  const windows = new Map<string, { samples: Sample[]; size: number }>();
  for (const fact of facts) {
    const before = records.get(fact.orderId);
    const after = applyFact(before, fact);
    if (sameRecord(before, after)) continue;
    records.set(fact.orderId, after);
    for (const { drink, samples } of windowChanges(before, after, windows, size)) windows.set(drink, { samples, size });
  }
  return new Map([...windows].map(([drink, w]) => [drink, w.samples]));
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("an order's wait", () => {
  it('runs from the first queueing to the completion, in whole seconds', () => {
    let record = applyFact(undefined, queued('o-1', 4));
    record = applyFact(record, completed('o-1', 9));
    record = applyFact(record, queued('o-1', 2)); // first queued earlier; a barista released it
    expect(sampleOf(record)).toEqual({ drink: 'Latte', orderId: 'o-1', completedAt: at(9), waitSeconds: 420 });
    expect(sampleOf(applyFact(undefined, completed('o-2', 9)))).toBeUndefined();
  });
});

describe('the rolling window', () => {
  it('keeps the last N completions by completion time (not by arrival), newest first', () => {
    // Waits of 1, 2 or 3 minutes: o-8 completes after o-9, o-2 after o-3, and o-0, o-1 fall out.
    const facts = Array.from({ length: 12 }, (_, i) => [
      queued(`o-${i}`, i),
      completed(`o-${i}`, i + 1 + (i % 3)),
    ]).flat();
    const window = play(facts, 10).get('Latte')!;
    expect(window.map((s) => s.orderId)).toEqual([
      'o-11',
      'o-10',
      'o-8',
      'o-9',
      'o-7',
      'o-5',
      'o-6',
      'o-4',
      'o-2',
      'o-3',
    ]);
    expect(statsOf(window)).toEqual({ averageSeconds: 126, samples: 10, latestCompletedAt: at(14) });
  });

  it('is the same window for any order of arrival and any repeats', () => {
    // Three orders of two drinks, size 2: one completion ends up outside the Latte window.
    const facts = [
      queued('a', 0),
      completed('a', 3),
      queued('b', 1),
      completed('b', 2),
      completed('b', 2),
      queued('c', 1, 'Mocha'),
      completed('c', 5),
    ];
    const expected = play(facts, 2);
    expect(Object.fromEntries(expected)).toEqual({
      Latte: [
        { orderId: 'a', completedAt: at(3), waitSeconds: 180 },
        { orderId: 'b', completedAt: at(2), waitSeconds: 60 },
      ],
      Mocha: [{ orderId: 'c', completedAt: at(5), waitSeconds: 240 }],
    });
    const orders = permutations(facts);
    expect(orders).toHaveLength(5040);
    for (const order of orders) expect(play(order, 2)).toEqual(expected);
  });

  it('cuts a late completion older than the window at once, and takes a late one that is newer', () => {
    const full = [
      { orderId: 'x', completedAt: at(10), waitSeconds: 60 },
      { orderId: 'y', completedAt: at(8), waitSeconds: 30 },
    ];
    expect(windowWith(full, 'old', { orderId: 'old', completedAt: at(1), waitSeconds: 999 }, 2)).toEqual(full);
    expect(
      windowWith(full, 'new', { orderId: 'new', completedAt: at(9), waitSeconds: 90 }, 2).map((s) => s.orderId),
    ).toEqual(['x', 'new']);
  });

  it('changes no window when nothing it holds changed, and cuts again when the size did', () => {
    const before = applyFact(applyFact(undefined, queued('o-1', 0)), completed('o-1', 2));
    const after = applyFact(before, queued('o-1', 1)); // later queueing: the record is unchanged
    expect(sameRecord(before, after)).toBe(true);
    const window = {
      samples: [
        { orderId: 'o-2', completedAt: at(9), waitSeconds: 10 },
        { orderId: 'o-3', completedAt: at(8), waitSeconds: 20 },
      ],
      size: 2,
    };
    expect(windowChanges(undefined, before, new Map([['Latte', window]]), 2)).toEqual([]); // o-1 is older than both
    expect(windowChanges(undefined, before, new Map([['Latte', window]]), 1)).toEqual([
      { drink: 'Latte', samples: [window.samples[0]] },
    ]);
  });

  it('averages to one decimal, and has no average when empty', () => {
    expect(
      statsOf([
        { orderId: 'a', completedAt: at(1), waitSeconds: 10 },
        { orderId: 'b', completedAt: at(2), waitSeconds: 11 },
        { orderId: 'c', completedAt: at(0), waitSeconds: 11 },
      ]),
    ).toEqual({ averageSeconds: 10.7, samples: 3, latestCompletedAt: at(2) });
    expect(statsOf([])).toBeUndefined();
  });
});

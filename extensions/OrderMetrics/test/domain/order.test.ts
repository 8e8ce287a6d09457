import { describe, expect, it } from '@jest/globals';
import type { OrderFact } from '../../src/domain/facts.js';
import {
  applyFact,
  contributionOf,
  COUNTERS,
  deltaOf,
  sameRecord,
  type Counters,
  type OrderRecord,
  type Pricing,
} from '../../src/domain/order.js';

const pricing: Pricing = {
  dayOf: (iso) => iso.slice(0, 10),
  priceOf: (drink) => ({ Espresso: 250, Latte: 375 })[drink],
};
const order = { eventId: 'NYC', orderId: 'o-1' };
const queued = (at: string, drink = 'Latte'): OrderFact => ({ kind: 'queued', ...order, at, drink });
const completed = (at: string): OrderFact => ({ kind: 'completed', ...order, at });
const cancelled = (at: string): OrderFact => ({ kind: 'cancelled', ...order, at });

/** Plays facts one by one as the handler does, and sums the counter moves per day and drink. */
function play(facts: readonly OrderFact[]): { record: OrderRecord | undefined; cells: Map<string, Counters> } {
  let record: OrderRecord | undefined;
  const cells = new Map<string, Counters>();
  for (const fact of facts) {
    const next = applyFact(record, fact, pricing);
    if (sameRecord(record, next)) continue;
    for (const d of deltaOf(record, next)) {
      const key = `${d.day} ${d.drink}`;
      const sum = cells.get(key) ?? { orders: 0, completed: 0, cancelled: 0, sales: 0, unpriced: 0 };
      for (const n of COUNTERS) sum[n] += d.counters[n];
      cells.set(key, sum);
    }
    record = next;
  }
  for (const [key, c] of cells) if (COUNTERS.every((n) => c[n] === 0)) cells.delete(key);
  return { record, cells };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('an order record', () => {
  it('counts an order once it has a drink, and its completion with its price', () => {
    const { record, cells } = play([queued('2025-06-01T09:00:00Z'), completed('2025-06-01T09:04:00Z')]);
    expect(record).toEqual({
      ...order,
      drink: 'Latte',
      queuedAt: '2025-06-01T09:00:00Z',
      day: '2025-06-01',
      price: 375,
      completedAt: '2025-06-01T09:04:00Z',
    });
    expect(Object.fromEntries(cells)).toEqual({
      '2025-06-01 Latte': { orders: 1, completed: 1, cancelled: 0, sales: 375, unpriced: 0 },
    });
  });

  it('gives the same record and the same counters for any order of arrival and any repeats', () => {
    // An order released by a barista is queued twice; EventBridge may repeat and reorder everything.
    const facts = [
      queued('2025-06-01T23:59:00Z'),
      queued('2025-06-02T00:03:00Z'),
      completed('2025-06-02T00:07:00Z'),
      completed('2025-06-02T00:07:00Z'),
      cancelled('2025-06-02T00:09:00Z'),
    ];
    const expected = play(facts);
    expect(Object.fromEntries(expected.cells)).toEqual({
      '2025-06-01 Latte': { orders: 1, completed: 1, cancelled: 0, sales: 375, unpriced: 0 },
    });
    const orders = permutations(facts);
    expect(orders).toHaveLength(120);
    for (const facts of orders) {
      const got = play(facts);
      expect(got.record).toEqual(expected.record);
      expect(got.cells).toEqual(expected.cells);
    }
  });

  it('keeps a completion that arrives before the drink, and counts it when the drink comes', () => {
    let record = applyFact(undefined, completed('2025-06-01T09:04:00Z'), pricing);
    expect(contributionOf(record)).toBeUndefined();
    expect(deltaOf(undefined, record)).toEqual([]);
    const before = record;
    record = applyFact(record, queued('2025-06-01T09:00:00Z', 'Espresso'), pricing);
    expect(deltaOf(before, record)).toEqual([
      {
        day: '2025-06-01',
        drink: 'Espresso',
        counters: { orders: 1, completed: 1, cancelled: 0, sales: 250, unpriced: 0 },
      },
    ]);
  });

  it('moves the order between cells when an earlier queueing shows another day', () => {
    const late = applyFact(undefined, queued('2025-06-02T00:01:00Z'), pricing);
    const early = applyFact(late, queued('2025-06-01T23:58:00Z'), pricing);
    expect(deltaOf(late, early)).toEqual([
      {
        day: '2025-06-02',
        drink: 'Latte',
        counters: { orders: -1, completed: 0, cancelled: 0, sales: 0, unpriced: 0 },
      },
      { day: '2025-06-01', drink: 'Latte', counters: { orders: 1, completed: 0, cancelled: 0, sales: 0, unpriced: 0 } },
    ]);
  });

  it('counts a cancellation, and a completed drink without a price as unpriced', () => {
    expect(
      play([queued('2025-06-01T09:00:00Z', 'Latte'), cancelled('2025-06-01T09:01:00Z')]).cells.get('2025-06-01 Latte'),
    ).toEqual({ orders: 1, completed: 0, cancelled: 1, sales: 0, unpriced: 0 });
    const mocha = play([queued('2025-06-01T09:00:00Z', 'Mocha'), completed('2025-06-01T09:05:00Z')]);
    expect(mocha.record).not.toHaveProperty('price');
    expect(mocha.cells.get('2025-06-01 Mocha')).toEqual({
      orders: 1,
      completed: 1,
      cancelled: 0,
      sales: 0,
      unpriced: 1,
    });
  });

  it('keeps the price fixed when the price list changes later', () => {
    const record = applyFact(undefined, queued('2025-06-01T09:00:00Z'), pricing);
    const repriced = applyFact(record, queued('2025-06-01T08:59:00Z'), { ...pricing, priceOf: () => 999 });
    expect(repriced.price).toBe(375);
  });

  it('refuses a fact of another order', () => {
    expect(() => applyFact({ eventId: 'NYC', orderId: 'o-2' }, completed('2025-06-01T09:00:00Z'), pricing)).toThrow(
      'applied to the record of NYC/o-2',
    );
  });
});

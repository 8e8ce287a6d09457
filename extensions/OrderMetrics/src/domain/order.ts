// An order as the metrics know it, and what it adds to the counters of its day and drink.
//
// Counting stays exact under at-least-once and out-of-order delivery because no counter is bumped
// per event: each event only merges a fact into the order's record (a merge that ignores repeats and
// does not depend on order), and the counters move by the difference between what the record
// contributed before and after. A repeat changes nothing, so it moves nothing; a completion that
// arrives before the order's drink is kept and counted once the drink is known.
import type { OrderFact } from './facts.js';

/** One order's record: key eventId + orderId. */
export interface OrderRecord {
  eventId: string;
  orderId: string;
  /** The drink, from the earliest OrderManager.WaitingCompletion seen. */
  drink?: string;
  /** When the order first entered the barista queue (ISO 8601). */
  queuedAt?: string;
  /** The day the order counts on: queuedAt's date in the configured time zone, fixed when queuedAt is. */
  day?: string;
  /** The drink's price in minor units (cents), fixed when the drink is known; absent when the price list lacks it. */
  price?: number;
  completedAt?: string;
  cancelledAt?: string;
}

/** What the record needs from the configuration: fixed into the record, so a later change of prices or time zone never rewrites history. */
export interface Pricing {
  dayOf(iso: string): string;
  priceOf(drink: string): number | undefined;
}

export interface Counters {
  /** Drink orders that entered the queue. */
  orders: number;
  completed: number;
  /** Cancelled (by the customer, a barista, or a timeout) and not completed. */
  cancelled: number;
  /** Sum of the prices of completed orders, in minor units of the currency. */
  sales: number;
  /** Completed orders of drinks the price list lacks (not in sales). */
  unpriced: number;
}

export const COUNTERS = [
  'orders',
  'completed',
  'cancelled',
  'sales',
  'unpriced',
] as const satisfies readonly (keyof Counters)[];

/** A counter change for one day and drink. */
export interface CellDelta {
  day: string;
  drink: string;
  counters: Counters;
}

const ms = (iso: string) => Date.parse(iso);
const earlier = (current: string | undefined, candidate: string) =>
  current === undefined || ms(candidate) < ms(current) ? candidate : current;

/** The record with one more fact merged in: idempotent and commutative, so repeats and any order of arrival give the same record. */
export function applyFact(record: OrderRecord | undefined, fact: OrderFact, pricing: Pricing): OrderRecord {
  const base: OrderRecord = record ?? { eventId: fact.eventId, orderId: fact.orderId };
  if (base.eventId !== fact.eventId || base.orderId !== fact.orderId)
    throw new Error(`fact of ${fact.eventId}/${fact.orderId} applied to the record of ${base.eventId}/${base.orderId}`);
  switch (fact.kind) {
    case 'completed':
      return { ...base, completedAt: earlier(base.completedAt, fact.at) };
    case 'cancelled':
      return { ...base, cancelledAt: earlier(base.cancelledAt, fact.at) };
    case 'queued': {
      // The earliest queueing wins (an order back in the queue after a barista released it is
      // queued again); on the same second, the smaller drink name, so the result never depends on order.
      const current = base.queuedAt;
      const wins =
        current === undefined ||
        ms(fact.at) < ms(current) ||
        (ms(fact.at) === ms(current) && fact.drink < (base.drink ?? ''));
      if (!wins) return base;
      const price = base.drink === fact.drink && base.price !== undefined ? base.price : pricing.priceOf(fact.drink);
      const { price: _old, ...rest } = base;
      return {
        ...rest,
        drink: fact.drink,
        queuedAt: fact.at,
        day: pricing.dayOf(fact.at),
        ...(price === undefined ? {} : { price }),
      };
    }
  }
}

/** What a record adds to its day and drink: nothing until the drink is known. A completion wins over a cancellation. */
export function contributionOf(record: OrderRecord | undefined): CellDelta | undefined {
  if (!record?.drink || !record.day) return undefined;
  const completed = record.completedAt !== undefined;
  const cancelled = !completed && record.cancelledAt !== undefined;
  return {
    day: record.day,
    drink: record.drink,
    counters: {
      orders: 1,
      completed: completed ? 1 : 0,
      cancelled: cancelled ? 1 : 0,
      sales: completed ? (record.price ?? 0) : 0,
      unpriced: completed && record.price === undefined ? 1 : 0,
    },
  };
}

const negated = (c: Counters): Counters =>
  Object.fromEntries(COUNTERS.map((n) => [n, 0 - c[n]])) as unknown as Counters;
const isZero = (c: Counters) => COUNTERS.every((n) => c[n] === 0);

/** How the counters move when a record changes from `before` to `after`: at most two cells (a record that moved day or drink). */
export function deltaOf(before: OrderRecord | undefined, after: OrderRecord): CellDelta[] {
  const was = contributionOf(before);
  const now = contributionOf(after);
  if (was && now && was.day === now.day && was.drink === now.drink) {
    const counters = Object.fromEntries(
      COUNTERS.map((n) => [n, now.counters[n] - was.counters[n]]),
    ) as unknown as Counters;
    return isZero(counters) ? [] : [{ day: now.day, drink: now.drink, counters }];
  }
  return [...(was ? [{ ...was, counters: negated(was.counters) }] : []), ...(now ? [now] : [])];
}

/** Whether two records hold the same facts (a repeat changes nothing and writes nothing). */
export function sameRecord(a: OrderRecord | undefined, b: OrderRecord): boolean {
  if (!a) return false;
  const keys: (keyof OrderRecord)[] = [
    'eventId',
    'orderId',
    'drink',
    'queuedAt',
    'day',
    'price',
    'completedAt',
    'cancelledAt',
  ];
  return keys.every((k) => a[k] === b[k]);
}

// An order's wait, and the rolling window of waits per event and drink.
//
// "Rolling" means: the last `size` completions of the drink at the event, by completion time (not by
// arrival). A window is a set of samples keyed by order, kept sorted, newest first, and cut at
// `size`: so a repeat changes nothing, a late completion that is older than the window's `size`
// newest is cut again at once, and any order of arrival gives the same window.
import type { OrderFact } from './facts.js';

/** One order's record: key eventId + orderId. */
export interface OrderRecord {
  eventId: string;
  orderId: string;
  /** The drink, from the earliest OrderManager.WaitingCompletion seen. */
  drink?: string;
  /** When the order first entered the barista queue (an order a barista released is queued again later). */
  queuedAt?: string;
  completedAt?: string;
}

export interface Sample {
  orderId: string;
  completedAt: string;
  /** From first entering the queue to completion, whole seconds (the envelopes' times are whole seconds). */
  waitSeconds: number;
}

const ms = (iso: string) => Date.parse(iso);

/** The record with one more fact merged in: idempotent and commutative (the earliest queueing and completion win). */
export function applyFact(record: OrderRecord | undefined, fact: OrderFact): OrderRecord {
  const base: OrderRecord = record ?? { eventId: fact.eventId, orderId: fact.orderId };
  if (base.eventId !== fact.eventId || base.orderId !== fact.orderId)
    throw new Error(`fact of ${fact.eventId}/${fact.orderId} applied to the record of ${base.eventId}/${base.orderId}`);
  if (fact.kind === 'completed') {
    return base.completedAt === undefined || ms(fact.at) < ms(base.completedAt)
      ? { ...base, completedAt: fact.at }
      : base;
  }
  const current = base.queuedAt;
  const wins =
    current === undefined ||
    ms(fact.at) < ms(current) ||
    (ms(fact.at) === ms(current) && fact.drink < (base.drink ?? ''));
  return wins ? { ...base, queuedAt: fact.at, drink: fact.drink } : base;
}

export const sameRecord = (a: OrderRecord | undefined, b: OrderRecord): boolean =>
  a !== undefined && a.drink === b.drink && a.queuedAt === b.queuedAt && a.completedAt === b.completedAt;

/** The order's wait, once its drink, queueing and completion are known. */
export function sampleOf(record: OrderRecord | undefined): (Sample & { drink: string }) | undefined {
  if (!record?.drink || !record.queuedAt || !record.completedAt) return undefined;
  // One clock (EventBridge's) for both ends; a negative wait could only come from events put with a
  // hand-set Time, and counts as none.
  const waitSeconds = Math.max(0, Math.round((ms(record.completedAt) - ms(record.queuedAt)) / 1000));
  return { drink: record.drink, orderId: record.orderId, completedAt: record.completedAt, waitSeconds };
}

const newestFirst = (a: Sample, b: Sample) =>
  ms(b.completedAt) - ms(a.completedAt) || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);

/** The window without the order's old sample, with its new one (if any), newest first, cut at `size`. */
export function windowWith(
  samples: readonly Sample[],
  orderId: string,
  sample: Sample | undefined,
  size: number,
): Sample[] {
  const others = samples.filter((s) => s.orderId !== orderId);
  return (sample ? [...others, sample] : others).sort(newestFirst).slice(0, size);
}

export const sameWindow = (a: readonly Sample[], b: readonly Sample[]): boolean =>
  a.length === b.length &&
  a.every(
    (s, i) => s.orderId === b[i]!.orderId && s.completedAt === b[i]!.completedAt && s.waitSeconds === b[i]!.waitSeconds,
  );

/** The drinks whose windows a change of the record may touch: its wait's drink before and after (one, almost always). */
export function drinksTouched(before: OrderRecord | undefined, after: OrderRecord): string[] {
  return [...new Set([sampleOf(before)?.drink, sampleOf(after)?.drink].filter((d): d is string => d !== undefined))];
}

/**
 * The windows that change when the record goes from `before` to `after`, given the current windows
 * of drinksTouched (missing: empty). A window also changes when `size` did (it is cut again).
 */
export function windowChanges(
  before: OrderRecord | undefined,
  after: OrderRecord,
  current: ReadonlyMap<string, { samples: readonly Sample[]; size?: number }>,
  size: number,
): { drink: string; samples: Sample[] }[] {
  const now = sampleOf(after);
  return drinksTouched(before, after).flatMap((drink) => {
    const window = current.get(drink);
    const samples = window?.samples ?? [];
    const sample =
      now && now.drink === drink
        ? { orderId: now.orderId, completedAt: now.completedAt, waitSeconds: now.waitSeconds }
        : undefined;
    const next = windowWith(samples, after.orderId, sample, size);
    return sameWindow(samples, next) && (window === undefined || window.size === size)
      ? []
      : [{ drink, samples: next }];
  });
}

export interface WindowStats {
  /** Rounded to one decimal. */
  averageSeconds: number;
  samples: number;
  latestCompletedAt: string;
}

/** The average of a window; undefined for an empty one. */
export function statsOf(samples: readonly Sample[]): WindowStats | undefined {
  if (samples.length === 0) return undefined;
  const total = samples.reduce((sum, s) => sum + s.waitSeconds, 0);
  return {
    averageSeconds: Math.round((total / samples.length) * 10) / 10,
    samples: samples.length,
    latestCompletedAt: samples.reduce(
      (latest, s) => (ms(s.completedAt) > ms(latest) ? s.completedAt : latest),
      samples[0]!.completedAt,
    ),
  };
}

// The read route's domain: which days a request asks for, and the answer built from the counter rows.
import { COUNTERS, type Counters } from './order.js';

/** The longest range one request may ask for, in days. */
export const MAX_DAYS = 31;

export interface DayRange {
  from: string;
  to: string;
}

/** A counter row as the table keeps it. */
export interface CounterRow extends Partial<Counters> {
  day: string;
  drink: string;
}

export interface DrinkMetrics extends Counters {
  drink: string;
  /** Orders neither completed nor cancelled yet. */
  open: number;
}

export interface MetricsReport {
  eventId: string;
  from: string;
  to: string;
  timeZone: string;
  /** Sales are in minor units of this currency (cents for USD). */
  currency: string;
  days: { day: string; drinks: DrinkMetrics[]; totals: Omit<DrinkMetrics, 'drink'> }[];
}

export class BadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function day(field: string, value: string): string {
  const m = DAY.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value)
    throw new BadRequest(field, `${field} "${value}" is not a date: write it as YYYY-MM-DD, e.g. 2025-06-01`);
  return value;
}

const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;

/** The days a query string asks for: `day`, or `from` and `to` (both included); today when it names none. */
export function rangeOf(query: Record<string, string | undefined> | undefined, today: string): DayRange {
  const { day: one, from, to } = query ?? {};
  if (one !== undefined) {
    if (from !== undefined || to !== undefined) throw new BadRequest('day', 'give either day or from and to, not both');
    return { from: day('day', one), to: one };
  }
  if (from === undefined && to === undefined) return { from: today, to: today };
  const range = { from: day('from', from ?? to!), to: day('to', to ?? from!) };
  if (range.from > range.to) throw new BadRequest('from', `from ${range.from} is after to ${range.to}`);
  if (daysBetween(range.from, range.to) > MAX_DAYS)
    throw new BadRequest('to', `at most ${MAX_DAYS} days per request; ask for a shorter range`);
  return range;
}

const zero = (): Counters => ({ orders: 0, completed: 0, cancelled: 0, sales: 0, unpriced: 0 });
const open = (c: Counters) => c.orders - c.completed - c.cancelled;

/** The answer: per day (oldest first) its drinks (by name) and totals; rows that net to nothing are left out. */
export function reportOf(
  eventId: string,
  range: DayRange,
  settings: { timeZone: string; currency: string },
  rows: readonly CounterRow[],
): MetricsReport {
  const byDay = new Map<string, DrinkMetrics[]>();
  for (const row of rows) {
    if (row.day < range.from || row.day > range.to) continue;
    const counters = Object.fromEntries(COUNTERS.map((n) => [n, Number(row[n] ?? 0)])) as unknown as Counters;
    if (COUNTERS.every((n) => counters[n] === 0)) continue;
    const drinks = byDay.get(row.day) ?? [];
    drinks.push({ drink: row.drink, ...counters, open: open(counters) });
    byDay.set(row.day, drinks);
  }
  const days = [...byDay.keys()].sort().map((d) => {
    const drinks = byDay.get(d)!.sort((a, b) => a.drink.localeCompare(b.drink));
    const totals = drinks.reduce((t, x) => {
      for (const n of COUNTERS) t[n] += x[n];
      return t;
    }, zero());
    return { day: d, drinks, totals: { ...totals, open: open(totals) } };
  });
  return { eventId, from: range.from, to: range.to, timeZone: settings.timeZone, currency: settings.currency, days };
}

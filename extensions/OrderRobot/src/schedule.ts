// Who arrives when, and what they order: pure and deterministic, so a retried minute starts the same
// customers again (same order ids, same execution names) and a seed repeats a run's drinks.
import { createHash } from 'node:crypto';
import type { RunOptions } from './options.js';

/** The run's state machine starts one minute of customers at a time, then waits a minute. */
export const MINUTE_SECONDS = 60;
/** The original OrderRobot's customers order as user "robot": the core marks their orders robot: true. */
export const ROBOT_USER = 'robot';
/** The barista user id of the original robots' events. */
export const ROBOT_BARISTA = '2842daf6-2656-4690-ad3e-06e4efc9bfa1';

export type BaristaAction = 'complete' | 'cancel';

/** The input of one customer's execution (statemachines/customer.asl.json). */
export interface CustomerInput {
  /** The run's execution ARN. */
  run: string;
  /** The customer's number in the run, from 0. */
  customer: number;
  orderId: string;
  eventId: string;
  drink: string;
  icon: string;
  /** Seconds from the start of its minute to the scan (less the seconds its minute spent starting it). */
  arriveInSeconds: number;
  customerDelaySeconds: number;
  baristaDelaySeconds: number;
  /** What the robot barista will do with the order. */
  action: BaristaAction;
}

/** What the run's state machine does after a minute's customers are started. */
export interface MinutePlan {
  minute: number;
  customers: CustomerInput[];
  /** Customers of the run up to and including this minute. */
  arrived: number;
  /** The last minute: no wait, the run ends. */
  done: boolean;
  waitSeconds: number;
}

/**
 * The second of the run at which customer n scans: n minutes / rate, rounded down to the second (a
 * Wait state waits whole seconds). The schedule is rounded, not each gap, so rounding never adds up,
 * and rounding down puts exactly `ordersPerMinute` customers in every full minute.
 */
// The epsilon keeps a whole second that floating point computes as 59.999... in its second.
export const arrivalSecond = (n: number, ordersPerMinute: number): number =>
  Math.floor((n * MINUTE_SECONDS) / ordersPerMinute + 1e-9);

/** The minute of the run its last customer arrives in (the run has lastMinute + 1 minutes). */
export const lastMinute = (options: Pick<RunOptions, 'orders' | 'ordersPerMinute'>): number =>
  Math.floor(arrivalSecond(options.orders - 1, options.ordersPerMinute) / MINUTE_SECONDS);

/** The first customer arriving in `minute` or later (orders when none does). */
function firstOf(minute: number, options: Pick<RunOptions, 'orders' | 'ordersPerMinute'>): number {
  const { orders, ordersPerMinute: rate } = options;
  const start = minute * MINUTE_SECONDS;
  // floor(x) >= start exactly when x >= start; the loops correct floating-point error.
  let n = Math.max(0, Math.ceil((start * rate) / MINUTE_SECONDS));
  while (n > 0 && arrivalSecond(n - 1, rate) >= start) n--;
  while (n < orders && arrivalSecond(n, rate) < start) n++;
  return Math.min(n, orders);
}

/** A number in [0, 1) that depends only on its arguments. */
export function unitOf(...parts: (string | number)[]): number {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  return hash.readUIntBE(0, 6) / 2 ** 48;
}

/** An order id in UUID form (version 8, RFC 9562: made by the application) that depends only on the run and the customer. */
export function orderIdOf(run: string, customer: number): string {
  const bytes = createHash('sha256').update(`${run}\u0000${customer}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Customer n of the run, given its place in its minute. */
export function customerOf(options: RunOptions, run: string, n: number): CustomerInput {
  const pick = unitOf(options.seed, n, 'drink');
  let cumulative = 0;
  const drink =
    options.drinks.find((d) => (cumulative += d.share) > pick) ?? options.drinks[options.drinks.length - 1]!;
  const second = arrivalSecond(n, options.ordersPerMinute);
  return {
    run,
    customer: n,
    orderId: orderIdOf(run, n),
    eventId: options.eventId,
    drink: drink.drink,
    icon: drink.icon,
    arriveInSeconds: second % MINUTE_SECONDS,
    customerDelaySeconds: options.customerDelaySeconds,
    baristaDelaySeconds: options.baristaDelaySeconds,
    action: unitOf(options.seed, n, 'cancel') < options.cancelRatio ? 'cancel' : 'complete',
  };
}

/** The customers arriving in `minute` of the run (0 is the first), and what comes next. */
export function minutePlan(options: RunOptions, run: string, minute: number): MinutePlan {
  const last = lastMinute(options);
  if (!Number.isInteger(minute) || minute < 0 || minute > last)
    throw new RangeError(`minute must be a whole number from 0 to ${last}, got ${JSON.stringify(minute)}`);
  const from = firstOf(minute, options);
  const to = firstOf(minute + 1, options);
  const customers: CustomerInput[] = [];
  for (let n = from; n < to; n++) customers.push(customerOf(options, run, n));
  return { minute, customers, arrived: to, done: minute === last, waitSeconds: MINUTE_SECONDS };
}

/** Whole seconds from `from` to `to` (epoch milliseconds), rounded down: never more than was spent. */
export const spentSince = (from: number, to: number): number => Math.max(0, Math.floor((to - from) / 1000));

/** The customer as started `spentSeconds` into its minute: its wait shortened by them, never below 0. */
export const lateBy = (customer: CustomerInput, spentSeconds: number): CustomerInput =>
  spentSeconds <= 0 ? customer : { ...customer, arriveInSeconds: Math.max(0, customer.arriveInSeconds - spentSeconds) };

// Schedules on the simulated clock, for EventBridge schedule rules and EventBridge Scheduler: a
// recurrence (rate, cron, a single time) says when it fires next; a schedule timer fires it when
// the simulated clock gets there. Rules fire "Scheduled Event"s from aws.events, in UTC.
import { randomUUID } from 'node:crypto';
import type { Account } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import type { TimeScale } from '../../time.js';
import { InvalidCronError, parseCron } from './cron.js';
import type { EventEnvelope, Rule } from './model.js';

/** When a schedule fires: the first time strictly after `after`, or undefined for never again. */
export interface Recurrence {
  next(after: Date): Date | undefined;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const RATE_LIKE = /^rate\(/;

/** `rate(value unit)`: the period in ms, or undefined when the text is no rate expression. */
export function ratePeriodMs(expression: string, { strictUnit }: { strictUnit: boolean }): number | undefined {
  const rate = RATE.exec(expression);
  if (!rate) return undefined;
  const value = Number(rate[1]);
  const unit = rate[2]!;
  // EventBridge rules want the singular unit exactly for 1 and the plural otherwise.
  if (value < 1 || (strictUnit && (value === 1) !== !unit.endsWith('s'))) return undefined;
  return value * UNIT_MS[unit.replace(/s$/, '')]!;
}

/** Every `periodMs` from `anchor`: the anchor itself first when `fromAnchor`, else one period later. */
export function rateRecurrence(periodMs: number, anchor: Date, fromAnchor: boolean): Recurrence {
  const first = anchor.getTime() + (fromAnchor ? 0 : periodMs);
  return {
    next(after) {
      const t = after.getTime();
      if (t < first) return new Date(first);
      return new Date(first + (Math.floor((t - first) / periodMs) + 1) * periodMs);
    },
  };
}

/** PutRule's refusal of a ScheduleExpression: AWS's text, and why (for a deploy's error). */
export class InvalidScheduleExpressionError extends AwsError {
  constructor(readonly reason: string) {
    super('ValidationException', 'Parameter ScheduleExpression is not valid.');
  }
}

/**
 * A rule's ScheduleExpression as PutRule accepts it (`rate(...)` or `cron(...)` in UTC), anchored at
 * `anchor` (a rate fires one period after it); throws PutRule's ValidationException otherwise.
 */
export function ruleRecurrence(expression: string, anchor = new Date()): Recurrence {
  const period = ratePeriodMs(expression, { strictUnit: true });
  if (period !== undefined) return rateRecurrence(period, anchor, false);
  const cron = CRON.exec(expression);
  if (cron) {
    try {
      return parseCron(cron[1]!);
    } catch (e) {
      if (e instanceof InvalidCronError) throw new InvalidScheduleExpressionError(e.message);
      throw e;
    }
  }
  throw new InvalidScheduleExpressionError(
    RATE_LIKE.test(expression)
      ? 'a rate is rate(value unit) with a positive value and a unit of minute (for 1), minutes, hour, hours, day or days'
      : 'use rate(value unit) or cron(minutes hours day-of-month month day-of-week year)',
  );
}

export function scheduledEvent(rule: Rule, account: Account, time: Date): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: account.accountId,
    time: isoSeconds(time),
    region: account.region,
    resources: [rule.arn],
    detail: {},
  };
}

/** AWS's timestamp format for scheduled times: ISO 8601 in UTC, to the second. */
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ScheduleOptions {
  /** Where a schedule kept over a restart was: the time up to which it handled its times, and when that was written. */
  resume?: { upTo: number; wall: number };
  /** A missed time fires at start only within this (the flexible time window; 0: rules). */
  windowMs?: number;
  /** Each scheduled time handled (fired, or the start), simulated ms: to keep it (--data-dir). */
  onHandled?: (upTo: number) => void;
}

// setTimeout takes at most 2^31-1 ms; a later time is waited for in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Fires `fire(scheduledTime)` at each time of `recurrence` on a simulated clock that starts at the
 * real time now and runs `time.speed` times faster, so `cron(0 10 * * ? *)` at speed 1440 fires
 * once a real minute. The scheduled time is the simulated one: AWS stamps a scheduled event with
 * the time it was scheduled for, and a clock that runs faster must not stamp events with times the
 * schedule never named. A time the process could not keep up with (a busy event loop at a high
 * speed, a suspended machine) is skipped rather than fired in a burst. Timers are unref'd; the
 * returned function stops the schedule.
 */
export function startSchedule(
  recurrence: Recurrence,
  time: TimeScale,
  fire: (scheduled: Date) => void,
  onError: (e: unknown) => void,
  options: ScheduleOptions = {},
): () => void {
  const realStart = Date.now();
  const { resume } = options;
  // A schedule kept from before a restart goes on with its clock where it was, the time the cloud
  // was down counted at the speed of now.
  const clockStart = resume ? resume.upTo + (realStart - resume.wall) * time.speed : realStart;
  const simulatedNow = () => clockStart + (Date.now() - realStart) * time.speed;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const fired = (due: Date) => {
    try {
      fire(due);
    } catch (e) {
      onError(e);
    }
    options.onHandled?.(due.getTime());
  };
  const arm = (after: number) => {
    const due = recurrence.next(new Date(after));
    if (!due) return;
    const wait = () => {
      if (stopped) return;
      const remaining = (due.getTime() - simulatedNow()) / time.speed;
      if (remaining > 0) {
        timer = setTimeout(wait, Math.min(Math.ceil(remaining), MAX_TIMER_MS));
        timer.unref();
        return;
      }
      fired(due);
      if (!stopped) arm(Math.max(due.getTime(), simulatedNow()));
    };
    // Never fire inside the caller (a deploy, PutRule): the first check runs on a timer too.
    timer = setTimeout(wait, 0);
    timer.unref();
  };
  if (!resume) {
    options.onHandled?.(clockStart);
    arm(clockStart - 1);
  } else {
    // The times missed while the cloud was down: the latest fires once if the flexible time window
    // still allows it, the others are skipped.
    let latest: Date | undefined;
    for (let after = resume.upTo, i = 0; i < 1_000_000; i++) {
      const due = recurrence.next(new Date(after));
      if (!due || due.getTime() > clockStart) break;
      latest = due;
      after = due.getTime();
    }
    if (latest && clockStart - latest.getTime() <= (options.windowMs ?? 0)) {
      const missed = latest;
      timer = setTimeout(() => {
        if (stopped) return;
        fired(missed);
        if (!stopped) arm(Math.max(missed.getTime(), simulatedNow()));
      }, 0);
      timer.unref();
    } else {
      options.onHandled?.(latest ? clockStart : resume.upTo);
      arm(clockStart);
    }
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

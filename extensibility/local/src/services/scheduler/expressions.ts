// EventBridge Scheduler's schedule expressions: `at(yyyy-mm-ddThh:mm:ss)` once, `rate(value unit)`
// from the start date (now when there is none, firing at once), `cron(fields)`; at() and cron() are
// read in ScheduleExpressionTimezone (an IANA name, UTC by default), and StartDate/EndDate bound
// the recurring ones.
import { InvalidCronError, parseCron } from '../events/cron.js';
import { rateRecurrence, ratePeriodMs, type Recurrence } from '../events/schedule.js';

export class ScheduleExpressionError extends Error {
  constructor(
    /** The request member at fault: ScheduleExpression, ScheduleExpressionTimezone or EndDate. */
    readonly member: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ScheduleTiming {
  expression: string;
  timezone?: string;
  startDate?: Date;
  endDate?: Date;
}

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\((.*)\)$/;

/** Throws unless `timezone` is a time zone Intl knows (the IANA names AWS takes). */
export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleExpressionError(
      'ScheduleExpressionTimezone',
      `Invalid ScheduleExpressionTimezone ${timezone}: it takes an IANA time zone name, such as America/New_York or Europe/Paris`,
    );
  }
}

/** The UTC instant at which a wall-clock time (fields as written) happens in `timezone`. */
export function zonedInstant(fields: [number, number, number, number, number, number], timezone: string): Date {
  const [y, mo, d, h, mi, s] = fields;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (instant: number) => {
    const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - instant;
  };
  // The offset at the guess, then at the corrected instant (they differ across a DST change).
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

/**
 * When a schedule fires, as a recurrence on the simulated clock; `now` anchors a rate() without
 * StartDate. Throws ScheduleExpressionError with what is wrong.
 */
export function scheduleRecurrence(timing: ScheduleTiming, now: Date): Recurrence {
  const { expression } = timing;
  const timezone = timing.timezone ?? 'UTC';
  checkTimezone(timezone);
  const invalid = (why?: string) =>
    new ScheduleExpressionError(
      'ScheduleExpression',
      `Invalid Schedule Expression ${expression}${why ? `: ${why}` : ''}.`,
    );
  const at = AT.exec(expression);
  if (at) {
    const fields = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const [y, mo, d, h, mi, s] = fields;
    const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
      throw invalid(`${at[0].slice(3, -1)} is not a date and time`);
    // A one-time schedule ignores StartDate and EndDate, as AWS does.
    const instant = zonedInstant(fields, timezone);
    return { next: (after) => (instant.getTime() > after.getTime() ? instant : undefined) };
  }
  let inner: Recurrence;
  const period = ratePeriodMs(expression, { strictUnit: false });
  const cron = CRON.exec(expression);
  if (period !== undefined) {
    // Without a StartDate a rate schedule starts invoking at once.
    inner = rateRecurrence(period, timing.startDate ?? now, true);
  } else if (cron) {
    try {
      inner = parseCron(cron[1]!, timezone);
    } catch (e) {
      if (e instanceof InvalidCronError) throw invalid(e.message);
      throw e;
    }
  } else {
    throw invalid(
      'use at(yyyy-mm-ddThh:mm:ss), rate(value unit) with a unit of minutes, hours or days, or cron(minutes hours day-of-month month day-of-week year)',
    );
  }
  const { startDate, endDate } = timing;
  if (startDate && endDate && endDate.getTime() <= startDate.getTime())
    throw new ScheduleExpressionError('EndDate', 'The EndDate must be after the StartDate.');
  if (!startDate && !endDate) return inner;
  return {
    next(after) {
      const from = startDate && after.getTime() < startDate.getTime() ? new Date(startDate.getTime() - 1) : after;
      const next = inner.next(from);
      return next && endDate && next.getTime() > endDate.getTime() ? undefined : next;
    },
  };
}

// AWS cron expressions (EventBridge rules and EventBridge Scheduler): six fields,
// `minutes hours day-of-month month day-of-week year`, with `, - * / ? L W #`, as the EventBridge
// user guide's "Cron expressions reference" defines them. The grammar is checked here, field by
// field, so a bad expression is refused with the field and the reason; the next fire time is then
// computed by croner (Quartz-style weekdays, L, W, #, a year field, IANA time zones) from the
// expression rewritten into its syntax.
import { Cron } from 'croner';

export class InvalidCronError extends Error {}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: readonly FieldSpec[] = [
  { name: 'Minutes', min: 0, max: 59 },
  { name: 'Hours', min: 0, max: 23 },
  { name: 'Day-of-month', min: 1, max: 31 },
  { name: 'Month', min: 1, max: 12, names: MONTHS },
  { name: 'Day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'Year', min: 1970, max: 2199 },
];
const [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] = FIELDS as [
  FieldSpec,
  FieldSpec,
  FieldSpec,
  FieldSpec,
  FieldSpec,
  FieldSpec,
];

const fail = (field: FieldSpec, text: string, why: string): never => {
  throw new InvalidCronError(`${field.name} field '${text}': ${why}`);
};

function value(field: FieldSpec, text: string, whole: string): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + field.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n)) fail(field, whole, `'${text}' is not a value of this field`);
  if (n < field.min || n > field.max) fail(field, whole, `${n} is outside ${field.min}-${field.max}`);
  return n;
}

/**
 * A list of items (`*`, `v`, `a-b`, each with an optional `/step`), rewritten for croner (numbers only,
 * `v/step` as `v-max/step`); `values` collects what it matches (for minutes and hours).
 */
function list(field: FieldSpec, text: string, allowStep: boolean, values?: Set<number>): string {
  return text
    .split(',')
    .map((item) => {
      const m = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) return fail(field, text, `'${item}' is not a value, range or increment`);
      const [, range, stepText] = m as unknown as [string, string, string | undefined];
      if (stepText !== undefined && !allowStep) fail(field, text, "'/' is not allowed in this field");
      const step = stepText === undefined ? 1 : Number(stepText);
      if (step < 1 || step > field.max) fail(field, text, `the increment ${stepText} is outside 1-${field.max}`);
      let from = field.min;
      let to = field.max;
      if (range !== '*') {
        const [a, b] = range.split('-') as [string, string | undefined];
        from = value(field, a, text);
        to = b === undefined ? (stepText === undefined ? from : field.max) : value(field, b, text);
        if (from > to) fail(field, text, `the range ${a}-${b} runs backwards`);
      }
      for (let v = from; v <= to; v += step) values?.add(v);
      if (range === '*' && stepText === undefined) return '*';
      return `${from === to ? from : `${from}-${to}`}${stepText !== undefined ? `/${step}` : ''}`;
    })
    .join(',');
}

function dayOfMonth(text: string): string {
  if (text === 'L' || text === 'LW') return text;
  const weekday = /^(\d{1,2})W$/.exec(text);
  if (weekday) return `${value(DAY_OF_MONTH, weekday[1]!, text)}W`;
  if (text.includes('L') || text.includes('W')) fail(DAY_OF_MONTH, text, "L and W stand alone: 'L', 'LW' or '<day>W'");
  return list(DAY_OF_MONTH, text, true);
}

function dayOfWeek(text: string): string {
  // L alone is the last day of the week (Saturday); <day>L the last such day of the month.
  if (text === 'L') return '7';
  const last = /^(\w+)L$/.exec(text);
  if (last) return `${value(DAY_OF_WEEK, last[1]!, text)}#L`;
  const nth = /^(\w+)#(\d+)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(DAY_OF_WEEK, text, `#${nth[2]} is outside 1-5`);
    return `${value(DAY_OF_WEEK, nth[1]!, text)}#${n}`;
  }
  if (text.includes('#')) fail(DAY_OF_WEEK, text, "'#' takes one expression only, as in '3#2'");
  if (text.includes('L')) fail(DAY_OF_WEEK, text, "L stands alone: 'L' or '<day>L'");
  return list(DAY_OF_WEEK, text, false);
}

/** A parsed cron expression: when it fires next, in UTC instants. */
export interface CronSchedule {
  readonly fields: string;
  readonly timezone: string;
  /** The first time strictly after `after` (whole minutes), or undefined if it never fires again. */
  next(after: Date): Date | undefined;
}

/**
 * Parses the six fields of `cron(...)` (what is inside the parentheses), evaluated in `timezone`
 * (an IANA name; UTC by default, as for EventBridge rules). Throws InvalidCronError naming the field.
 */
export function parseCron(fields: string, timezone = 'UTC'): CronSchedule {
  const parts = fields.split(' ');
  if (parts.length !== 6 || parts.some((p) => p === '')) {
    throw new InvalidCronError(
      `a cron expression has six fields separated by a space (minutes hours day-of-month month day-of-week year), got '${fields}'`,
    );
  }
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  // One of the day fields says "any" with '?', and only one: AWS refuses both and neither.
  if ((dom === '?') === (dow === '?')) {
    throw new InvalidCronError(
      "one of Day-of-month and Day-of-week must be '?' (and not both): a value or * in one needs ? in the other",
    );
  }
  const minutes = new Set<number>();
  const hours = new Set<number>();
  const pattern = [
    '0',
    list(MINUTES, min, true, minutes),
    list(HOURS, hour, true, hours),
    dom === '?' ? '*' : dayOfMonth(dom),
    list(MONTH, month, true),
    dow === '?' ? '*' : dayOfWeek(dow),
    list(YEAR, year, true),
  ].join(' ');
  let cron: Cron;
  try {
    // domAndDow: the '?' field became '*', so AND keeps exactly the other field's days.
    cron = new Cron(pattern, { mode: '7-part', alternativeWeekdays: true, domAndDow: true, timezone });
  } catch (e) {
    throw new InvalidCronError((e as Error).message);
  }
  const wall = timezone === 'UTC' || timezone === 'Etc/UTC' ? undefined : wallClock(timezone);
  return {
    fields,
    timezone,
    next(after) {
      let from = after;
      for (let guard = 0; guard < 1000; guard++) {
        const candidate = cron.nextRun(from);
        if (!candidate) return undefined;
        if (!wall || keepsWallTime(candidate, wall, minutes, hours)) return candidate;
        from = candidate;
      }
      return undefined;
    },
  };
}

type WallClock = (instant: Date) => string;

/** The local date and time (to the minute) an instant shows in a time zone. */
function wallClock(timezone: string): WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (instant) => format.format(instant);
}

/**
 * EventBridge Scheduler's daylight saving rules: a time the spring change skips is not run (croner
 * would run it after the gap), and a time the autumn change repeats runs once (croner runs an
 * interval job twice).
 */
function keepsWallTime(instant: Date, wall: WallClock, minutes: Set<number>, hours: Set<number>): boolean {
  const local = wall(instant);
  const [, hh, mm] = /(\d\d):(\d\d)$/.exec(local)!.map(Number) as [number, number, number];
  if (!minutes.has(mm) || !hours.has(hh)) return false;
  // The second pass through a repeated hour (or half hour) shows a wall time already shown.
  return ![30, 60].some((m) => wall(new Date(instant.getTime() - m * 60_000)) === local);
}

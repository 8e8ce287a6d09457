// AWS cron expressions: the documented examples fire when AWS says they do, and what AWS refuses
// is refused with the field and the reason.
import { describe, expect, it } from '@jest/globals';
import { InvalidCronError, parseCron } from '../../src/services/events/cron.js';
import { rateRecurrence, ruleRecurrence } from '../../src/services/events/schedule.js';

/** The next `n` fire times after `from`, as ISO strings. */
function runs(fields: string, from: string, n = 3, timezone?: string): string[] {
  const cron = parseCron(fields, timezone);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = cron.next(at);
    if (!next) break;
    out.push(next.toISOString().replace('.000Z', 'Z'));
    at = next;
  }
  return out;
}

// Friday 30 January 2026, 12:00:30 UTC.
const FRIDAY_NOON = '2026-01-30T12:00:30Z';

describe('cron next times (UTC)', () => {
  it.each([
    ['0 10 * * ? *', FRIDAY_NOON, ['2026-01-31T10:00:00Z', '2026-02-01T10:00:00Z', '2026-02-02T10:00:00Z']],
    ['15 12 * * ? *', FRIDAY_NOON, ['2026-01-30T12:15:00Z', '2026-01-31T12:15:00Z', '2026-02-01T12:15:00Z']],
    ['0 18 ? * MON-FRI *', FRIDAY_NOON, ['2026-01-30T18:00:00Z', '2026-02-02T18:00:00Z', '2026-02-03T18:00:00Z']],
    ['0 8 1 * ? *', FRIDAY_NOON, ['2026-02-01T08:00:00Z', '2026-03-01T08:00:00Z', '2026-04-01T08:00:00Z']],
    ['0/15 * * * ? *', FRIDAY_NOON, ['2026-01-30T12:15:00Z', '2026-01-30T12:30:00Z', '2026-01-30T12:45:00Z']],
    [
      '0/10 * ? * MON-FRI *',
      '2026-01-30T23:55:00Z',
      ['2026-02-02T00:00:00Z', '2026-02-02T00:10:00Z', '2026-02-02T00:20:00Z'],
    ],
    [
      '0/5 8-17 ? * MON-FRI *',
      '2026-01-30T17:56:00Z',
      ['2026-02-02T08:00:00Z', '2026-02-02T08:05:00Z', '2026-02-02T08:10:00Z'],
    ],
    // 2#1: the first Monday of the month.
    ['0 9 ? * 2#1 *', FRIDAY_NOON, ['2026-02-02T09:00:00Z', '2026-03-02T09:00:00Z', '2026-04-06T09:00:00Z']],
    ['1/10 * * * ? *', FRIDAY_NOON, ['2026-01-30T12:01:00Z', '2026-01-30T12:11:00Z', '2026-01-30T12:21:00Z']],
    ['0 0 1 JAN,JUL ? *', FRIDAY_NOON, ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z']],
  ])('cron(%s) after %s', (fields, from, expected) => {
    expect(runs(fields, from)).toEqual(expected);
  });

  it('L: the last day of the month, the last <day> of the month, and alone in Day-of-week Saturday', () => {
    expect(runs('0 0 L * ? *', FRIDAY_NOON)).toEqual([
      '2026-01-31T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2026-03-31T00:00:00Z',
    ]);
    // 6L: the last Friday; 30 January at 10:15 has passed.
    expect(runs('15 10 ? * 6L *', FRIDAY_NOON)).toEqual([
      '2026-02-27T10:15:00Z',
      '2026-03-27T10:15:00Z',
      '2026-04-24T10:15:00Z',
    ]);
    expect(runs('0 12 ? * L *', FRIDAY_NOON, 2)).toEqual(['2026-01-31T12:00:00Z', '2026-02-07T12:00:00Z']);
  });

  it('W: the weekday nearest the day, never in another month; LW the last weekday', () => {
    // 15 February and 15 March 2026 are Sundays.
    expect(runs('0 9 15W * ? *', FRIDAY_NOON)).toEqual([
      '2026-02-16T09:00:00Z',
      '2026-03-16T09:00:00Z',
      '2026-04-15T09:00:00Z',
    ]);
    // 1 August 2026 is a Saturday: the nearest weekday in August is Monday the 3rd, not Friday 31 July.
    expect(runs('0 9 1W 8 ? *', FRIDAY_NOON, 1)).toEqual(['2026-08-03T09:00:00Z']);
    // 28 February 2026 is a Saturday.
    expect(runs('0 0 LW * ? *', FRIDAY_NOON, 2)).toEqual(['2026-02-27T00:00:00Z', '2026-03-31T00:00:00Z']);
  });

  it('the year field bounds it; a schedule whose years have passed never fires', () => {
    expect(runs('0 9 1 1 ? 2027-2028', FRIDAY_NOON, 3)).toEqual(['2027-01-01T09:00:00Z', '2028-01-01T09:00:00Z']);
    expect(runs('0 9 1 1 ? 2020', FRIDAY_NOON)).toEqual([]);
  });
});

describe('cron in a time zone (EventBridge Scheduler)', () => {
  it('evaluates the fields in local time', () => {
    expect(runs('0 9 * * ? *', FRIDAY_NOON, 2, 'America/New_York')).toEqual([
      '2026-01-30T14:00:00Z',
      '2026-01-31T14:00:00Z',
    ]);
    expect(runs('0 9 * * ? *', FRIDAY_NOON, 1, 'Asia/Tokyo')).toEqual(['2026-01-31T00:00:00Z']);
  });

  it('skips a time the spring change removes, and runs a repeated autumn time once', () => {
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    expect(runs('30 2 * * ? *', '2026-03-07T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-03-09T06:30:00Z',
      '2026-03-10T06:30:00Z',
    ]);
    // 1 November 2026: 01:00-01:59 happens twice (EDT, then EST).
    expect(runs('30 1 * * ? *', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:30:00Z',
    ]);
    expect(runs('0/30 1 * * ? *', '2026-10-31T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-11-01T05:00:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:00:00Z',
    ]);
  });
});

describe('invalid cron expressions', () => {
  it.each([
    ['0 10 * * * *', /one of Day-of-month and Day-of-week must be '\?'/],
    ['0 10 ? * ? *', /one of Day-of-month and Day-of-week must be '\?'/],
    ['0 10 * * ?', /six fields/],
    ['0 10 * * ? * *', /six fields/],
    ['0  10 * * ? *', /six fields/],
    ['60 * * * ? *', /Minutes field '60': 60 is outside 0-59/],
    ['0 24 * * ? *', /Hours field '24'/],
    ['0 0 32 * ? *', /Day-of-month field '32'/],
    ['0 0 0 * ? *', /Day-of-month field '0'/],
    ['0 0 1 13 ? *', /Month field '13'/],
    ['0 0 1 FOO ? *', /Month field 'FOO': 'FOO' is not a value/],
    ['0 0 ? * 8 *', /Day-of-week field '8'/],
    ['0 0 ? * 0 *', /Day-of-week field '0'/],
    ['0 0 1 * ? 1969', /Year field '1969'/],
    ['0 0 1 * ? 2200', /Year field '2200'/],
    ['0 10-5 * * ? *', /the range 10-5 runs backwards/],
    ['0 0 ? * 3#1,6#3 *', /'#' takes one expression only/],
    ['0 0 ? * 3#6 *', /#6 is outside 1-5/],
    ['0 0 ? * 1/2 *', /'\/' is not allowed/],
    ['0/0 * * * ? *', /increment 0/],
    ['a * * * ? *', /'a' is not a value/],
    ['0 0 L-2 * ? *', /L and W stand alone/],
    ['0 0 32W * ? *', /Day-of-month field '32W'/],
    ['0 0 ? * 9L *', /Day-of-week field '9L'/],
    ['0 0 ? * L,2 *', /L stands alone/],
  ])('cron(%s)', (fields, reason) => {
    expect(() => parseCron(fields)).toThrow(InvalidCronError);
    expect(() => parseCron(fields)).toThrow(reason);
  });
});

describe('schedule rule expressions', () => {
  it('accepts rate() and cron() as PutRule does, and refuses the rest with its message', () => {
    expect(ruleRecurrence('cron(0 12 * * ? *)').next(new Date(FRIDAY_NOON))).toEqual(new Date('2026-01-31T12:00:00Z'));
    const anchor = new Date(FRIDAY_NOON);
    const rate = ruleRecurrence('rate(5 minutes)', anchor);
    expect(rate.next(anchor)).toEqual(new Date(anchor.getTime() + 300_000));
    for (const bad of [
      'cron(0 12 * * * *)',
      'cron(0 12 * * ?)',
      'rate(1 minutes)',
      'rate(2 minute)',
      'rate(0 minutes)',
      'at(2030-01-01T00:00:00)',
    ]) {
      expect(() => ruleRecurrence(bad)).toThrow('Parameter ScheduleExpression is not valid.');
    }
  });

  it('a rate recurrence counts periods from its anchor, with or without the anchor itself', () => {
    const anchor = new Date('2026-01-30T12:00:00Z');
    expect(rateRecurrence(60_000, anchor, true).next(new Date(anchor.getTime() - 1))).toEqual(anchor);
    expect(rateRecurrence(60_000, anchor, true).next(anchor)).toEqual(new Date('2026-01-30T12:01:00Z'));
    expect(rateRecurrence(60_000, anchor, false).next(new Date(anchor.getTime() - 1))).toEqual(
      new Date('2026-01-30T12:01:00Z'),
    );
    expect(rateRecurrence(60_000, anchor, false).next(new Date('2026-01-30T12:05:30Z'))).toEqual(
      new Date('2026-01-30T12:06:00Z'),
    );
  });
});

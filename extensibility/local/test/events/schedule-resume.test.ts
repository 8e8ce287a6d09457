// A schedule kept over a restart (--data-dir) goes on with its times: its clock goes on from where
// it was, and of the times missed while the cloud was down the latest fires once at start if the
// flexible time window allows it, otherwise none does (as before: a rule has no window).
import { afterEach, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { rateRecurrence, startSchedule } from '../../src/services/events/schedule.js';
import { timeScale } from '../../src/time.js';

const MINUTE = 60_000;
const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

/** A rate(1 minute) anchored 10 minutes ago that handled its times up to 5 minutes after the anchor, 3 minutes and a second ago. */
function resumed(windowMs: number) {
  const now = Date.now();
  const anchor = now - 10 * MINUTE;
  const fired: number[] = [];
  const handled: number[] = [];
  stops.push(
    startSchedule(
      rateRecurrence(MINUTE, new Date(anchor), false),
      timeScale(1),
      (scheduled) => void fired.push(scheduled.getTime()),
      (e) => {
        throw e;
      },
      {
        resume: { upTo: anchor + 5 * MINUTE, wall: now - 3 * MINUTE - 1000 },
        windowMs,
        onHandled: (t) => handled.push(t),
      },
    ),
  );
  // Its clock is at anchor + 8 minutes and a second: the times at 6, 7 and 8 minutes were missed.
  return { anchor, fired, handled };
}

it('fires the latest missed time once at start when the flexible time window allows it', async () => {
  const { anchor, fired, handled } = resumed(5 * MINUTE);
  await until('the missed time fired', () => fired.length > 0 || undefined);
  expect(fired).toEqual([anchor + 8 * MINUTE]);
  expect(handled).toEqual([anchor + 8 * MINUTE]);
});

it('skips the missed times without a flexible time window, and goes on with the next', () => {
  const { anchor, fired, handled } = resumed(0);
  // Skipped at once; the next time (9 minutes after the anchor) is a minute away.
  expect(fired).toEqual([]);
  expect(handled).toHaveLength(1);
  expect(handled[0]).toBeGreaterThanOrEqual(anchor + 8 * MINUTE);
  expect(handled[0]).toBeLessThan(anchor + 9 * MINUTE);
});

// WaitTimes.WaitTimeChanged, the event this extension puts on the bus, from a window's old and new state.
import type { WaitTimesWaitTimeChanged } from '@serverlesspresso/catalog';
import { statsOf, type Sample } from './wait.js';

export const DETAIL_TYPE = 'WaitTimes.WaitTimeChanged';

/** A window as the table keeps it (and its stream shows it). */
export interface WindowItem {
  eventId: string;
  drink: string;
  samples: Sample[];
  windowSize: number;
  version: number;
}

/** "about 45 seconds", "about 1 minute", "about 4 minutes": what a customer reads on the display. */
export function humanWait(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  if (whole < 90) return `about ${whole} second${whole === 1 ? '' : 's'}`;
  const minutes = Math.round(whole / 60);
  return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The event for a window's change, or undefined when nothing it says changed (the average, how many
 * completions it is over, the newest of them), or the window is empty. A new completion with the same
 * average is still put: the display learns the average is current.
 */
export function waitTimeChanged(
  before: WindowItem | undefined,
  after: WindowItem,
): WaitTimesWaitTimeChanged | undefined {
  const now = statsOf(after.samples);
  if (!now) return undefined;
  const was = before ? statsOf(before.samples) : undefined;
  if (
    was &&
    was.averageSeconds === now.averageSeconds &&
    was.samples === now.samples &&
    was.latestCompletedAt === now.latestCompletedAt
  )
    return undefined;
  const last = now.samples === 1 ? 'the last order' : `the last ${now.samples}`;
  return {
    eventId: after.eventId,
    drink: after.drink,
    ...now,
    windowSize: after.windowSize,
    version: after.version,
    Message: `${article(after.drink)} ${after.drink} takes ${humanWait(now.averageSeconds)} right now (average of ${last}).`,
  };
}

const article = (drink: string) => (/^[aeiou]/i.test(drink) ? 'An' : 'A');

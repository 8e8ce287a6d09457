// The archive the player replays: a recorded session as envelopes with their moments, in session
// (simulated) time. The recorder writes it; the function serving it checks it when it loads, so a
// malformed archive fails the deploy rather than a replay halfway.
import type { EventEnvelope } from '@serverlesspresso/catalog';

export interface ArchivedEvent {
  /** When the event was put, in milliseconds of session time from the start of the recording. */
  offsetMs: number;
  /** The envelope as the bus archived it (its `time` is the recording's wall clock, to the second). */
  event: EventEnvelope;
}

export interface SessionArchive {
  /** What the session is, for whoever opens the file. */
  description: string;
  /** The session's length in milliseconds of session time (the last event may come earlier). */
  durationMs: number;
  /** Oldest first. */
  events: ArchivedEvent[];
  /** How it was made: free-form facts from the recorder (speed, counts, ...). */
  recording?: Record<string, unknown>;
}

/**
 * The most events an archive may hold. One execution replays the whole archive and Step Functions
 * caps an execution's history at 25,000 events; each moment of the replay (up to 10 events put at
 * once) costs 14 history events, and the start and the end 13, so 1,700 moments (at worst one event
 * each) take 23,813: inside the limit, with room for a few retries.
 */
export const MAX_ARCHIVE_EVENTS = 1_700;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every reason `value` is not a replayable archive, each naming the field; empty when it is one. */
export function archiveProblems(value: unknown): string[] {
  if (!isObject(value)) return ['the archive must be a JSON object with description, durationMs and events'];
  const problems: string[] = [];
  if (typeof value.description !== 'string') problems.push('description: must be a string');
  if (typeof value.durationMs !== 'number' || !(value.durationMs >= 0))
    problems.push('durationMs: must be a non-negative number');
  if (!Array.isArray(value.events)) return [...problems, 'events: must be an array'];
  if (value.events.length > MAX_ARCHIVE_EVENTS) {
    problems.push(
      `events: ${value.events.length} events, more than the ${MAX_ARCHIVE_EVENTS} one replay can hold (Step Functions' history limit); split the session`,
    );
  }
  let previous = 0;
  value.events.forEach((item: unknown, i) => {
    const at = `events[${i}]`;
    if (!isObject(item)) return void problems.push(`${at}: must be an object with offsetMs and event`);
    const { offsetMs, event } = item;
    if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs) || offsetMs < 0)
      problems.push(`${at}.offsetMs: must be a non-negative number`);
    else if (offsetMs < previous)
      problems.push(
        `${at}.offsetMs: ${offsetMs} comes before the previous event's ${previous}; events must be oldest first`,
      );
    else previous = offsetMs;
    if (!isObject(event)) return void problems.push(`${at}.event: must be an EventBridge envelope`);
    for (const field of ['source', 'detail-type'] as const) {
      if (typeof event[field] !== 'string' || event[field] === '')
        problems.push(`${at}.event.${field}: must be a non-empty string`);
    }
    if (!isObject(event.detail)) problems.push(`${at}.event.detail: must be an object`);
  });
  return problems;
}

/** The archive, typed, or an error listing every problem. */
export function checkedArchive(value: unknown, name = 'archive/session.json'): SessionArchive {
  const problems = archiveProblems(value);
  if (problems.length > 0) throw new Error(`${name} is not a replayable archive:\n  ${problems.join('\n  ')}`);
  return value as SessionArchive;
}

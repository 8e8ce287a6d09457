// The replay's logic, pure: the player's input, the schedule of the archive divided by `speed`, the
// moments it is put in (at most 10 events, one PutEvents call each), and the tenant rewrite.
import type { EventEnvelope } from '@serverlesspresso/catalog';
import type { SessionArchive } from './archive.js';

/** PutEvents takes at most 10 entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;
/**
 * A moment's entries travel through the state machine, whose state data is capped at 256 KiB:
 * a moment stops growing before this many bytes of entries.
 */
export const MAX_MOMENT_BYTES = 200 * 1024;

/** The same rule as the core's tenant (core/src/domain/tenant.ts; a test keeps them equal). */
export const EVENT_ID = /^[A-Za-z0-9_]{1,40}$/;

/** Bad execution input: the execution fails with this error name and the message as its cause. */
export class InvalidPlayerInput extends Error {
  constructor(message: string) {
    super(message);
    // Set explicitly: the Lambda bundle is minified, and the error name is what Step Functions reports.
    this.name = 'InvalidPlayerInput';
  }
}

export interface ReplayOptions {
  /** Gaps between events are divided by it: 1 replays in real time, 10 ten times faster. */
  speed: number;
  /** The tenant to replay as, instead of the recorded one. */
  eventId?: string;
}

const INPUT_FIELDS = ['speed', 'eventId', 'Comment'];

/**
 * The execution input as options. Every field is optional, so the console's default input
 * (`{"Comment": "Insert your JSON here"}`) replays the session as recorded, in real time.
 */
export function replayOptions(input: unknown): ReplayOptions {
  if (input === undefined || input === null) return { speed: 1 };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidPlayerInput(
      `the input must be a JSON object such as {"speed": 10, "eventId": "REPLAY"}, got ${JSON.stringify(input)}`,
    );
  }
  const fields = input as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !INPUT_FIELDS.includes(k));
  if (unknown.length > 0) {
    throw new InvalidPlayerInput(
      `${unknown.map((k) => JSON.stringify(k)).join(', ')}: not a field of the player's input (its fields: speed, eventId, Comment)`,
    );
  }
  const { speed = 1, eventId } = fields;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw new InvalidPlayerInput(
      `speed: must be a positive number (1 replays in real time, 10 ten times faster), got ${JSON.stringify(speed)}`,
    );
  }
  if (eventId !== undefined && (typeof eventId !== 'string' || !EVENT_ID.test(eventId))) {
    throw new InvalidPlayerInput(
      `eventId: must be 1 to 40 letters, digits or underscores (e.g. "REPLAY"), got ${JSON.stringify(eventId)}`,
    );
  }
  return eventId === undefined ? { speed } : { speed, eventId };
}

/**
 * The replay second an event is put at: its session offset divided by speed, rounded to the
 * second (a Wait state waits whole seconds). Rounding the schedule, not each gap, keeps errors from
 * adding up: every event goes out within half a second of its scaled time.
 */
export const replaySecond = (offsetMs: number, speed: number): number => Math.round(offsetMs / 1000 / speed);

/** A PutEvents entry as the Step Functions integration takes it (Detail as an object). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
  EventBusName: string;
}

export interface Progress {
  /** Events in the archive. */
  total: number;
  /** Session time of this moment, and the session's length, in milliseconds. */
  sessionMs: number;
  durationMs: number;
}

/** What the state machine does next: wait, then put these entries; or stop. */
export type Moment =
  | ({
      done: false;
      cursor: number;
      next: number;
      waitSeconds: number;
      entries: PutEventsEntry[];
      options: ReplayOptions;
    } & Progress)
  | ({ done: true; cursor: number; next: number; options: ReplayOptions } & Progress);

/** Where a replay puts its events, and the replay's execution ARN that marks them. */
export interface ReplayTarget {
  bus: string;
  execution?: string;
}

/** The moment starting at event `cursor`: the events put at the same replay second, 10 at most. */
export function momentAt(
  archive: SessionArchive,
  cursor: number,
  options: ReplayOptions,
  target: ReplayTarget,
): Moment {
  const { events, durationMs } = archive;
  const total = events.length;
  if (!Number.isInteger(cursor) || cursor < 0 || cursor > total)
    throw new RangeError(`cursor must be an event index from 0 to ${total}, got ${JSON.stringify(cursor)}`);
  if (cursor === total) return { done: true, cursor, next: total, options, total, sessionMs: durationMs, durationMs };
  const second = replaySecond(events[cursor]!.offsetMs, options.speed);
  const waitSeconds = second - (cursor === 0 ? 0 : replaySecond(events[cursor - 1]!.offsetMs, options.speed));
  const entries: PutEventsEntry[] = [];
  let bytes = 0;
  let next = cursor;
  while (
    next < total &&
    entries.length < MAX_ENTRIES_PER_PUT &&
    replaySecond(events[next]!.offsetMs, options.speed) === second
  ) {
    const entry = toEntry(events[next]!.event, options, target);
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (entries.length > 0 && bytes + size > MAX_MOMENT_BYTES) break;
    entries.push(entry);
    bytes += size;
    next++;
  }
  return {
    done: false,
    cursor,
    next,
    waitSeconds,
    entries,
    options,
    total,
    sessionMs: events[cursor]!.offsetMs,
    durationMs,
  };
}

/**
 * The entry that replays an archived event, marked twice. Step Functions' putEvents integration puts
 * the player's state machine and execution ARNs in resources (the recorded resources, the recording's
 * own executions, are left out); and `detail.replay` holds the execution ARN in every event (every
 * schema of the contract allows it; a test keeps it so), so a rule can leave replays out with
 * {"replay": [{"exists": false}]}. Time is left to EventBridge: the event happens now.
 */
export function toEntry(event: EventEnvelope, options: ReplayOptions, target: ReplayTarget): PutEventsEntry {
  const { detailType, detail } = options.eventId
    ? retenant(event['detail-type'], event.detail, options.eventId)
    : { detailType: event['detail-type'], detail: event.detail };
  const marked = target.execution ? { ...detail, replay: target.execution } : detail;
  return { Source: event.source, DetailType: detailType, Detail: marked, EventBusName: target.bus };
}

/** Detail fields whose value is "<eventId>-<STATE>" (e.g. "NYC-CREATED"), as the core writes them. */
const TENANT_PREFIXED = new Set(['state', 'ORDERSTATE']);
/** The contract's one family of detail-types that embeds the tenant: OrderManager.Order{eventId}-<STATE>. */
const FAMILY = /^(OrderManager\.Order)(.+)(-[A-Z]+)$/;

/** The recorded tenant: detail.eventId, or bucket.eventId where the original put it only there. */
function tenantOf(detail: Record<string, unknown>): string | undefined {
  if (typeof detail.eventId === 'string') return detail.eventId;
  const bucket = detail.bucket as Record<string, unknown> | undefined;
  return typeof bucket?.eventId === 'string' ? bucket.eventId : undefined;
}

/**
 * The event as the tenant `eventId`: every `eventId` field of the detail (bucket.eventId too), the
 * "<eventId>-<STATE>" values, and the tenant a detail-type embeds. Nothing else changes.
 */
export function retenant(
  detailType: string,
  detail: Record<string, unknown>,
  eventId: string,
): { detailType: string; detail: Record<string, unknown> } {
  const from = tenantOf(detail);
  if (from === undefined || from === eventId) return { detailType, detail };
  const rewrite = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, k)]));
    }
    if (key === 'eventId' && value === from) return eventId;
    if (key && TENANT_PREFIXED.has(key) && typeof value === 'string' && value.startsWith(`${from}-`))
      return `${eventId}${value.slice(from.length)}`;
    return value;
  };
  const family = FAMILY.exec(detailType);
  return {
    detailType: family && family[2] === from ? `${family[1]}${eventId}${family[3]}` : detailType,
    detail: rewrite(detail) as Record<string, unknown>,
  };
}

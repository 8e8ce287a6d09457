// PutEvents' rules, as AWS applies them: request-level limits throw ValidationException; each
// entry is checked on its own and fails with InvalidArgument or MalformedDetail inside an HTTP 200.
import { randomUUID } from 'node:crypto';
import type { Account } from '../../arn.js';
import { validation } from '../../edge/errors.js';
import type { EventEnvelope } from './model.js';

export const MAX_ENTRIES = 10;
/** AWS's current PutEvents request limit; 256 KB is the legacy one (`--event-size-limit legacy`). */
export const DEFAULT_REQUEST_SIZE_LIMIT = 1024 * 1024;
export const LEGACY_REQUEST_SIZE_LIMIT = 256 * 1024;

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
  TraceHeader?: unknown;
}

export type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** An entry's size as AWS computes it for the request limit (UTF-8 bytes of each field; Time counts 14). */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  let size = entry.Time !== undefined ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}

export function checkRequest(entries: unknown, sizeLimit: number): PutEventsEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw validation(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw validation(
      `1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  const total = (entries as PutEventsEntry[]).reduce((sum, e) => sum + entrySize(e ?? {}), 0);
  if (total > sizeLimit)
    throw validation(`Total size of the entries in the request is over the limit (${total} > ${sizeLimit} bytes).`);
  return entries as PutEventsEntry[];
}

const invalid = (field: string, reason: string): EntryResult => ({
  ErrorCode: 'InvalidArgument',
  ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
});

/** AWS sends the envelope's time to the second. */
export function envelopeTime(time: unknown, now: Date): string | undefined {
  let date = now;
  if (typeof time === 'number') date = new Date(time * 1000);
  else if (typeof time === 'string') date = new Date(/^\d+(\.\d+)?$/.test(time) ? Number(time) * 1000 : time);
  else if (time !== undefined && time !== null) return undefined;
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the envelope of one entry, or says why the entry fails. */
export function buildEnvelope(
  entry: PutEventsEntry,
  account: Account,
  now: Date,
): { envelope: EventEnvelope } | { error: EntryResult } {
  if (typeof entry !== 'object' || entry === null) return { error: invalid('Entry', 'Entry must be an object.') };
  if (typeof entry.Source !== 'string' || entry.Source === '')
    return { error: invalid('Source', 'Source is a required argument.') };
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
    return { error: invalid('DetailType', 'DetailType is a required argument.') };
  if (entry.Detail === undefined || entry.Detail === null || entry.Detail === '')
    return { error: invalid('Detail', 'Detail is a required argument.') };
  let detail: unknown;
  try {
    detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  const time = envelopeTime(entry.Time, now);
  if (time === undefined) return { error: invalid('Time', 'Time is not a valid timestamp.') };
  if (
    entry.Resources !== undefined &&
    (!Array.isArray(entry.Resources) || entry.Resources.some((r) => typeof r !== 'string'))
  ) {
    return { error: invalid('Resources', 'Resources must be a list of strings.') };
  }
  return {
    envelope: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: account.accountId,
      time,
      region: account.region,
      resources: (entry.Resources as string[] | undefined) ?? [],
      detail: detail as Record<string, unknown>,
    },
  };
}

// Puts the core's events on the bus. PutEvents takes at most 10 entries per call and reports failed
// entries inside a successful response. Only the entries that failed are sent again (the others are
// on the bus already: sending them again would put them twice, with new envelope ids), a bounded
// number of times with exponential backoff and jitter, and only when their error may pass
// (throttling, an internal failure); then the call throws naming each entry that failed, so the
// caller (a stream batch, an EventBridge delivery) is retried rather than an event being lost. A
// repeat the caller's retry causes carries the same detail.idempotencyKey: consumers drop it.
import { setTimeout as sleep } from 'node:timers/promises';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { toPutEventsEntry, type AnyBusEvent, type PutEventsEntry } from '../domain/index.js';
import { events } from './aws.js';
import { requiredEnv } from './env.js';

const MAX_ENTRIES = 10;
/** Sends of a failed entry in all (the first and up to 3 more). */
export const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 50;

/**
 * Error codes PutEvents reports per entry that will not pass by sending the entry again (the entry
 * itself is wrong, or the caller may not put it); any other code (ThrottlingException,
 * InternalFailure, ...) is retried.
 */
export const PERMANENT_ENTRY_ERRORS = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'ResourceNotFoundException',
]);

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface FailedEntry {
  entry: PutEventsEntry;
  errorCode: string;
  errorMessage: string;
}

/** An entry as a failure names it: its detail-type, and its idempotency key (else its order) when it has one. */
function describe(f: FailedEntry): string {
  let detail: unknown;
  try {
    detail = JSON.parse(f.entry.Detail);
  } catch {
    // a malformed detail is named by its detail-type alone
  }
  const d = typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>) : {};
  const ref = [d.idempotencyKey, d.orderId].find((v) => typeof v === 'string');
  return `${f.entry.DetailType}${ref ? ` (${ref as string})` : ''}: ${f.errorCode} ${f.errorMessage}`.trim();
}

/** Backoff before attempt n (1-based retries): 50, 100, 200 ms, each with up to as much again of jitter. */
const backoff = (retry: number) => BASE_DELAY_MS * 2 ** (retry - 1) * (1 + Math.random());

/** Sends up to 10 entries; sends again only those that failed, while their errors may pass; what still fails. */
async function putBatch(entries: PutEventsEntry[]): Promise<FailedEntry[]> {
  const permanent: FailedEntry[] = [];
  let pending = entries;
  for (let attempt = 1; ; attempt++) {
    const result = await events().send(new PutEventsCommand({ Entries: pending }));
    if ((result.FailedEntryCount ?? 0) === 0) return permanent;
    const failed = pending.flatMap((entry, j) => {
      const r = result.Entries?.[j];
      return r?.ErrorCode ? [{ entry, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? '' }] : [];
    });
    permanent.push(...failed.filter((f) => PERMANENT_ENTRY_ERRORS.has(f.errorCode)));
    const retryable = failed.filter((f) => !PERMANENT_ENTRY_ERRORS.has(f.errorCode));
    if (retryable.length === 0 || attempt >= MAX_ATTEMPTS) return [...permanent, ...retryable];
    await sleep(backoff(attempt));
    pending = retryable.map((f) => f.entry);
  }
}

export async function publish(busEvents: readonly AnyBusEvent[], options: { busName?: string } = {}): Promise<void> {
  if (busEvents.length === 0) return;
  const busName = options.busName ?? requiredEnv('BUS_NAME');
  const failed: FailedEntry[] = [];
  for (let i = 0; i < busEvents.length; i += MAX_ENTRIES) {
    const entries = busEvents.slice(i, i + MAX_ENTRIES).map((e) => toPutEventsEntry(e, { busName }));
    failed.push(...(await putBatch(entries)));
  }
  if (failed.length > 0)
    throw new PublishError(
      `PutEvents to ${busName} failed for ${failed.length} of ${busEvents.length} events after up to ${MAX_ATTEMPTS} attempts (the others were put once): ${failed.map(describe).join('; ')}`,
    );
}

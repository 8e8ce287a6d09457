// Puts events on the bus. PutEvents takes at most 10 entries per call, and it reports failed
// entries inside a successful response (FailedEntryCount, an ErrorCode per entry): entries are put
// in batches of 10, and only the failed ones are put again, a few times, before this throws with
// each one's error. The caller (a stream batch, an EventBridge delivery) is then retried whole, so
// an event may be put twice but is never lost silently.
//
// Every extension keeps an identical copy of this file in its src/adapters/ (`sam build` bundles
// an extension's folder alone): change the model's, then copy it; a test compares the copies.
import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** PutEvents' limit of entries per call. */
export const MAX_ENTRIES = 10;

/** What puts events: an EventBridgeClient (AWS, or the local cloud through AWS_ENDPOINT_URL). */
export interface EventSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface PutOptions {
  /** How many times an entry is put at most (the first put included); default 3. */
  attempts?: number;
  /** Wait before the n-th put again: `backoffMs * 2^(n-1)`; default 100 ms (throttling passes). */
  backoffMs?: number;
}

/** An entry the bus did not accept, with its last error. */
export interface FailedEntry {
  entry: PutEventsRequestEntry;
  errorCode: string;
  errorMessage: string;
}

export class PutEventsError extends Error {
  override name = 'PutEventsError';
  constructor(
    readonly failed: FailedEntry[],
    readonly total: number,
    attempts: number,
  ) {
    super(
      `${failed.length} of ${total} events were not accepted by the bus after ${attempts} attempt(s): ` +
        failed.map((f) => `${f.entry.DetailType ?? '?'}: ${f.errorCode} ${f.errorMessage}`.trim()).join('; '),
    );
  }
}

/** Splits entries into PutEvents calls of at most 10. */
export function batches<T>(entries: readonly T[], size = MAX_ENTRIES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < entries.length; i += size) out.push(entries.slice(i, i + size));
  return out;
}

/** The entries of one call that failed, from its response (all of them when it says no more). */
export function failedEntries(sent: readonly PutEventsRequestEntry[], result: PutEventsCommandOutput): FailedEntry[] {
  if (!result.FailedEntryCount) return [];
  const results = result.Entries ?? [];
  if (results.length !== sent.length)
    return sent.map((entry) => ({
      entry,
      errorCode: 'Unknown',
      errorMessage: `${result.FailedEntryCount} failed, which ones not said`,
    }));
  return sent.flatMap((entry, i) => {
    const r = results[i];
    return r?.ErrorCode ? [{ entry, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? '' }] : [];
  });
}

/**
 * Puts every entry, in batches of 10, putting again only the failed entries; throws PutEventsError
 * naming those still refused after `attempts`. An error of the call itself (network, throttling of
 * the whole call) is the SDK's to retry, then thrown as it is.
 */
export async function putEvents(
  sender: EventSender,
  entries: readonly PutEventsRequestEntry[],
  options: PutOptions = {},
): Promise<{ put: number }> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 100;
  let pending = [...entries];
  let failed: FailedEntry[] = [];
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    if (attempt > 1 && backoffMs > 0) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 2)));
    failed = [];
    for (const batch of batches(pending))
      failed.push(...failedEntries(batch, await sender.send(new PutEventsCommand({ Entries: batch }))));
    pending = failed.map((f) => f.entry);
  }
  if (failed.length > 0) throw new PutEventsError(failed, entries.length, attempts);
  return { put: entries.length };
}

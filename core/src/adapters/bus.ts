// Puts the core's events on the bus. PutEvents takes at most 10 entries per call and reports failed
// entries inside a successful response: both are handled here, and any failure throws, so the caller
// (a stream batch, an EventBridge delivery) is retried rather than an event being lost.
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { toPutEventsEntry, type AnyBusEvent } from '../domain/index.js';
import { events } from './aws.js';
import { requiredEnv } from './env.js';

const MAX_ENTRIES = 10;

export class PublishError extends Error {
  override name = 'PublishError';
}

export async function publish(busEvents: readonly AnyBusEvent[], options: { busName?: string } = {}): Promise<void> {
  if (busEvents.length === 0) return;
  const busName = options.busName ?? requiredEnv('BUS_NAME');
  for (let i = 0; i < busEvents.length; i += MAX_ENTRIES) {
    const entries = busEvents.slice(i, i + MAX_ENTRIES).map((e) => toPutEventsEntry(e, { busName }));
    const result = await events().send(new PutEventsCommand({ Entries: entries }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failures = (result.Entries ?? [])
        .map((r, j) =>
          r.ErrorCode ? `${entries[j]?.DetailType}: ${r.ErrorCode} ${r.ErrorMessage ?? ''}`.trim() : undefined,
        )
        .filter((f): f is string => f !== undefined);
      throw new PublishError(
        `PutEvents to ${busName} failed for ${result.FailedEntryCount} of ${entries.length} events: ${failures.join('; ')}`,
      );
    }
  }
}

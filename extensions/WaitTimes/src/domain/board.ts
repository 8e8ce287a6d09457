// The board's message for a wait time: WaitTimes.WaitTimeChanged, as the display at the bar shows it
// on the core's realtime channel /board/<eventId> (its schema: extensibility/catalog/channels/board.json).
// Built from an allow-list of the event's fields; nothing else reaches the public screen.
import type { BoardWaitTimeMessage } from '@serverlesspresso/catalog';

/** A bus event as EventBridge delivers it to a function (the fields read here). */
export interface Delivered {
  id: string;
  time: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

// A channel segment is letters, digits and dashes: an eventId's "_" is written "-" (eventIds have no dash).
const SEGMENT = /^[A-Za-z0-9-]{1,50}$/;

/** The board's channel and message for a WaitTimes.WaitTimeChanged, or why there is none. */
export function boardWaitTime(e: Delivered): { channel: string; message: BoardWaitTimeMessage } | string {
  const d = e.detail;
  const { eventId, drink, averageSeconds, samples, latestCompletedAt, version, Message } = d;
  if (d.replay !== undefined) return 'a replay is history, not news';
  if (typeof eventId !== 'string' || !SEGMENT.test(eventId.replaceAll('_', '-')))
    return `detail.eventId ${JSON.stringify(eventId)} is not an event id`;
  if (
    typeof drink !== 'string' ||
    typeof averageSeconds !== 'number' ||
    typeof samples !== 'number' ||
    typeof latestCompletedAt !== 'string' ||
    typeof version !== 'number'
  )
    return 'detail.drink, averageSeconds, samples, latestCompletedAt and version are required';
  return {
    channel: `/board/${eventId.replaceAll('_', '-')}`,
    message: {
      kind: 'waitTime',
      id: e.id,
      source: e['detail-type'],
      eventId,
      at: e.time,
      drink,
      averageSeconds,
      samples,
      latestCompletedAt,
      version,
      message: typeof Message === 'string' ? Message : '',
    },
  };
}

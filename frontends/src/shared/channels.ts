// The core's realtime channels (core/README.md "Realtime channels"; their messages' JSON Schemas are
// in the catalog): the names an app subscribes to, and the messages' types (type-only imports: the
// build carries none of the catalog).
import type { BoardChannelMessage, CustomerOrderMessage, StaffChannelMessage } from '@serverlesspresso/catalog';

export type { BoardChannelMessage, CustomerOrderMessage, StaffChannelMessage };

/** An eventId as a channel segment: channel segments take no "_", so it is written "-" (as the core's publisher does). */
export const eventSegment = (eventId: string): string => eventId.replaceAll('_', '-');

/** One customer's orders at an event: only the customer whose token's sub is `sub` may subscribe. */
export const customerChannel = (eventId: string, sub: string): string => `/orders/${eventSegment(eventId)}/${sub}`;
/** Every queued order's steps and the config, for the event's baristas and admins. */
export const staffChannel = (eventId: string): string => `/staff/${eventSegment(eventId)}`;
/** The board at the bar: orders by number, store open and menu, extensions' news (wait times). */
export const boardChannel = (eventId: string): string => `/board/${eventSegment(eventId)}`;

/**
 * Delivery is at least once: a function that is true the first time it sees a message's id and false
 * after; it remembers the last `limit` ids.
 */
export function firstSight(limit = 500): (message: { id: string }) => boolean {
  const seen = new Set<string>();
  return ({ id }) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    return true;
  };
}

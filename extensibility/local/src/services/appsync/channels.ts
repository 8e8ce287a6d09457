// Channel paths as AppSync Events reads them: `/<namespace>/<segment>...`, at most 5 segments (the
// namespace included), each 1-50 letters, digits or dashes. A subscription may end in `*`
// (`/staff/NYC/*` is every channel below /staff/NYC); a publish names one channel.

export const MAX_SEGMENTS = 5;
const SEGMENT = /^[A-Za-z0-9-]{1,50}$/;

export interface Channel {
  /** The path as AppSync writes it, with its leading slash: `/staff/NYC`. */
  path: string;
  segments: string[];
  namespace: string;
  /** A subscription to every channel below `segments` minus the trailing `*`. */
  wildcard: boolean;
}

/** Thrown for a channel AppSync would refuse; the message says which segment and why. */
export class ChannelError extends Error {}

/** Parses a channel; `allowWildcard` for subscriptions. Throws ChannelError. */
export function parseChannel(raw: unknown, allowWildcard: boolean): Channel {
  if (typeof raw !== 'string' || raw === '')
    throw new ChannelError('channel is required: a path such as /namespace/segment');
  const segments = (raw.startsWith('/') ? raw.slice(1) : raw).split('/');
  if (segments.length > MAX_SEGMENTS)
    throw new ChannelError(
      `channel ${raw} has ${segments.length} segments; a channel has at most ${MAX_SEGMENTS}, its namespace included`,
    );
  let wildcard = false;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '*' && last && i > 0) {
      if (!allowWildcard) throw new ChannelError(`channel ${raw}: publishing to a wildcard channel is not allowed`);
      wildcard = true;
      return;
    }
    if (!SEGMENT.test(segment))
      throw new ChannelError(
        `channel ${raw}: segment ${i + 1} ('${segment}') must be 1-50 letters, digits or dashes${allowWildcard ? ' (or * as the last segment after the namespace)' : ''}`,
      );
  });
  return { path: `/${segments.join('/')}`, segments, namespace: segments[0]!, wildcard };
}

/** Whether a published channel reaches a subscription's channel (exact, or below a wildcard). */
export function channelMatches(subscription: Channel, published: Channel): boolean {
  if (!subscription.wildcard) return subscription.path === published.path;
  const prefix = subscription.segments.length - 1;
  if (published.segments.length < prefix + 1) return false;
  for (let i = 0; i < prefix; i++) if (subscription.segments[i] !== published.segments[i]) return false;
  return true;
}

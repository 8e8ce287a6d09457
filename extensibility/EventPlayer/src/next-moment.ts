// The function the player's state machine calls for each moment of the replay: it serves the archive
// bundled into it (so the same template deploys to AWS and to the local cloud with no upload step),
// one moment at a time, with the wait before it. Thin: the logic is in replay.ts.
import middy from '@middy/core';
import session from '../archive/session.json' with { type: 'json' };
import { checkedArchive } from './archive.js';
import { momentAt, replayOptions, type Moment } from './replay.js';

export interface NextMomentRequest {
  /** The execution's input: { speed?, eventId? }. */
  input?: unknown;
  /** The index of the next event to put (0 at the start). */
  cursor?: number;
  /** The replay's execution ARN, the marker in the events' detail. */
  execution?: string;
}

// Checked at load: a malformed archive or a missing variable fails the deploy, not a replay.
const archive = checkedArchive(session);
const busName = process.env.EVENT_BUS_NAME;
if (!busName) throw new Error('EVENT_BUS_NAME is required: the bus to replay onto (the template sets it)');

export const handler = middy<NextMomentRequest, Moment>().handler(async (request) =>
  momentAt(archive, request.cursor ?? 0, replayOptions(request.input), {
    bus: busName,
    ...(request.execution ? { execution: request.execution } : {}),
  }),
);

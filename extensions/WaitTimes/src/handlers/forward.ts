// The board: each WaitTimes.WaitTimeChanged (this extension's own event, by a rule of its own) is
// published to the core's realtime channel /board/<eventId>, so the display shows the wait per drink
// without the core knowing this extension. Deployed only when the RealtimeApiId parameter is given.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { boardPublisher } from '../adapters/board.js';
import { boardWaitTime } from '../domain/board.js';
import { requiredEnv } from './env.js';

const board = boardPublisher({ url: requiredEnv('BOARD_PUBLISH_URL'), region: requiredEnv('AWS_REGION') });

export const handler = middy<EventBridgeEvent<string, Record<string, unknown>>>().handler(async (event) => {
  const found = boardWaitTime({ ...event, detail: event.detail ?? {} });
  if (typeof found === 'string') {
    console.warn(JSON.stringify({ level: 'warn', message: `ignored: ${found}`, eventId: event.id }));
    return { published: 0 };
  }
  await board.publish(found.channel, [found.message]);
  return { published: 1, channel: found.channel };
});

// The bus → the AppSync Events channels: each order lifecycle event and config change becomes the
// messages of domain/realtime.ts, published over the Event API's HTTP endpoint. An event no channel
// shows is logged and dropped; a publish that fails throws, so Lambda retries the delivery.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { channelMessages } from '../../domain/index.js';
import { publishToChannels } from '../../adapters/realtime.js';

type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;

export const handler = middy<BusEvent, void>().handler(async (event) => {
  const { publishes, skipped } = channelMessages({ ...event, detail: event.detail ?? {} });
  const log = { detailType: event['detail-type'], eventId: event.id, orderId: event.detail?.orderId };
  if (skipped) {
    console.warn(JSON.stringify({ level: 'warn', message: `ignored: ${skipped}`, ...log }));
    return;
  }
  await publishToChannels(publishes);
  console.info(
    JSON.stringify({
      level: 'info',
      message: `published ${publishes.length}`,
      channels: publishes.map((p) => p.channel),
      ...log,
    }),
  );
});

// Records every event of an order (any source, extensions' too: the rule matches detail.orderId) in
// the journey table, keyed by the envelope's id so a redelivery is stored once.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { StoredEnvelope } from '../../domain/index.js';
import { recordEnvelope } from '../../adapters/journeyStore.js';

type Envelope = EventBridgeEvent<string, Record<string, unknown>>;

export const handler = middy<Envelope, void>().handler(async (event) => {
  const orderId = event.detail?.orderId;
  if (typeof orderId !== 'string' || orderId === '') return;
  const envelope: StoredEnvelope & Record<string, unknown> = { ...event, 'detail-type': event['detail-type'], detail: event.detail };
  await recordEnvelope(orderId, envelope, Date.now());
});

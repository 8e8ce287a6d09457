// The config table's stream → ConfigService.ConfigChanged: the event is derived from what was written,
// so a write and its announcement cannot disagree (and a crash between them loses nothing: the
// stream redelivers the batch).
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { configChangeEvent, type AnyBusEvent } from '../../domain/index.js';
import { publish } from '../../adapters/bus.js';
import { itemToConfig } from '../../adapters/configStore.js';
import { itemChange } from '../../adapters/streams.js';

export const handler = middy<DynamoDBStreamEvent, void>().handler(async (event) => {
  const changes: AnyBusEvent[] = [];
  for (const record of event.Records) {
    const { before, after } = itemChange(record);
    const changed = configChangeEvent(before && itemToConfig(before), after && itemToConfig(after));
    if (changed) changes.push(changed);
  }
  await publish(changes);
});

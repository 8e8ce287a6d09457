// The order table's stream → the order manager's events (OrderManager.WaitingCompletion, MakeOrder,
// Order<eventId>-COMPLETED / -CANCELLED), derived from each change's old and new image: what is on
// the bus is what was written, and a crash between the two loses nothing (the batch is redelivered).
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { eventsForChange, type AnyBusEvent } from '../../domain/index.js';
import { publish } from '../../adapters/bus.js';
import { itemToOrder } from '../../adapters/orderStore.js';
import { itemChange } from '../../adapters/streams.js';

export const handler = middy<DynamoDBStreamEvent, void>().handler(async (event) => {
  const changes: AnyBusEvent[] = [];
  for (const record of event.Records) {
    const { before, after } = itemChange(record);
    if (after) changes.push(...eventsForChange(before && itemToOrder(before), itemToOrder(after)));
  }
  await publish(changes);
});

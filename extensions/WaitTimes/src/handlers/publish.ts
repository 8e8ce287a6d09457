// The publisher: window changes from the table's stream (filtered to DRINK# items by the template)
// to WaitTimes.WaitTimeChanged on the bus, through the bus adapter (batches of 10, refused entries
// put again). What the bus still refuses fails the batch whole and the stream delivers it again: an
// average may be put twice (consumers keep the highest version), never lost.
import middy from '@middy/core';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { putEvents } from '../adapters/bus.js';
import { DETAIL_TYPE, waitTimeChanged, type WindowItem } from '../domain/event.js';
import { requiredEnv } from './env.js';

const busName = requiredEnv('EVENT_BUS_NAME');
const SOURCE = 'awsserverlessda.serverlesspresso';
const bus = new EventBridgeClient({});

const image = (i: Record<string, AttributeValue> | undefined) =>
  i ? (unmarshall(i as Parameters<typeof unmarshall>[0]) as WindowItem) : undefined;

export const handler = middy<DynamoDBStreamEvent>().handler(async (event) => {
  const entries: PutEventsRequestEntry[] = [];
  for (const record of event.Records) {
    const after = image(record.dynamodb?.NewImage);
    if (!after) continue; // a window is never deleted but with the stack
    const detail = waitTimeChanged(image(record.dynamodb?.OldImage), after);
    if (detail)
      entries.push({ EventBusName: busName, Source: SOURCE, DetailType: DETAIL_TYPE, Detail: JSON.stringify(detail) });
  }
  await putEvents(bus, entries);
  return { published: entries.length };
});

// The publisher: window changes from the table's stream (filtered to DRINK# items by the template)
// to WaitTimes.WaitTimeChanged on the bus. A batch whose events are not all accepted fails whole and
// the stream delivers it again: an average may be put twice (consumers keep the highest version),
// never lost.
import middy from '@middy/core';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
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
  for (let i = 0; i < entries.length; i += 10) {
    const result = await bus.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    if (result.FailedEntryCount) {
      const why = result.Entries?.find((e) => e.ErrorCode)?.ErrorMessage ?? 'unknown';
      throw new Error(
        `${result.FailedEntryCount} of ${Math.min(10, entries.length - i)} ${DETAIL_TYPE} events were not accepted (${why}); the stream delivers the batch again`,
      );
    }
  }
  return { published: entries.length };
});

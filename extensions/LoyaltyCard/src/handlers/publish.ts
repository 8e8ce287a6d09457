// The publisher: new rewards from the table's stream (filtered to inserted REWARD# items by the
// template) to LoyaltyCard.RewardEarned on the bus. A batch whose events are not all accepted fails
// whole and the stream delivers it again: a reward may be announced twice (rewardNumber tells),
// never lost.
import middy from '@middy/core';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RewardItem } from '../adapters/loyalty-table.js';
import { rewardEarned } from '../domain/stamp.js';
import { requiredEnv } from './env.js';

const busName = requiredEnv('EVENT_BUS_NAME');
const SOURCE = 'awsserverlessda.serverlesspresso';
const DETAIL_TYPE = 'LoyaltyCard.RewardEarned';
const bus = new EventBridgeClient({});

export const handler = middy<DynamoDBStreamEvent>().handler(async (event) => {
  const entries: PutEventsRequestEntry[] = event.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName !== 'INSERT' || !image) return [];
    const reward = unmarshall(image as Parameters<typeof unmarshall>[0]) as RewardItem;
    return [
      { EventBusName: busName, Source: SOURCE, DetailType: DETAIL_TYPE, Detail: JSON.stringify(rewardEarned(reward)) },
    ];
  });
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

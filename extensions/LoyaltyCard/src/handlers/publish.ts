// The publisher: new rewards from the table's stream (filtered to inserted REWARD# items by the
// template) to LoyaltyCard.RewardEarned on the bus, through the bus adapter (batches of 10, refused
// entries put again). What the bus still refuses fails the batch whole and the stream delivers it
// again: a reward may be announced twice (rewardNumber tells), never lost.
import middy from '@middy/core';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { putEvents } from '../adapters/bus.js';
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
  await putEvents(bus, entries);
  return { published: entries.length };
});

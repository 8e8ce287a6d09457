// DynamoDB stream records as plain values: the old and new image of each changed item.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

export interface ItemChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined;
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown> | undefined;
}

// The Lambda event's AttributeValue type and the SDK's describe the same JSON.
const image = (value: unknown): Record<string, unknown> | undefined =>
  value === undefined ? undefined : unmarshall(value as Record<string, AttributeValue>);

export function itemChange(record: DynamoDBRecord): ItemChange {
  return {
    eventName: record.eventName,
    before: image(record.dynamodb?.OldImage),
    after: image(record.dynamodb?.NewImage),
  };
}

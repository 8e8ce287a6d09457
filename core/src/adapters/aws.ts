// The AWS SDK clients, one of each per Lambda container, created on first use. Region, credentials
// and endpoint come from the environment (AWS_REGION, AWS_ENDPOINT_URL on the local cloud), so the
// same code runs in AWS and locally.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let documentClient: DynamoDBDocumentClient | undefined;
let eventBridge: EventBridgeClient | undefined;
let sfn: SFNClient | undefined;

/** DynamoDB with plain JavaScript values; undefined fields are left out (optional order fields). */
export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function events(): EventBridgeClient {
  eventBridge ??= new EventBridgeClient({});
  return eventBridge;
}

export function stepFunctions(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** The error name of an SDK error (ConditionalCheckFailedException, TransactionCanceledException, ...). */
export const errorName = (e: unknown): string | undefined => (e instanceof Error ? e.name : undefined);

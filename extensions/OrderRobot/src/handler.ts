// The Lambda: a thin middy adapter from the EventBridge event to one PutItem. A redelivered event
// writes the same row again (same key, same values), so at-least-once delivery is harmless.
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { completedOrderOf, type CompletedOrderEvent } from './completed-order.js';

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('TABLE_NAME is not set: the template passes the table name to the function');

// The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = middy<CompletedOrderEvent>().handler(async (event) => {
  await db.send(new PutCommand({ TableName: tableName, Item: completedOrderOf(event) }));
});

// CompletedOrdersTable, the extension's own table: key eventId (the tenant) + orderId. A redelivered
// event writes the same row again (same key, same values), so at-least-once delivery is harmless.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CompletedOrder } from '../domain/completed-order.js';

// The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function putCompletedOrder(tableName: string, row: CompletedOrder): Promise<void> {
  await db.send(new PutCommand({ TableName: tableName, Item: row }));
}

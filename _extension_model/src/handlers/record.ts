// The Lambda: a thin middy adapter from the EventBridge event to one row of the table. An extension
// that puts events on the bus does it through ../adapters/bus.ts (batches of 10, failed entries put
// again), declared in the template (Metadata.Emits) and in extension.json.
import middy from '@middy/core';
import { putCompletedOrder } from '../adapters/completed-orders-table.js';
import { completedOrderOf, type CompletedOrderEvent } from '../domain/completed-order.js';

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('TABLE_NAME is not set: the template passes the table name to the function');

export const handler = middy<CompletedOrderEvent>().handler(async (event) => {
  await putCompletedOrder(tableName, completedOrderOf(event));
});

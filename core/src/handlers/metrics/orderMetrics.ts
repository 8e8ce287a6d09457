// Business metrics from the order table's stream: orders created, completed, cancelled and timed out,
// and the time to complete, per event and per event and drink, as CloudWatch Embedded Metric Format
// documents written to the log (CloudWatch extracts them; locally they are plain log lines). A change
// is counted once: a stream batch may be delivered again (a retry, a bisected batch's halves, a
// redrive from the dead-letter queue), so each change that has metrics is first marked as seen, by
// its order and version, and a change seen before is skipped.
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { metricsForChange } from '../../domain/index.js';
import { itemToOrder } from '../../adapters/orderStore.js';
import { firstTime } from '../../adapters/seen.js';
import { itemChange } from '../../adapters/streams.js';

export const handler = middy<DynamoDBStreamEvent, void>().handler(async (event) => {
  for (const record of event.Records) {
    const { before, after } = itemChange(record);
    if (!after) continue;
    const order = itemToOrder(after);
    const documents = metricsForChange(before && itemToOrder(before), order);
    if (documents.length === 0 || !(await firstTime('metrics', `${order.orderId}:${order.version}`))) continue;
    for (const document of documents) console.log(JSON.stringify(document));
  }
});

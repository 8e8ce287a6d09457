// Business metrics from the order table's stream: orders created, completed, cancelled and timed out,
// and the time to complete, per event and per event and drink, as CloudWatch Embedded Metric Format
// documents written to the log (CloudWatch extracts them; locally they are plain log lines).
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { metricsForChange } from '../../domain/index.js';
import { itemToOrder } from '../../adapters/orderStore.js';
import { itemChange } from '../../adapters/streams.js';

export const handler = middy<DynamoDBStreamEvent, void>().handler(async (event) => {
  for (const record of event.Records) {
    const { before, after } = itemChange(record);
    if (!after) continue;
    for (const document of metricsForChange(before && itemToOrder(before), itemToOrder(after)))
      console.log(JSON.stringify(document));
  }
});

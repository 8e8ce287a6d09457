// The bus consumer: a thin middy adapter from an order event to one merge into MetricsTable.
import middy from '@middy/core';
import { MetricsTable } from '../adapters/metrics-table.js';
import { factOf, type OrderEvent } from '../domain/facts.js';
import { config, tableName } from './env.js';

const table = new MetricsTable(tableName);

export const handler = middy<OrderEvent>().handler(async (event) => {
  const outcome = await table.record(factOf(event), config);
  return { outcome };
});

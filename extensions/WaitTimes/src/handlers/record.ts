// The bus consumer: a thin middy adapter from an order event to one merge into WaitTimesTable.
import middy from '@middy/core';
import { WaitTimesTable } from '../adapters/wait-times-table.js';
import { factOf, type OrderEvent } from '../domain/facts.js';
import { requiredEnv } from './env.js';

function windowSizeOf(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new Error(`WINDOW_SIZE "${text}": the template's WindowSize must be a whole number from 1 to 100`);
  return size;
}

const tableName = requiredEnv('TABLE_NAME');
const windowSize = windowSizeOf(requiredEnv('WINDOW_SIZE'));
const table = new WaitTimesTable(tableName);

export const handler = middy<OrderEvent>().handler(async (event) => {
  const outcome = await table.record(factOf(event), windowSize);
  return { outcome };
});

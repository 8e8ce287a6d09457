// The bus consumer: a thin middy adapter from an order event to one merge into WaitTimesTable.
import middy from '@middy/core';
import { WaitTimesTable } from '../adapters/wait-times-table.js';
import { factOf, type OrderEvent } from '../domain/facts.js';

function windowSizeOf(text: string | undefined): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new Error(`WINDOW_SIZE "${String(text)}": the template's WindowSize must be a whole number from 1 to 100`);
  return size;
}

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('TABLE_NAME is not set: the template passes the table name to the function');
const windowSize = windowSizeOf(process.env.WINDOW_SIZE);
const table = new WaitTimesTable(tableName);

export const handler = middy<OrderEvent>().handler(async (event) => {
  const outcome = await table.record(factOf(event), windowSize);
  return { outcome };
});

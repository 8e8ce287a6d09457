// presso cost: the AWS bill of the work the local cloud counted since it started (or of a usage
// file saved from GET /_presso/usage), per service and per 1,000 orders.
import { readFileSync } from 'node:fs';
import type { Usage } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';
import { billOf, formatBill, isEmptyUsage } from '../cost/bill.js';

export interface CostOptions {
  endpoint: string;
  orders?: number;
  json?: boolean;
  /** A usage file (JSON of GET /_presso/usage) instead of the running local cloud's. */
  usage?: string;
}

export async function costCommand(options: CostOptions, out: NodeJS.WritableStream): Promise<number> {
  let usage: Usage;
  let where: string;
  if (options.usage) {
    usage = JSON.parse(readFileSync(options.usage, 'utf8')) as Usage;
    where = options.usage;
  } else {
    const res = await callCloud(options.endpoint, '/_presso/usage');
    if (!res.ok) throw new Error(`the local cloud at ${options.endpoint} answered ${res.status}: ${await res.text()}`);
    usage = (await res.json()) as Usage;
    where = `the local cloud at ${options.endpoint}`;
  }
  if (isEmptyUsage(usage)) {
    out.write(
      `No work counted by ${where} since ${usage.since}: no function ran, no event was put, no table was read or written, so there is nothing to price. Run something first (npx presso play, or the core's benchmark), then run presso cost again.\n`,
    );
    return 1;
  }
  const bill = billOf(usage, options.orders === undefined ? {} : { orders: options.orders });
  out.write(options.json ? JSON.stringify(bill, null, 2) + '\n' : formatBill(bill));
  return 0;
}

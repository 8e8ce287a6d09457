// The bus consumer: a thin middy adapter from a completed order to one stamp on its customer's card.
import middy from '@middy/core';
import { LoyaltyTable } from '../adapters/loyalty-table.js';
import { stampOf, type CompletedEvent } from '../domain/stamp.js';
import { config, tableName } from './env.js';

const table = new LoyaltyTable(tableName);

export const handler = middy<CompletedEvent>().handler(async (event) => {
  const stamp = stampOf(event, config);
  return { outcome: stamp ? await table.stamp(stamp, config.stampsPerReward) : 'excluded customer' };
});

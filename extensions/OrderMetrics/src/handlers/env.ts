// The function's configuration, read once at cold start: a bad parameter fails the deploy (the first
// sandbox starts during it) with the message of configOf, instead of every invocation later.
import { configOf, type MetricsConfig } from '../domain/config.js';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: the template passes it to the function`);
  return value;
}

export const tableName = requiredEnv('TABLE_NAME');

export const config: MetricsConfig = configOf({
  prices: requiredEnv('PRICES'),
  currency: requiredEnv('CURRENCY'),
  timeZone: requiredEnv('TIME_ZONE'),
});

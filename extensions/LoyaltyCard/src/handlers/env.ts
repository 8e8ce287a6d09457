// The functions' configuration, read once at cold start, one way: a missing variable is a deployment
// mistake that fails the deploy (the first sandbox starts during it) with its name, and a bad
// parameter fails it with the message of configOf.
import { configOf, type LoyaltyConfig } from '../domain/stamp.js';

/** A variable the template sets (Globals, or the function's Environment); its name when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} is not set: the template passes it to the function`);
  return value;
}

export const tableName = requiredEnv('TABLE_NAME');

export const config: LoyaltyConfig = configOf({
  stampsPerReward: process.env.STAMPS_PER_REWARD,
  excludedUserIds: process.env.EXCLUDED_USER_IDS,
});

// The functions' configuration, read once at cold start: a bad parameter fails the deploy.
import { configOf, type LoyaltyConfig } from '../domain/stamp.js';

export const tableName = process.env.TABLE_NAME ?? '';
if (!tableName) throw new Error('TABLE_NAME is not set: the template passes the table name to the function');

export const config: LoyaltyConfig = configOf({
  stampsPerReward: process.env.STAMPS_PER_REWARD,
  excludedUserIds: process.env.EXCLUDED_USER_IDS,
});

// The config table: one item per event (PK = eventId) holding its EventConfig. Writes are conditional
// on the version they replace, so two admins cannot silently overwrite each other, and the seed never
// overwrites an operator's config. The table's stream announces every change (ConfigService.ConfigChanged).
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseEventConfig, type EventConfig } from '../domain/index.js';
import { dynamo, errorName } from './aws.js';
import { requiredEnv } from './env.js';

const table = (): string => requiredEnv('CONFIG_TABLE');

export function configToItem(config: EventConfig): Record<string, unknown> {
  return { PK: config.eventId, ...config };
}

/** The config in a stored item; throws when the item is not a valid config (edited by hand?), naming the problems. */
export function itemToConfig(item: Record<string, unknown>): EventConfig {
  const { PK: _pk, ...fields } = item;
  const parsed = parseEventConfig(fields);
  if (!parsed.ok) throw new Error(`The stored config ${String(item.PK)} is not valid: ${parsed.error.message}`);
  return parsed.value;
}

export async function loadConfig(eventId: string): Promise<EventConfig | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: table(), Key: { PK: eventId }, ConsistentRead: true }),
  );
  return Item ? itemToConfig(Item) : undefined;
}

/**
 * Stores a config that replaces version `replaces` (undefined: only if the event has no config yet).
 * false when the condition failed: someone else wrote first.
 */
export async function saveConfig(config: EventConfig, replaces: number | undefined): Promise<boolean> {
  const condition =
    replaces === undefined
      ? { ConditionExpression: 'attribute_not_exists(PK)' }
      : {
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': replaces },
        };
  try {
    await dynamo().send(new PutCommand({ TableName: table(), Item: configToItem(config), ...condition }));
    return true;
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

/** The ids of every event with a config (an operator's list of events); a scan of the keys only. */
export async function listEventIds(): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({ TableName: table(), ProjectionExpression: 'PK', ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) if (typeof item.PK === 'string') ids.push(item.PK);
    start = page.LastEvaluatedKey;
  } while (start);
  return ids.sort();
}

// WaitTimesTable, the extension's own table: key eventId + sk.
//   sk = ORDER#<orderId>   one record per order: its drink, first queueing and completion
//   sk = DRINK#<drink>     the window of the drink at the event: its last completions, newest first
// A record and the windows it changes are written in one transaction, conditional on their versions.
// The table's stream carries every window change to the publisher, so an average is put on the bus
// even when this function stops right after its write.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { OrderFact } from '../domain/facts.js';
import type { WindowItem } from '../domain/event.js';
import { applyFact, drinksTouched, sameRecord, windowChanges, type OrderRecord } from '../domain/wait.js';

const orderKey = (eventId: string, orderId: string) => ({ eventId, sk: `ORDER#${orderId}` });
const windowKey = (eventId: string, drink: string) => ({ eventId, sk: `DRINK#${drink}` });

/** How often a write that lost a race with another event (of the order, or of the drink's window) is tried again. */
const ATTEMPTS = 10;

export type RecordOutcome = 'unchanged' | 'recorded' | 'window changed';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A Put of an item conditional on the version it was read at (0: it did not exist). */
function versionedPut(tableName: string, item: Record<string, unknown>, readVersion: number): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...item, version: readVersion + 1 },
      ...(readVersion > 0
        ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': readVersion } }
        : { ConditionExpression: 'attribute_not_exists(sk)' }),
    },
  };
}

export class WaitTimesTable {
  private readonly db: DynamoDBDocumentClient;

  // The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
  constructor(
    private readonly tableName: string,
    client = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client);
  }

  private async read(keys: Record<string, string>[]): Promise<Map<string, Record<string, unknown>>> {
    const { Responses } = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    return new Map((Responses?.[this.tableName] ?? []).map((item) => [String(item.sk), item]));
  }

  /** Merges a fact into its order's record and, when the order's wait changed, into its drink's window. */
  async record(fact: OrderFact, windowSize: number): Promise<RecordOutcome> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const key = orderKey(fact.eventId, fact.orderId);
      const orderItem = (await this.read([key])).get(key.sk);
      const before = orderItem ? recordOf(orderItem) : undefined;
      const after = applyFact(before, fact);
      if (sameRecord(before, after)) return 'unchanged';

      // The windows the order's wait leaves or enters (one, unless the earliest queueing named another drink).
      const drinks = drinksTouched(before, after);
      const items =
        drinks.length > 0
          ? await this.read(drinks.map((d) => windowKey(fact.eventId, d)))
          : new Map<string, Record<string, unknown>>();
      const windows = new Map(
        drinks.flatMap((d) => {
          const item = items.get(windowKey(fact.eventId, d).sk) as WindowItem | undefined;
          return item ? [[d, { samples: item.samples, size: item.windowSize, version: item.version }] as const] : [];
        }),
      );
      const changes = windowChanges(before, after, windows, windowSize).map(({ drink, samples }) =>
        versionedPut(
          this.tableName,
          { ...windowKey(fact.eventId, drink), drink, samples, windowSize },
          windows.get(drink)?.version ?? 0,
        ),
      );
      const version = typeof orderItem?.version === 'number' ? orderItem.version : 0;
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [versionedPut(this.tableName, { ...key, ...after }, version), ...changes],
          }),
        );
        return changes.length > 0 ? 'window changed' : 'recorded';
      } catch (e) {
        // Another event of this order or of this drink was written since the read, or another
        // transaction held one of the items (TransactionConflict): read and merge again.
        const lostRace =
          e instanceof TransactionCanceledException &&
          e.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
        if (!lostRace) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
    throw new Error(
      `order ${fact.eventId}/${fact.orderId}: still racing other events after ${ATTEMPTS} attempts; EventBridge will deliver it again`,
    );
  }
}

function recordOf(item: Record<string, unknown>): OrderRecord {
  const text = (k: string) => (typeof item[k] === 'string' ? { [k]: item[k] as string } : {});
  return {
    eventId: String(item.eventId),
    orderId: String(item.orderId),
    ...text('drink'),
    ...text('queuedAt'),
    ...text('completedAt'),
  };
}

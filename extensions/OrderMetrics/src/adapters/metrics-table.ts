// MetricsTable, the extension's own table: key eventId + sk.
//   sk = ORDER#<orderId>                  one record per order (what the events told so far)
//   sk = DAY#<yyyy-mm-dd>#DRINK#<drink>   the counters of a day and drink
// A record and the counters it moves are written in one transaction, conditional on the record's
// version: two events of one order racing each other cannot both count.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateQuery, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderFact } from '../domain/facts.js';
import { applyFact, COUNTERS, deltaOf, sameRecord, type OrderRecord, type Pricing } from '../domain/order.js';
import type { CounterRow, DayRange } from '../domain/report.js';

const orderKey = (eventId: string, orderId: string) => ({ eventId, sk: `ORDER#${orderId}` });
const cellKey = (eventId: string, day: string, drink: string) => ({ eventId, sk: `DAY#${day}#DRINK#${drink}` });
const RECORD_FIELDS = ['drink', 'queuedAt', 'day', 'price', 'completedAt', 'cancelledAt'] as const;

/** How often a write that lost a race with another event of the same order is tried again. */
const ATTEMPTS = 8;

export type RecordOutcome = 'counted' | 'unchanged';

export class MetricsTable {
  private readonly db: DynamoDBDocumentClient;

  // The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
  constructor(
    private readonly tableName: string,
    client = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client);
  }

  /** Merges a fact into its order's record and moves the counters by what changed. */
  async record(fact: OrderFact, pricing: Pricing): Promise<RecordOutcome> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: orderKey(fact.eventId, fact.orderId), ConsistentRead: true }),
      );
      const version = typeof Item?.version === 'number' ? Item.version : 0;
      const before = Item ? recordOf(Item) : undefined;
      const after = applyFact(before, fact, pricing);
      if (sameRecord(before, after)) return 'unchanged';
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...orderKey(after.eventId, after.orderId),
                    orderId: after.orderId,
                    ...defined(after),
                    version: version + 1,
                  },
                  ...(Item
                    ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }
                    : { ConditionExpression: 'attribute_not_exists(sk)' }),
                },
              },
              ...deltaOf(before, after).map(({ day, drink, counters }) => ({
                Update: {
                  TableName: this.tableName,
                  Key: cellKey(after.eventId, day, drink),
                  UpdateExpression: `SET #day = :day, drink = :drink ADD ${COUNTERS.map((n) => `#${n} :${n}`).join(', ')}`,
                  ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(COUNTERS.map((n) => [`#${n}`, n])) },
                  ExpressionAttributeValues: {
                    ':day': day,
                    ':drink': drink,
                    ...Object.fromEntries(COUNTERS.map((n) => [`:${n}`, counters[n]])),
                  },
                },
              })),
            ],
          }),
        );
        return 'counted';
      } catch (e) {
        // Another event of this order was written since the read (its record's condition failed), or
        // another transaction held a counter this one adds to (TransactionConflict): read and merge again.
        const codes = e instanceof TransactionCanceledException ? (e.CancellationReasons ?? []).map((r) => r.Code) : [];
        if (!(codes[0] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict'))) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
    throw new Error(
      `order ${fact.eventId}/${fact.orderId}: still racing other events after ${ATTEMPTS} attempts; EventBridge will deliver it again`,
    );
  }

  /** The counter rows of an event for a range of days. */
  async counters(eventId: string, range: DayRange): Promise<CounterRow[]> {
    const rows: CounterRow[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'eventId = :eventId AND sk BETWEEN :from AND :to',
        // '~' sorts after '#', so the upper bound takes every drink of the last day.
        ExpressionAttributeValues: { ':eventId': eventId, ':from': `DAY#${range.from}`, ':to': `DAY#${range.to}~` },
      },
    );
    for await (const page of pages) rows.push(...((page.Items ?? []) as CounterRow[]));
    return rows;
  }
}

function recordOf(item: Record<string, unknown>): OrderRecord {
  return { eventId: String(item.eventId), orderId: String(item.orderId), ...defined(item as Partial<OrderRecord>) };
}

function defined(record: Partial<OrderRecord>): Partial<OrderRecord> {
  return Object.fromEntries(RECORD_FIELDS.filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
}

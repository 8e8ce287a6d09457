// OrderMetrics under the load of a busy bar, on the local cloud: orders of a few drinks at one event on
// one day, so every order's transaction adds to one of a few counter items (hot items, where DynamoDB
// cancels concurrent transactions with TransactionConflict and the writer tries again). Open loop:
// each order's two events (queued, then completed or, one in five, cancelled) are put at RATE orders
// a second. Printed: how fast the function took them, how many failed for good (none expected), and
// whether the counters add up exactly.
//   npm run bench -w @serverlesspresso/extension-order-metrics      (ORDERS=600 RATE=50 DRINKS=3 by default)
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { startLocalCloud } from '@serverlesspresso/local';

const ORDERS = Number(process.env.ORDERS ?? 600);
const RATE = Number(process.env.RATE ?? 50);
const DRINKS = Number(process.env.DRINKS ?? 3);
const BUS = 'Serverlesspresso';
const SOURCE = 'awsserverlessda.serverlesspresso';
const EVENT_ID = 'BENCH';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  console.log(`OrderMetrics load benchmark: ${ORDERS} orders of ${DRINKS} drinks at ${RATE} orders/s`);
  const cloud = await startLocalCloud({ port: 0, speed: 1, log: () => {} });
  const client = { endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
  const eb = new EventBridgeClient(client);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(client));
  try {
    cloud.events.createBus(BUS);
    const stack = await cloud.stacks.deploy({
      path: new URL('..', import.meta.url).pathname,
      stackName: 'order-metrics',
      parameterOverrides: { Prices: Array.from({ length: DRINKS }, (_, d) => `Drink ${d}=3.00`).join(',') },
    });
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: `${stack.name}-` }));
    const counts = () => cloud.events.counters.rule(Rules![0]!.Arn!);

    const base = Date.UTC(2025, 5, 1, 9);
    const entry = (type: 'queued' | 'finished', i: number): PutEventsRequestEntry => {
      const state = i % 5 === 4 ? 'CANCELLED' : 'COMPLETED';
      return {
        EventBusName: BUS,
        Source: SOURCE,
        DetailType: type === 'queued' ? 'OrderManager.WaitingCompletion' : `OrderManager.Order${EVENT_ID}-${state}`,
        Time: new Date(base + i * 1000 + (type === 'finished' ? 180_000 : 0)),
        Detail: JSON.stringify(
          type === 'queued'
            ? {
                orderId: `o-${i}`,
                orderNumber: String(i),
                state: `${EVENT_ID}-CREATED`,
                drinkOrder: { drink: `Drink ${i % DRINKS}`, modifiers: [], icon: 'x', userId: 'u' },
                userId: 'u',
                robot: true,
                eventId: EVENT_ID,
                TS: 0,
                Message: 'queued',
              }
            : {
                orderId: `o-${i}`,
                eventId: EVENT_ID,
                userId: 'u',
                ORDERSTATE: `${EVENT_ID}-${state}`,
                Message: 'finished',
              },
        ),
      };
    };

    const start = performance.now();
    for (let i = 0; i < ORDERS; i += 5) {
      const batch = Array.from({ length: Math.min(5, ORDERS - i) }, (_, k) => i + k);
      await eb.send(
        new PutEventsCommand({
          Entries: [...batch.map((n) => entry('queued', n)), ...batch.map((n) => entry('finished', n))],
        }),
      );
      const due = start + ((i + 5) / RATE) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    const putDone = performance.now();
    while (counts().delivered + counts().failed < 2 * ORDERS) await sleep(20);
    const seconds = (performance.now() - start) / 1000;

    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: stack.outputs.MetricsTableName!,
        KeyConditionExpression: 'eventId = :e AND begins_with(sk, :d)',
        ExpressionAttributeValues: { ':e': EVENT_ID, ':d': 'DAY#' },
      }),
    );
    const sum = (k: string) => Items.reduce((n, item) => n + Number(item[k] ?? 0), 0);
    const cancelled = Math.floor(ORDERS / 5);
    const exact =
      sum('orders') === ORDERS &&
      sum('completed') === ORDERS - cancelled &&
      sum('cancelled') === cancelled &&
      sum('sales') === (ORDERS - cancelled) * 300;
    console.log(`  put:      ${(putDone - start).toFixed(0)} ms for ${2 * ORDERS} events`);
    console.log(
      `  counted:  ${counts().delivered} delivered, ${counts().failed} failed for good, in ${seconds.toFixed(2)} s: ${(ORDERS / seconds).toFixed(1)} orders/s (${((2 * ORDERS) / seconds).toFixed(1)} events/s)`,
    );
    console.log(
      `  counters: orders ${sum('orders')}, completed ${sum('completed')}, cancelled ${sum('cancelled')}, sales ${sum('sales')}: ${exact ? 'exact' : 'WRONG'}`,
    );
  } finally {
    eb.destroy();
    db.destroy();
    await cloud.close();
  }
}

await main();

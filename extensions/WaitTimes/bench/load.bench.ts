// WaitTimes under the load of a busy bar, on the local cloud: orders of a few drinks at one event, so
// every completion of a drink races the others for the drink's window (one item, written under its
// version). Open loop: each order's two events (queued, then completed 1 to 5 minutes later by their
// Time) are put at RATE orders a second. Printed: how fast the recorder took them, how many failed
// for good (none expected: a writer that lost a race reads again), and how long the publisher took
// after the last delivery to put the final averages.
//   npm run bench -w @serverlesspresso/extension-wait-times      (ORDERS=600 RATE=50 DRINKS=3 by default)
import { performance } from 'node:perf_hooks';
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
  console.log(`WaitTimes load benchmark: ${ORDERS} orders of ${DRINKS} drinks at ${RATE} orders/s`);
  const cloud = await startLocalCloud({ port: 0, speed: 1, log: () => {} });
  const eb = new EventBridgeClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  try {
    cloud.events.createBus(BUS);
    const stack = await cloud.stacks.deploy({ path: new URL('..', import.meta.url).pathname, stackName: 'wait-times' });
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS, NamePrefix: `${stack.name}-` }));
    const counts = () => cloud.events.counters.rule(Rules![0]!.Arn!);
    const published = () => cloud.events.counters.bus(BUS).put - 2 * ORDERS;

    const base = Date.UTC(2025, 5, 1, 9);
    const entry = (type: 'queued' | 'completed', i: number): PutEventsRequestEntry => ({
      EventBusName: BUS,
      Source: SOURCE,
      DetailType: type === 'queued' ? 'OrderManager.WaitingCompletion' : `OrderManager.Order${EVENT_ID}-COMPLETED`,
      Time: new Date(base + i * 1000 + (type === 'completed' ? 60_000 * (1 + (i % 5)) : 0)),
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
              ORDERSTATE: `${EVENT_ID}-COMPLETED`,
              Message: 'completed',
            },
      ),
    });

    const start = performance.now();
    // Both events of 5 orders per PutEvents call, calls spaced to hold the rate.
    for (let i = 0; i < ORDERS; i += 5) {
      const batch = Array.from({ length: Math.min(5, ORDERS - i) }, (_, k) => i + k);
      await eb.send(
        new PutEventsCommand({
          Entries: [...batch.map((n) => entry('queued', n)), ...batch.map((n) => entry('completed', n))],
        }),
      );
      const due = start + ((i + 5) / RATE) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    const putDone = performance.now();
    while (counts().delivered + counts().failed < 2 * ORDERS) await sleep(20);
    const delivered = performance.now();
    // The final average of each drink is the last thing the publisher puts.
    const expectedWindows = DRINKS;
    let lastCount = -1;
    let stableSince = performance.now();
    while (performance.now() - stableSince < 1000) {
      const n = published();
      if (n !== lastCount) {
        lastCount = n;
        stableSince = performance.now();
      }
      await sleep(20);
    }
    const seconds = (delivered - start) / 1000;
    console.log(`  put:        ${(putDone - start).toFixed(0)} ms for ${2 * ORDERS} events`);
    console.log(
      `  recorded:   ${counts().delivered} delivered, ${counts().failed} failed for good, in ${seconds.toFixed(2)} s: ${(ORDERS / seconds).toFixed(1)} orders/s (${((2 * ORDERS) / seconds).toFixed(1)} events/s)`,
    );
    console.log(
      `  published:  ${lastCount} WaitTimes.WaitTimeChanged for ${expectedWindows} windows, all of them within ${(stableSince - delivered).toFixed(0)} ms of the last delivery`,
    );
  } finally {
    eb.destroy();
    await cloud.close();
  }
}

await main();

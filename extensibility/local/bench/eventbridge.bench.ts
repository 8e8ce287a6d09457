// Benchmark (b): PutEvents through HTTP with the SDK in batches of 10, to a rule whose target is a
// function. Prints throughput (events/s) and, at a paced 1,000 events/s, p50/p99 latency from
// PutEvents to target invocation. Bounded: about ten seconds in all.
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  CreateEventBusCommand,
} from '@aws-sdk/client-eventbridge';
import { arns, inProcessFunction, startLocalCloud } from '../src/index.js';

const cloud = await startLocalCloud({ port: 0, log: () => {} });
const eb = new EventBridgeClient({
  endpoint: cloud.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
});
await eb.send(new CreateEventBusCommand({ Name: 'Serverlesspresso' }));

let delivered = 0;
const latencies: number[] = [];
cloud.lambda.register(
  inProcessFunction({
    name: 'sink',
    arn: arns.lambda(cloud.account, 'sink'),
    handler: async (event) => {
      delivered++;
      const sentAt = (event as { detail: { sentAt?: number } }).detail.sentAt;
      if (sentAt) latencies.push(performance.now() - sentAt);
      return null;
    },
  }),
);
// EventBridge may invoke it (what `aws lambda add-permission --principal events.amazonaws.com` writes).
cloud.iam.putResourcePolicy(arns.lambda(cloud.account, 'sink'), 'events', [
  {
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: arns.lambda(cloud.account, 'sink'),
  },
]);
await eb.send(
  new PutRuleCommand({
    Name: 'Completed',
    EventBusName: 'Serverlesspresso',
    EventPattern: JSON.stringify({
      source: ['awsserverlessda.serverlesspresso'],
      'detail-type': [{ wildcard: 'OrderManager.Order*-COMPLETED' }],
    }),
  }),
);
await eb.send(
  new PutTargetsCommand({
    Rule: 'Completed',
    EventBusName: 'Serverlesspresso',
    Targets: [{ Id: 'sink', Arn: arns.lambda(cloud.account, 'sink') }],
  }),
);

const batch = (sentAt?: number) =>
  new PutEventsCommand({
    Entries: Array.from({ length: 10 }, (_, i) => ({
      EventBusName: 'Serverlesspresso',
      Source: 'awsserverlessda.serverlesspresso',
      DetailType: 'OrderManager.OrderNYC-COMPLETED',
      Detail: JSON.stringify({
        orderId: `o-${i}`,
        eventId: 'NYC',
        userId: 'robot',
        ORDERSTATE: 'NYC-COMPLETED',
        Message: 'done',
        ...(sentAt ? { sentAt } : {}),
      }),
    })),
  });

// Warm-up: connections, JIT.
for (let i = 0; i < 50; i++) await eb.send(batch());
await cloud.events.delivery.drain();

// (1) Throughput: 8 callers in parallel for 4 seconds.
delivered = 0;
let put = 0;
const until = performance.now() + 4000;
const start = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (performance.now() < until) {
      await eb.send(batch());
      put += 10;
    }
  }),
);
await cloud.events.delivery.drain();
const seconds = (performance.now() - start) / 1000;
console.log(
  `eventbridge: PutEvents throughput ${Math.round(put / seconds)} events/s put, ${Math.round(delivered / seconds)} events/s delivered (${put} events, batches of 10, 8 callers)`,
);

// (2) Latency at 1,000 events/s: one batch of 10 every 10 ms for 5 seconds.
latencies.length = 0;
const sends: Promise<unknown>[] = [];
const t0 = performance.now();
for (let i = 0; i < 500; i++) {
  const due = t0 + i * 10;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sends.push(eb.send(batch(performance.now())));
}
await Promise.all(sends);
await cloud.events.delivery.drain();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2);
const rate = (latencies.length / ((performance.now() - t0) / 1000)).toFixed(0);
console.log(
  `eventbridge: at ~1000 events/s (achieved ${rate}/s): PutEvents -> target latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)!.toFixed(2)} ms (${latencies.length} events)`,
);

eb.destroy();
await cloud.close();

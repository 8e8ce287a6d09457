// Benchmark of SQS on the local cloud (run: npx tsx extensibility/local/bench/sqs.bench.ts), in the
// DynamoDB benchmark's format: SendMessage, ReceiveMessage and DeleteMessage through the edge with
// the SDK, one at a time and from concurrent clients, and the round trip of a message (send +
// receive + delete) as one operation; p50/p99 latency and operations (messages) per second.
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  CreateQueueCommand,
} from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../src/index.js';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const PHASE_MS = 3000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `op` from `concurrency` loops until the deadline; prints latency percentiles and throughput. */
async function measure(
  label: string,
  concurrency: number,
  op: (i: number) => Promise<number>,
  unit = 'ops',
): Promise<void> {
  for (let i = 0; i < 300; i++) await op(i);
  const latencies: number[] = [];
  let items = 0;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < PHASE_MS) {
        const i = next++;
        const t = performance.now();
        const n = await op(i);
        // Added after the await: `items += await ...` would read items before the wait and lose concurrent counts.
        items += n;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} ${String(latencies.length).padStart(6)} ops  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  ` +
      `${Math.round(items / seconds).toLocaleString('en-US')} ${unit}/s`,
  );
}

async function main(): Promise<void> {
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  const sqs = new SQSClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const body = JSON.stringify({ orderId: 'order-1', drink: 'latte', size: 'M' });

  for (const concurrency of [1, 8]) {
    const url = await queue(`bench-${concurrency}`);
    await measure(`SendMessage via the edge     (x${concurrency} clients)`, concurrency, async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      return 1;
    });
    await measure(
      `Receive+Delete via the edge  (x${concurrency} clients)`,
      concurrency,
      async () => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
        if (Messages?.[0])
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0].ReceiptHandle! }));
        return Messages?.length ?? 0;
      },
      'messages',
    );
    const roundTrip = await queue(`bench-round-${concurrency}`);
    await measure(
      `Send+Receive+Delete         (x${concurrency} clients)`,
      concurrency,
      async (i) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: roundTrip, MessageBody: `${body}${i}` }));
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: roundTrip, WaitTimeSeconds: 1 }));
        for (const m of Messages ?? [])
          await sqs.send(new DeleteMessageCommand({ QueueUrl: roundTrip, ReceiptHandle: m.ReceiptHandle! }));
        return Messages?.length ?? 0;
      },
      'messages',
    );
  }
  const batches = await queue('bench-batches');
  await measure(
    'Send+Receive+Delete, batches of 10 (x1)',
    1,
    async (i) => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: batches,
          Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `${body}${i}-${j}` })),
        }),
      );
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: batches, MaxNumberOfMessages: 10 }));
      if (Messages?.length)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: batches,
            Entries: Messages.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      return Messages?.length ?? 0;
    },
    'messages',
  );
  sqs.destroy();
  await cloud.close();
}

await main();

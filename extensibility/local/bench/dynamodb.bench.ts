// Benchmark of DynamoDB on the local cloud (run: npx tsx extensibility/local/bench/dynamodb.bench.ts).
// The same GetItem/PutItem round trips with the SDK, once through the edge (what apps do) and once
// straight to DynamoDB Local: p50/p99 latency and operations per second, sequential and with
// concurrent clients; also how long the cloud and DynamoDB Local take to start. Bounded by deadlines.
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalCloud } from '../src/index.js';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const PHASE_MS = 3000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `op` from `concurrency` loops until the deadline; prints latency percentiles and throughput. */
async function measure(label: string, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  // Warm up the JIT on both sides first.
  for (let i = 0; i < 300; i++) await op(i);
  const latencies: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < PHASE_MS) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} ${String(latencies.length).padStart(6)} ops  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  ` +
      `${Math.round(latencies.length / seconds).toLocaleString('en-US')} ops/s`,
  );
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  const cloudMs = performance.now() - t0;
  const engine = await cloud.dynamodb.start();
  console.log(
    `startLocalCloud ${cloudMs.toFixed(0)} ms, then DynamoDB Local ready after ${(performance.now() - t0).toFixed(0)} ms in all`,
  );
  const viaEdge = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
  const direct = new DynamoDBClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials });
  await viaEdge.send(
    new CreateTableCommand({
      TableName: 'Bench',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  const item = (i: number) => ({
    id: { S: `order-${i % 1000}` },
    drink: { S: 'latte' },
    size: { S: 'M' },
    n: { N: String(i) },
  });
  const put = (client: DynamoDBClient) => (i: number) =>
    client.send(new PutItemCommand({ TableName: 'Bench', Item: item(i) }));
  const get = (client: DynamoDBClient) => (i: number) =>
    client.send(new GetItemCommand({ TableName: 'Bench', Key: { id: { S: `order-${i % 1000}` } } }));
  for (const concurrency of [1, 8]) {
    await measure(`PutItem via the edge        (x${concurrency} clients)`, concurrency, put(viaEdge));
    await measure(`PutItem straight to engine  (x${concurrency} clients)`, concurrency, put(direct));
    await measure(`GetItem via the edge        (x${concurrency} clients)`, concurrency, get(viaEdge));
    await measure(`GetItem straight to engine  (x${concurrency} clients)`, concurrency, get(direct));
  }
  viaEdge.destroy();
  direct.destroy();
  await cloud.close();
}

await main();

// Benchmark of AppSync Events on the local cloud (run: npx tsx extensibility/local/bench/appsync.bench.ts).
// Prints: publish (HTTP, API key) -> `data` at a subscribed WebSocket client, p50/p99 at 1 and 20
// publishes a second through a namespace handler; then 1,000 subscribed clients (run in a worker
// thread, so the main thread's heap is the server's alone): memory per connection on the server,
// and the time from one publish to its delivery to all of them.
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { startLocalCloud } from '../src/index.js';

const app = new URL('../test/appsync/fixtures/realtime-app', import.meta.url).pathname;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;
const header = (headers: Record<string, string>) =>
  `header-${Buffer.from(JSON.stringify(headers)).toString('base64url')}`;

async function main(): Promise<void> {
  const cloud = await startLocalCloud({ port: 0, log: () => {} });
  try {
    const stack = await cloud.stacks.deploy({ path: app, stackName: 'bench' });
    const api = stack.eventApis.Api!;
    const key = stack.outputs.KeyValue!;
    const auth = { host: api.dns.http, 'x-api-key': key };

    // One subscriber; each event carries its publish time (same process, same clock).
    const ws = new WebSocket(api.realtime, ['aws-appsync-event-ws', header(auth)]);
    const latencies: number[] = [];
    let subscribed!: () => void;
    const ready = new Promise<void>((r) => (subscribed = r));
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { type: string; event?: string };
      if (m.type === 'subscribe_success') subscribed();
      if (m.type === 'data') latencies.push(performance.now() - (JSON.parse(m.event!) as { t: number }).t);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    ws.send(JSON.stringify({ type: 'subscribe', id: 'b', channel: '/staff/bench/*', authorization: auth }));
    await ready;

    const publish = (t: number) =>
      fetch(api.http, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ channel: '/staff/bench/1', events: [JSON.stringify({ t })] }),
      }).then((r) => r.arrayBuffer());
    for (const [rate, count] of [
      [1, 20],
      [20, 300],
    ] as const) {
      latencies.length = 0;
      const start = performance.now();
      const sent: Array<Promise<unknown>> = [];
      for (let i = 0; i < count; i++) {
        // Paced by the clock, not by the previous publish: an open-loop load at `rate` a second.
        const due = start + (i * 1000) / rate;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        sent.push(publish(performance.now()));
      }
      await Promise.all(sent);
      const deadline = performance.now() + 5000;
      while (latencies.length < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        `publish -> data at ${String(rate).padStart(2)}/s: p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))} (n=${sorted.length}/${count}, HTTP publish with an API key, onPublish handler)`,
      );
    }
    ws.terminate();

    // 1,000 subscribed clients in a worker thread.
    const clients = 1000;
    global.gc?.();
    const before = process.memoryUsage();
    const worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const WebSocket = require('ws');
      const { url, protocols, auth, clients } = workerData;
      const sockets = [];
      let subscribed = 0, received = 0;
      for (let i = 0; i < clients; i++) {
        const ws = new WebSocket(url, protocols);
        sockets.push(ws);
        ws.on('open', () => {
          ws.send(JSON.stringify({ type: 'connection_init' }));
          ws.send(JSON.stringify({ type: 'subscribe', id: 's' + i, channel: '/staff/fan/out', authorization: auth }));
        });
        ws.on('message', (raw) => {
          const m = JSON.parse(raw.toString());
          if (m.type === 'subscribe_success' && ++subscribed === clients) parentPort.postMessage({ subscribed });
          if (m.type === 'data' && ++received === clients) parentPort.postMessage({ received });
        });
      }
      parentPort.on('message', () => { for (const ws of sockets) ws.terminate(); parentPort.postMessage({ closed: true }); });
      `,
      {
        eval: true,
        workerData: { url: api.realtime, protocols: ['aws-appsync-event-ws', header(auth)], auth, clients },
      },
    );
    const next = (field: string) =>
      new Promise<void>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (m[field] !== undefined) {
            worker.off('message', on);
            resolve();
          }
        };
        worker.on('message', on);
      });
    let t = performance.now();
    await next('subscribed');
    console.log(`${clients} clients connected and subscribed in ${ms(performance.now() - t)}`);
    global.gc?.();
    const after = process.memoryUsage();
    const per = (a: number, b: number) => `${((a - b) / clients / 1024).toFixed(1)} KB`;
    console.log(
      `memory per connection on the server: heap ${per(after.heapUsed, before.heapUsed)}, external ${per(after.external, before.external)}; process RSS (clients included) ${per(after.rss, before.rss)}${global.gc ? '' : ' (run with --expose-gc for steadier heap figures)'}`,
    );
    t = performance.now();
    const delivered = next('received');
    await fetch(api.http, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ channel: '/staff/fan/out', events: [JSON.stringify({ hello: 'all' })] }),
    });
    await delivered;
    console.log(`one publish delivered to all ${clients} subscribers in ${ms(performance.now() - t)}`);
    worker.postMessage('close');
    await next('closed');
    await worker.terminate();
  } finally {
    await cloud.close();
  }
}

await main();

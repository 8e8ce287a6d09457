// From a barista's HTTP action to the message on a subscribed WebSocket: the core on the local cloud,
// a barista's client subscribed to /staff/<eventId> (ws, AppSync Events' protocol), orders queued
// first, then POST /orders/{id}/make at a fixed rate (open loop). Printed per rate: p50, p90, p99 and
// max of the time from sending the make to its MAKING message arriving (bus, publisher function,
// SigV4 publish, fan-out), and how many arrived.
//   npm run bench:realtime -w @serverlesspresso/core     (RATES=1,20 ACTIONS=20,100 SPEED=1 by default)
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { until } from '@serverlesspresso/testing/until';
import { queuedOrder, startCore, type User } from '../test/integration/harness.js';

const RATES = (process.env.RATES ?? '1,20').split(',').map(Number);
const ACTIONS = (process.env.ACTIONS ?? '20,100').split(',').map(Number);
const SPEED = Number(process.env.SPEED ?? 1);
const CONCURRENCY = 8;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const ms = (n: number) => `${Math.round(n)} ms`;

async function main(): Promise<void> {
  const total = ACTIONS.reduce((a, b) => a + b, 0);
  console.log(`realtime bench: rates ${RATES.join(', ')}/s, ${ACTIONS.join(', ')} actions, speed ${SPEED}`);
  const core = await startCore({ speed: SPEED, quiet: true });
  try {
    const admin = await core.user('bench-admin', ['admin']);
    const barista = await core.user('bench-barista', ['NYC.barista']);
    // Room for every order at once: a big queue and QR codes that admit them all.
    const patch = await core.http('PATCH', '/events/NYC/config', {
      user: admin,
      body: { maxOrdersInQueue: 1000, drinksPerCode: 1000 },
    });
    if (patch.status !== 200) throw new Error(`PATCH config: ${patch.status} ${patch.text}`);

    const api = core.stack.eventApis.RealtimeApi;
    if (!api) throw new Error('the core stack has no RealtimeApi');
    const auth = { host: api.dns.http, authorization: barista.token };
    const ws = new WebSocket(api.realtime, [
      'aws-appsync-event-ws',
      `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`,
    ]);
    const arrived = new Map<string, number>();
    let acked = false;
    let subscribed: string | undefined;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; event?: string };
      if (m.type === 'connection_ack') acked = true;
      if (m.type === 'subscribe_success' || m.type === 'subscribe_error') subscribed = m.type;
      if (m.type !== 'data' || !m.event) return;
      const message = JSON.parse(m.event) as { orderId?: string; state?: string };
      if (message.state === 'MAKING' && message.orderId && !arrived.has(message.orderId))
        arrived.set(message.orderId, performance.now());
    });
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await until('connection_ack', () => (acked ? true : undefined));
    ws.send(JSON.stringify({ type: 'subscribe', id: 'staff', channel: '/staff/NYC', authorization: auth }));
    await until('the staff subscription', () => subscribed);
    if (subscribed !== 'subscribe_success') throw new Error(`subscribe: ${subscribed}`);

    // The orders, queued beforehand (one customer each: one open order per customer).
    const started = performance.now();
    const customers: User[] = await Promise.all(Array.from({ length: total }, (_, i) => core.user(`bench-c${i}`)));
    const orderIds: string[] = [];
    for (let i = 0; i < customers.length; i += CONCURRENCY)
      orderIds.push(
        ...(await Promise.all(customers.slice(i, i + CONCURRENCY).map((c) => queuedOrder(core, admin, c)))),
      );
    console.log(`queued ${orderIds.length} orders in ${ms(performance.now() - started)}`);

    let next = 0;
    for (const [i, rate] of RATES.entries()) {
      const batch = orderIds.slice(next, next + (ACTIONS[i] ?? 0));
      next += batch.length;
      const sent = new Map<string, number>();
      const failed: string[] = [];
      const t0 = performance.now();
      await Promise.all(
        batch.map(async (orderId, k) => {
          const at = t0 + (k * 1000) / rate;
          const wait = at - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          sent.set(orderId, performance.now());
          const r = await core.http('POST', `/orders/${orderId}/make`, { user: barista });
          if (r.status !== 200) failed.push(`${orderId}: ${r.status}`);
        }),
      );
      await until(`the MAKING messages at ${rate}/s`, () => (batch.every((id) => arrived.has(id)) ? true : undefined), {
        ms: 60_000,
      }).catch(() => undefined);
      const latencies = batch
        .filter((id) => arrived.has(id))
        .map((id) => arrived.get(id)! - sent.get(id)!)
        .sort((a, b) => a - b);
      console.log(
        `${rate}/s: ${latencies.length}/${batch.length} arrived; make → MAKING on /staff: p50 ${ms(pct(latencies, 50))}, p90 ${ms(pct(latencies, 90))}, p99 ${ms(pct(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)}${failed.length ? `; ${failed.length} makes failed` : ''}`,
      );
    }
    ws.terminate();
  } finally {
    await core.close();
  }
}

await main();

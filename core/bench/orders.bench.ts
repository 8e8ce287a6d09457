// Orders through the core on the local cloud, with robot customers and baristas acting at once, as
// the original OrderRobot does: a customer puts Validator.NewOrder and ProducerRobot.FulfillOrder; a
// barista answers OrderManager.WaitingCompletion with OrderRobot.FulfillOrder (complete). By default
// the OrderRobot extension, deployed beside the core, is the load generator (DRIVER=robot: its
// customers order their drink at once, arriving in whole seconds); DRIVER=bench drives them from this
// process instead (the drink once the workflow has started, customers spread evenly), leaving the
// core alone on the CPU. Orders start at a fixed rate (open loop). Printed: orders per second
// completed, and the latency from Validator.NewOrder to OrderManager.Order<eventId>-COMPLETED (both as
// the bus accepted them), with each stage's share to show what bounds it.
//   npm run bench -w @serverlesspresso/core            (ORDERS=300 RATE=50 SPEED=1 DRIVER=robot by default)
// USAGE_FILE=<file> also writes the run's usage (GET /_presso/usage), for `presso cost --usage <file>`.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EventEnvelope } from '@serverlesspresso/local';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS, startCore } from '../test/integration/harness.js';

const ORDERS = Number(process.env.ORDERS ?? 300);
const RATE = Number(process.env.RATE ?? 50);
const SPEED = Number(process.env.SPEED ?? 1);
/** `bench`: customers and baristas driven from this process; `robot`: the OrderRobot extension deployed beside the core drives them. */
const DRIVER = process.env.DRIVER ?? 'robot';
const ROBOT_DIR = new URL('../../extensions/OrderRobot', import.meta.url).pathname;
const EVENT_ID = 'BENCH';
const STAGES = [
  ['Validator.NewOrder', 'NewOrder'],
  ['OrderProcessor.WorkflowStarted', 'workflow started (Step Functions: claim, config, capacity)'],
  ['ProducerRobot.FulfillOrder', 'robot customer orders its drink'],
  ['OrderProcessor.WaitingCompletion', 'drink stored, workflow resumed and numbered'],
  ['OrderManager.WaitingCompletion', 'number stored, queued (order table stream)'],
  ['OrderRobot.FulfillOrder', 'robot barista completes'],
  [`OrderManager.Order${EVENT_ID}-COMPLETED`, 'completion stored and published (order table stream)'],
] as const;

/** CPU time of DynamoDB Local (a java process below this one), from /proc; 0 where that is not readable. */
function javaCpuMs(): number {
  try {
    const stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return [
            {
              pid: Number(pid),
              java: stat.includes('(java)'),
              ppid: Number(fields[1]),
              ticks: Number(fields[11]) + Number(fields[12]),
            },
          ];
        } catch {
          return [];
        }
      });
    const mine = new Set([process.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const s of stats) {
        if (mine.has(s.pid) || !mine.has(s.ppid)) continue;
        mine.add(s.pid);
        grew = true;
      }
    }
    return (stats.filter((s) => s.java && mine.has(s.pid)).reduce((sum, s) => sum + s.ticks, 0) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time of this process's main thread (edge, engine, EventBridge, pollers, and the bench's robots), from /proc; 0 where not readable. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

type Counts = Record<string, number>;
/** The local cloud's counters, flattened: what one order costs in requests, calls and executions. */
function counters(core: Awaited<ReturnType<typeof startCore>>): Counts {
  const out: Counts = {};
  const add = (key: string, n: number) => (out[key] = (out[key] ?? 0) + n);
  for (const [k, n] of Object.entries(core.cloud.edge.requests())) {
    add('edge requests', n);
    add(`edge ${k.replace(/^DynamoDB_20120810\.|^AWSEvents\.|^AWSStepFunctions\./, '')}`, n);
  }
  const ddb = core.cloud.dynamodb.stats();
  for (const n of Object.values(ddb.edge)) add('DynamoDB calls by functions (through the edge)', n);
  for (const [k, n] of Object.entries(ddb.internal))
    add(
      /^(GetRecords|DescribeStream|GetShardIterator)$/.test(k)
        ? 'DynamoDB Streams calls by stream pollers'
        : 'DynamoDB calls by Step Functions tasks',
      n,
    );
  const engine = core.cloud.states.engine.stats();
  add('executions STANDARD', engine.executionsStarted.STANDARD);
  add('executions EXPRESS', engine.executionsStarted.EXPRESS);
  add('state transitions', engine.stateTransitions);
  for (const poller of core.cloud.streamPollers.list()) {
    add('stream batches delivered', poller.stats.invocations);
    add('GetRecords skipped (nothing written)', poller.stats.skippedReads);
  }
  for (const fn of core.cloud.lambda.list()) {
    const stats = (fn as { stats?: () => { invocations: number; coldStarts: number } }).stats?.();
    if (!stats) continue;
    add('function invocations', stats.invocations);
    add('cold starts', stats.coldStarts);
  }
  add('events put on the bus', core.cloud.events.counters.bus(BUS).put);
  return out;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

async function main(): Promise<void> {
  if (DRIVER !== 'bench' && DRIVER !== 'robot') throw new Error(`DRIVER must be bench or robot, got ${DRIVER}`);
  console.log(
    `core orders benchmark: ${ORDERS} orders at ${RATE}/s, speed ${SPEED}, driven by ${DRIVER === 'robot' ? 'the OrderRobot extension' : 'this process'}`,
  );
  const deployStart = performance.now();
  const core = await startCore({ speed: SPEED });
  console.log(`  deployed the core in ${ms(performance.now() - deployStart)}`);
  const robot =
    DRIVER === 'robot' ? await core.cloud.stacks.deploy({ path: ROBOT_DIR, stackName: 'order-robot' }) : undefined;
  const admin = await core.user('bench-admin', ['admin']);
  const opened = await core.http('PATCH', `/events/${EVENT_ID}/config`, {
    user: admin,
    // Robot orders (the OrderRobot's, or this process's NewOrders as user robot) only where robots are allowed.
    body: { storeOpen: true, maxOrdersInQueue: 1000, robotsAllowed: true },
  });
  if (opened.status !== 201 && opened.status !== 200)
    throw new Error(`could not open ${EVENT_ID}: ${opened.status} ${opened.text}`);

  // When the bus accepted each stage of each order (this process's clock, at the archive's notice).
  const seen = new Map<string, Map<string, number>>();
  const refused: string[] = [];
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  let completed = 0;
  const stage = (e: EventEnvelope, at: number) => {
    const orderId = e.detail.orderId;
    if (typeof orderId !== 'string' || !seen.has(orderId)) return;
    const stages = seen.get(orderId)!;
    if (!stages.has(e['detail-type'])) stages.set(e['detail-type'], at);
    return stages;
  };
  const drinks = [
    { drink: 'Flat White', modifiers: ['Whole'], icon: 'barista-icons_cappuccino-alternative' },
    { drink: 'Espresso', modifiers: ['Double'], icon: 'barista-icons_espresso' },
    { drink: 'Caffe Latte', modifiers: ['Oat', 'Vanilla'], icon: 'barista-icons_cafe-latte' },
  ];
  const robots: Promise<void>[] = [];
  const unsubscribe = core.cloud.events.archive.subscribe(({ event }) => {
    const at = performance.now();
    // The robot names its orders itself: each of its NewOrders for the bench's event is one to follow.
    if (DRIVER === 'robot' && event['detail-type'] === 'Validator.NewOrder' && event.detail.eventId === EVENT_ID)
      seen.set(event.detail.orderId as string, new Map());
    const stages = stage(event, at);
    if (!stages) return;
    const orderId = event.detail.orderId as string;
    switch (event['detail-type']) {
      case 'OrderProcessor.WorkflowStarted':
        if (DRIVER === 'robot') break;
        robots.push(
          core.put('ProducerRobot.FulfillOrder', {
            orderId,
            eventId: EVENT_ID,
            baristaUserId: 'robot-barista',
            action: '',
            body: { ...drinks[stages.size % drinks.length]!, userId: 'robot' },
          }),
        );
        break;
      case 'OrderManager.WaitingCompletion':
        if (DRIVER === 'bench' && event.detail.robot === true)
          robots.push(
            core.put('OrderRobot.FulfillOrder', {
              orderId,
              eventId: EVENT_ID,
              baristaUserId: 'robot-barista',
              action: 'complete',
            }),
          );
        break;
      case 'OrderProcessor.ShopUnavailable':
        refused.push(orderId);
        if (completed + refused.length === ORDERS) finished();
        break;
      default:
        if (event['detail-type'] === `OrderManager.Order${EVENT_ID}-COMPLETED`) {
          completed += 1;
          if (completed + refused.length === ORDERS) finished();
        }
    }
  });

  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  const javaStart = javaCpuMs();
  const countsStart = counters(core);
  if (DRIVER === 'robot') {
    await core.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: robot!.outputs.OrderRobotStateMachineArn,
        input: JSON.stringify({
          eventId: EVENT_ID,
          orders: ORDERS,
          ordersPerMinute: RATE * 60,
          customerDelaySeconds: 0,
          baristaDelaySeconds: 0,
        }),
      }),
    );
  }
  for (let i = 0; DRIVER === 'bench' && i < ORDERS; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const orderId = randomUUID();
    seen.set(orderId, new Map());
    robots.push(
      core.put('Validator.NewOrder', { orderId, userId: 'robot', bucket: { eventId: EVENT_ID }, Message: 'bench' }),
    );
  }
  const putDone = performance.now();
  const limitMs = 120_000;
  const timer = setTimeout(finished, limitMs);
  await allDone;
  clearTimeout(timer);
  const end = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const mainMs = mainThreadCpuMs() - mainStart;
  const javaMs = javaCpuMs() - javaStart;
  const countsEnd = counters(core);
  await Promise.allSettled(robots);
  unsubscribe();

  const latencies: number[] = [];
  const stageTimes = STAGES.slice(1).map(() => [] as number[]);
  for (const stages of seen.values()) {
    const first = stages.get(STAGES[0][0]);
    const last = stages.get(STAGES[STAGES.length - 1]![0]);
    if (first === undefined || last === undefined) continue;
    latencies.push(last - first);
    // Each stage from the latest of those before it: the robot's drink may come before its workflow starts.
    let previous = first;
    STAGES.slice(1).forEach(([type], i) => {
      const now = stages.get(type);
      if (now === undefined) return;
      stageTimes[i]!.push(Math.max(0, now - previous));
      previous = Math.max(previous, now);
    });
  }
  latencies.sort((a, b) => a - b);
  const lost = ORDERS - completed - refused.length;
  if (DRIVER === 'robot')
    console.log(`  the robot run offered ${ORDERS} orders at ${RATE}/s (customers arrive in whole seconds)`);
  else
    console.log(
      `  started ${ORDERS} orders in ${ms(putDone - start)} (${(ORDERS / ((putDone - start) / 1000)).toFixed(1)}/s offered)`,
    );
  console.log(
    `  completed ${completed}, refused ${refused.length}, unfinished after ${limitMs / 1000} s: ${lost}, contract violations: ${core.invalid.length}`,
  );
  console.log(`  throughput: ${(completed / ((end - start) / 1000)).toFixed(1)} orders/s completed`);
  console.log(
    `  latency NewOrder → COMPLETED: p50 ${ms(percentile(latencies, 50))}, p90 ${ms(percentile(latencies, 90))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies[latencies.length - 1] ?? NaN)}`,
  );
  const nodeMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `  CPU per completed order: ${(nodeMs / completed).toFixed(1)} ms in Node (edge, engine, functions' workers), ${(javaMs / completed).toFixed(1)} ms in DynamoDB Local; ${((nodeMs + javaMs) / (end - start)).toFixed(2)} cores busy on average`,
  );
  if (mainMs > 0)
    console.log(
      `    of Node's: ${(mainMs / completed).toFixed(1)} ms on the main thread (edge, Step Functions, EventBridge, stream pollers, and this bench's robots), ${((nodeMs - mainMs) / completed).toFixed(1)} ms on other threads (the functions' sandboxes, V8's GC and JIT)`,
    );
  console.log('  per completed order:');
  for (const [key, end] of Object.entries(countsEnd)) {
    const n = (end - (countsStart[key] ?? 0)) / completed;
    if (n >= 0.05 && !/^edge (?!requests)/.test(key)) console.log(`    ${key.padEnd(52)} ${n.toFixed(1).padStart(6)}`);
  }
  const edgeKinds = Object.entries(countsEnd)
    .filter(([k]) => /^edge (?!requests)/.test(k))
    .map(([k, end]) => [k.slice(5), (end - (countsStart[k] ?? 0)) / completed] as const)
    .filter(([, n]) => n >= 0.05);
  console.log(
    `    (edge requests: ${edgeKinds
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n.toFixed(1)}`)
      .join(', ')})`,
  );
  console.log('  stages (p50 / p99):');
  STAGES.slice(1).forEach(([, label], i) => {
    const times = stageTimes[i]!.sort((a, b) => a - b);
    console.log(
      `    ${label.padEnd(58)} ${ms(percentile(times, 50)).padStart(7)} / ${ms(percentile(times, 99)).padStart(7)}`,
    );
  });
  console.log('  functions (invocations, cold starts, errors, timeouts):');
  for (const fn of core.cloud.lambda.list()) {
    const stats = (
      fn as { stats?: () => { invocations: number; coldStarts: number; errors: number; timeouts: number } }
    ).stats?.();
    if (stats && stats.invocations > 0)
      console.log(
        `    ${fn.name.replace(/^core-|-[A-Z0-9]+$/g, '').padEnd(30)} ${String(stats.invocations).padStart(6)} ${String(stats.coldStarts).padStart(4)} ${String(stats.errors).padStart(4)} ${String(stats.timeouts).padStart(4)}`,
      );
  }
  if (process.env.LOG_FILE) writeFileSync(process.env.LOG_FILE, core.logs.join('\n'));
  // What the run would cost on AWS: the local cloud's usage, priced by `presso cost --usage FILE`.
  if (process.env.USAGE_FILE) {
    writeFileSync(process.env.USAGE_FILE, await (await fetch(`${core.cloud.url}/_presso/usage`)).text());
    console.log(`  usage written to ${process.env.USAGE_FILE}: npx presso cost --usage ${process.env.USAGE_FILE}`);
  }
  // What went wrong on the way, if anything (retries show up as long tails).
  const problems = core.logs.filter((l) => /"level":"warn"|Error|rror:|Task timed out|discarded|dead-letter/i.test(l));
  if (problems.length > 0) {
    console.log(`  ${problems.length} problem lines in the local cloud's log, e.g.:`);
    for (const line of [...new Set(problems.map((l) => l.replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 240)))].slice(0, 8))
      console.log(`    ${line}`);
  }
  await core.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

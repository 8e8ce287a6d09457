// Benchmark of durability (run: npx tsx extensibility/local/bench/durability.bench.ts [waiting]):
// - the cost of the Step Functions journal per state transition (p50, p99): what writing each
//   history event of a running Standard execution to its journal adds, with the default (a write
//   per record: survives a crash of the process) and with `journalSync` (a flush to the disk per
//   record: survives a crash of the machine);
// - the cost of the pending-deliveries journal per PutEvents dispatch to a rule (p50, p99);
// - the cost of the SQS journal per SendMessage, and per receive and delete (p50, p99), against a
//   queue without one;
// - the time to resume `waiting` (default 10,000) executions waiting on a callback task after a
//   restart: read their journals, replay them, and have every task token answer again (target:
//   under 5 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PendingDeliveries } from '../src/services/events/pending.js';
import { Queue } from '../src/services/sqs/queue.js';
import { SqsStore } from '../src/services/sqs/store.js';
import type { EventEnvelope } from '../src/services/events/model.js';
import { StepFunctionsEngine } from '../src/services/states/engine/index.js';
import { ExecutionJournal } from '../src/services/states/journal.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:bench';
const WAITING = Number(process.argv[2] ?? 10_000);
const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-durability-'));
  dirs.push(dir);
  return dir;
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

/** Pass chain: `length` transitions per execution; the journal's time per transition, measured around its listener. */
async function perTransition(sync: boolean, executions: number, length: number): Promise<void> {
  const states: Record<string, object> = {};
  for (let i = 0; i < length; i++)
    states[`S${i}`] = {
      Type: 'Pass',
      Result: { step: i, note: 'an order step' },
      ...(i + 1 < length ? { Next: `S${i + 1}` } : { End: true }),
    };
  const stateMachine = { arn: ARN, name: 'bench', definition: JSON.stringify({ StartAt: 'S0', States: states }) };
  const engine = new StepFunctionsEngine({ taskRunner: async () => ({}), schemaValidation: false });
  // Listeners run in the order they subscribed: one before the journal's, one after.
  let before = 0;
  let transition = 0;
  const costs: number[] = [];
  engine.subscribe(() => void (before = performance.now()));
  const journal = ExecutionJournal.open(engine, join(dataDir(), 'states', 'executions.jsonl'), { sync });
  engine.subscribe((n) => {
    if (n.type !== 'historyEvent') return;
    transition += performance.now() - before;
    // A transition: a state's Entered and Exited (what the next state waits for).
    if (n.event.type.endsWith('StateExited')) {
      costs.push(transition);
      transition = 0;
    }
  });
  const started = performance.now();
  for (let i = 0; i < executions; i++) {
    const { executionArn } = engine.startExecution({ stateMachine, name: `e${i}` });
    await engine.waitForExecution(executionArn);
  }
  const seconds = (performance.now() - started) / 1000;
  journal.close();
  costs.sort((a, b) => a - b);
  console.log(
    `journal per transition (${sync ? 'fdatasync per record' : 'write per record, the default'}): p50 ${us(percentile(costs, 50))}, p99 ${us(percentile(costs, 99))} over ${costs.length} transitions (${Math.round(costs.length / seconds)} transitions/s with the engine)`,
  );
}

function perDispatch(count: number): void {
  const pending = new PendingDeliveries(join(dataDir(), 'events', 'pending-deliveries.jsonl'));
  const costs: number[] = [];
  for (let i = 0; i < count; i++) {
    const event = {
      version: '0',
      id: `id-${i}`,
      'detail-type': 'OrderProcessor.WorkflowStarted',
      source: 'awsserverlessda.serverlesspresso',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { orderId: `o-${i}`, TaskToken: 'x'.repeat(200) },
    } as unknown as EventEnvelope;
    const t = performance.now();
    pending.accepted(
      event,
      'Serverlesspresso',
      'arn:aws:events:us-east-1:123456789012:rule/Serverlesspresso/r',
      ['t1'],
      Date.now(),
    );
    costs.push(performance.now() - t);
    pending.ended(event.id, 'arn:aws:events:us-east-1:123456789012:rule/Serverlesspresso/r', 't1');
  }
  pending.close();
  costs.sort((a, b) => a - b);
  console.log(
    `pending deliveries per PutEvents dispatch to a rule: p50 ${us(percentile(costs, 50))}, p99 ${us(percentile(costs, 99))} over ${count} puts`,
  );
}

/** SendMessage, then receive and delete, on a queue with and without the SQS journal: the journal's cost per message. */
function perMessage(count: number): void {
  const settings = {
    delaySeconds: 0,
    maximumMessageSize: 262_144,
    messageRetentionPeriod: 345_600,
    receiveMessageWaitTimeSeconds: 0,
    visibilityTimeout: 30,
    contentBasedDeduplication: false,
  };
  const run = (journaled: boolean) => {
    const queue = new Queue('bench', 'arn:aws:sqs:us-east-1:123456789012:bench', false, { ...settings }, Date.now);
    const store = journaled
      ? new SqsStore(join(dataDir(), 'sqs', 'messages.jsonl'), { origin: Date.now(), speed: 1, now: Date.now }, () => [
          queue,
        ])
      : undefined;
    if (store) store.attach(queue);
    const sends: number[] = [];
    const receives: number[] = [];
    for (let i = 0; i < count; i++) {
      const body = JSON.stringify({ orderId: `o-${i}`, drink: 'Flat White', modifiers: ['Oat'] });
      let t = performance.now();
      queue.send({ body, senderId: 'bench' });
      sends.push(performance.now() - t);
      t = performance.now();
      const [received] = queue.receive(1, undefined);
      queue.delete(received!.receipt);
      receives.push(performance.now() - t);
    }
    store?.close();
    return { sends: sends.sort((a, b) => a - b), receives: receives.sort((a, b) => a - b) };
  };
  run(true); // warm-up
  const [plain, journaled] = [run(false), run(true)];
  console.log(
    `SQS SendMessage in the queue: p50 ${us(percentile(plain.sends, 50))}, p99 ${us(percentile(plain.sends, 99))}; with the journal (--data-dir): p50 ${us(percentile(journaled.sends, 50))}, p99 ${us(percentile(journaled.sends, 99))}; receive and delete: p50 ${us(percentile(plain.receives, 50))} -> ${us(percentile(journaled.receives, 50))}, p99 ${us(percentile(plain.receives, 99))} -> ${us(percentile(journaled.receives, 99))} over ${count} messages`,
  );
}

async function resume(count: number): Promise<void> {
  const definition = {
    StartAt: 'Order',
    States: {
      Order: { Type: 'Pass', Parameters: { 'orderId.$': '$.orderId' }, Next: 'Wait for the drink' },
      'Wait for the drink': {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
        HeartbeatSeconds: 300,
        Parameters: { Entries: [{ Detail: { 'TaskToken.$': '$$.Task.Token', 'orderId.$': '$.orderId' } }] },
        End: true,
      },
    },
  };
  const stateMachine = { arn: ARN, name: 'bench', definition: JSON.stringify(definition) };
  const dir = dataDir();
  const file = join(dir, 'states', 'executions.jsonl');
  const first = new StepFunctionsEngine({ taskRunner: async () => ({}), schemaValidation: false });
  const journal = ExecutionJournal.open(first, file);
  for (let i = 0; i < count; i++) first.startExecution({ stateMachine, name: `o${i}`, input: { orderId: `o${i}` } });
  while (first.pendingTaskTokens < count) await new Promise((resolve) => setImmediate(resolve));
  // A crash: nothing is stopped (the heartbeat timers of the first engine are left to the process exit).
  journal.close();
  first.shutdown();

  const started = performance.now();
  const second = new StepFunctionsEngine({ taskRunner: async () => ({}), schemaValidation: false });
  const reopened = ExecutionJournal.open(second, file);
  const read = performance.now();
  second.resumeExecutions();
  while (second.pendingTaskTokens < count) await new Promise((resolve) => setImmediate(resolve));
  const done = performance.now();
  console.log(
    `resume ${count} executions waiting for a task token: ${((done - started) / 1000).toFixed(2)} s (journals read and loaded ${((read - started) / 1000).toFixed(2)} s, replayed until every token answers ${((done - read) / 1000).toFixed(2)} s; ${reopened.report.resuming} resumed; target under 5 s)`,
  );
  reopened.close();
  second.shutdown();
}

try {
  await perTransition(false, 300, 20);
  await perTransition(true, 30, 20);
  perDispatch(2000);
  perMessage(2000);
  await resume(WAITING);
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

// Benchmark of the ASL interpreter core (run: npx tsx extensibility/local/bench/states.bench.ts;
// add `node --expose-gc --import tsx` for steadier memory figures). Bounded: each phase stops at
// its deadline. Prints state transitions per second on a Pass/Choice loop, and the memory held by
// 10,000 executions waiting on callback tasks.
import { StepFunctionsEngine } from '../src/services/states/engine/index.js';
import type { TaskRunner } from '../src/services/states/engine/index.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:bench';
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

async function transitionsPerSecond(loops: number, concurrent: number, deadlineMs: number): Promise<void> {
  const definition = {
    StartAt: 'Inc',
    States: {
      Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)', 'limit.$': '$.limit' }, Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThanPath: '$.limit', Next: 'Inc' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
  const engine = new StepFunctionsEngine({ taskRunner: async () => ({}) });
  const stateMachine = { arn: ARN, name: 'bench', definition: JSON.stringify(definition) };
  engine.compileDefinition(stateMachine.definition);
  const started = performance.now();
  let transitions = 0;
  let executions = 0;
  while (performance.now() - started < deadlineMs) {
    const arns = Array.from({ length: concurrent }, () => engine.startExecution({ stateMachine, input: { i: 0, limit: loops } }).executionArn);
    const results = await Promise.all(arns.map((arn) => engine.waitForExecution(arn)));
    if (results.some((r) => r.status !== 'SUCCEEDED')) throw new Error('a benchmark execution failed');
    transitions += concurrent * (loops * 2 + 1);
    executions += concurrent;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`Pass/Choice loop: ${executions} executions, ${transitions} state transitions in ${seconds.toFixed(2)} s = ${Math.round(transitions / seconds).toLocaleString('en-US')} transitions/s (history recorded)`);
}

async function waitingExecutions(count: number, deadlineMs: number): Promise<void> {
  const definition = {
    StartAt: 'Order',
    States: {
      Order: { Type: 'Pass', Parameters: { 'orderId.$': '$.orderId', shop: 'north' }, Next: 'Wait for barista' },
      'Wait for barista': {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
        HeartbeatSeconds: 900,
        Parameters: { Entries: [{ Detail: { 'TaskToken.$': '$$.Task.Token', 'orderId.$': '$.orderId' }, DetailType: 'WaitingCompletion', Source: 'bench' }] },
        ResultPath: '$.barista',
        End: true,
      },
    },
  };
  const tokens: string[] = [];
  const taskRunner: TaskRunner = async (_resource, _input, ctx) => {
    if (ctx.taskToken) tokens.push(ctx.taskToken);
    return { FailedEntryCount: 0 };
  };
  gc?.();
  const before = process.memoryUsage();
  const engine = new StepFunctionsEngine({ taskRunner });
  const stateMachine = { arn: ARN, name: 'bench', definition: JSON.stringify(definition) };
  const started = performance.now();
  const arns: string[] = [];
  for (let i = 0; i < count; i++) arns.push(engine.startExecution({ stateMachine, input: { orderId: `order-${i}` } }).executionArn);
  while (engine.pendingTaskTokens < count && performance.now() - started < deadlineMs) await new Promise((resolve) => setImmediate(resolve));
  const startSeconds = (performance.now() - started) / 1000;
  gc?.();
  const waiting = process.memoryUsage();
  console.log(
    `${engine.pendingTaskTokens.toLocaleString('en-US')} executions waiting on callbacks (started in ${startSeconds.toFixed(2)} s): ` +
      `heapUsed ${mb(waiting.heapUsed)} (+${mb(waiting.heapUsed - before.heapUsed)} for them), RSS ${mb(waiting.rss)}`,
  );
  const completing = performance.now();
  for (const token of tokens) engine.sendTaskSuccess(token, '{"made":true}');
  const results = await Promise.all(arns.map((arn) => engine.waitForExecution(arn)));
  const succeeded = results.filter((r) => r.status === 'SUCCEEDED').length;
  console.log(`completed ${succeeded.toLocaleString('en-US')} of them by sendTaskSuccess in ${((performance.now() - completing) / 1000).toFixed(2)} s`);
  engine.shutdown();
}

await transitionsPerSecond(500, 20, 3000);
await waitingExecutions(10_000, 20_000);

// Benchmark of the ASL interpreter core (run: npx tsx extensibility/local/bench/states.bench.ts;
// add `node --expose-gc --import tsx` for steadier memory figures). Bounded: each phase stops at
// its deadline. Prints state transitions per second on a Pass/Choice loop, the memory held by
// 10,000 executions waiting on callback tasks, and the CPU and memory of an order's JSONata workflows.
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
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.i', NumericLessThanPath: '$.limit', Next: 'Inc' }],
        Default: 'Done',
      },
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
    const arns = Array.from(
      { length: concurrent },
      () => engine.startExecution({ stateMachine, input: { i: 0, limit: loops } }).executionArn,
    );
    const results = await Promise.all(arns.map((arn) => engine.waitForExecution(arn)));
    if (results.some((r) => r.status !== 'SUCCEEDED')) throw new Error('a benchmark execution failed');
    transitions += concurrent * (loops * 2 + 1);
    executions += concurrent;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `Pass/Choice loop: ${executions} executions, ${transitions} state transitions in ${seconds.toFixed(2)} s = ${Math.round(transitions / seconds).toLocaleString('en-US')} transitions/s (history recorded)`,
  );
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
        Parameters: {
          Entries: [
            {
              Detail: { 'TaskToken.$': '$$.Task.Token', 'orderId.$': '$.orderId' },
              DetailType: 'WaitingCompletion',
              Source: 'bench',
            },
          ],
        },
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
  for (let i = 0; i < count; i++)
    arns.push(engine.startExecution({ stateMachine, input: { orderId: `order-${i}` } }).executionArn);
  while (engine.pendingTaskTokens < count && performance.now() - started < deadlineMs)
    await new Promise((resolve) => setImmediate(resolve));
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
  console.log(
    `completed ${succeeded.toLocaleString('en-US')} of them by sendTaskSuccess in ${((performance.now() - completing) / 1000).toFixed(2)} s`,
  );
  engine.shutdown();
}

/**
 * An order's worth of JSONata workflows, shaped like the core's: one STANDARD execution (a claim, a
 * read, two callback waits resumed at once, counters) and 9 EXPRESS ones (a Choice and a putItem of
 * the event), with stub tasks. Prints CPU per order and the heap they leave behind: closed
 * executions are kept only up to the engine's retention (EXPRESS 1,000 per state machine).
 */
async function jsonataOrders(orders: number, deadlineMs: number): Promise<void> {
  const task = (resource: string, next: string | undefined, args: Record<string, unknown>) => ({
    Type: 'Task',
    Resource: `arn:aws:states:::${resource}`,
    Arguments: args,
    ...(next ? { Next: next } : { End: true }),
    Retry: [{ ErrorEquals: ['DynamoDB.ThrottlingException'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
  });
  const order = {
    QueryLanguage: 'JSONata',
    StartAt: 'Read',
    States: {
      Read: {
        Type: 'Pass',
        Assign: {
          orderId: '{% $states.input.detail.orderId %}',
          userId: '{% $states.input.detail.userId %}',
          eventId: '{% $states.input.detail.eventId %}',
        },
        Next: 'Claim',
      },
      Claim: task('dynamodb:putItem', 'Config', {
        TableName: 'Counters',
        Item: { PK: { S: "{% 'workflow-' & $orderId %}" }, executionArn: { S: '{% $states.context.Execution.Id %}' } },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      Config: {
        ...task('dynamodb:getItem', 'Open?', { TableName: 'Config', Key: { PK: { S: '{% $eventId %}' } } }),
        Assign: { open: '{% $states.result.Item.storeOpen.BOOL = true %}' },
      },
      'Open?': { Type: 'Choice', Choices: [{ Condition: '{% $open %}', Next: 'Wait for the drink' }], Default: 'Done' },
      'Wait for the drink': task('events:putEvents.waitForTaskToken', 'Number', {
        Entries: [
          {
            Detail: { orderId: '{% $orderId %}', TaskToken: '{% $states.context.Task.Token %}' },
            DetailType: 'WorkflowStarted',
            Source: 'bench',
          },
        ],
      }),
      Number: {
        ...task('dynamodb:updateItem', 'Wait for the barista', {
          TableName: 'Counters',
          Key: { PK: { S: "{% 'orderNumber-' & $eventId %}" } },
          UpdateExpression: 'ADD #v :one',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
        Assign: { orderNumber: '{% $states.result.Attributes.value.N %}' },
      },
      'Wait for the barista': task('events:putEvents.waitForTaskToken', 'Done', {
        Entries: [
          {
            Detail: {
              orderId: '{% $orderId %}',
              orderNumber: '{% $orderNumber %}',
              TaskToken: '{% $states.context.Task.Token %}',
            },
            DetailType: 'WaitingCompletion',
            Source: 'bench',
          },
        ],
      }),
      Done: task('events:putEvents', undefined, {
        Entries: [
          {
            Detail: { orderId: '{% $orderId %}', userId: '{% $userId %}' },
            DetailType: 'orderFinished',
            Source: 'bench',
          },
        ],
      }),
    },
  };
  const journey = {
    QueryLanguage: 'JSONata',
    StartAt: 'Order?',
    States: {
      'Order?': {
        Type: 'Choice',
        Choices: [
          {
            Condition: "{% $type($states.input.detail.orderId) = 'string' and $type($states.input.id) = 'string' %}",
            Next: 'Record',
          },
        ],
        Default: 'Skip',
      },
      Skip: { Type: 'Succeed' },
      Record: {
        ...task('dynamodb:putItem', undefined, {
          TableName: 'Journey',
          Item: {
            PK: { S: '{% $states.input.detail.orderId %}' },
            SK: { S: '{% $states.input.id %}' },
            envelope: { S: '{% $string($states.input) %}' },
            expiresAt: { N: '{% $string($floor($toMillis($states.context.Execution.StartTime) / 1000) + 2592000) %}' },
          },
        }),
        Output: {},
      },
    },
  };
  const taskRunner: TaskRunner = async (resource, _input, ctx) => {
    if (ctx.taskToken) {
      const token = ctx.taskToken;
      setImmediate(() => engine.sendTaskSuccess(token, { cancelled: false }));
      return { FailedEntryCount: 0 };
    }
    if (resource.endsWith('getItem')) return { Item: { PK: { S: 'NYC' }, storeOpen: { BOOL: true } } };
    if (resource.endsWith('updateItem')) return { Attributes: { value: { N: '7' } } };
    return {};
  };
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const engine = new StepFunctionsEngine({ taskRunner });
  const orderMachine = { arn: `${ARN}-order`, name: 'order', definition: JSON.stringify(order) };
  const journeyMachine = {
    arn: `${ARN}-journey`,
    name: 'journey',
    definition: JSON.stringify(journey),
    type: 'EXPRESS' as const,
  };
  engine.compileDefinition(orderMachine.definition);
  engine.compileDefinition(journeyMachine.definition);
  const envelope = (orderId: string, i: number) => ({
    version: '0',
    id: `${orderId}-${i}`,
    'detail-type': 'Order.Event',
    source: 'bench',
    account: '123456789012',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      orderId,
      userId: 'robot',
      eventId: 'NYC',
      TaskToken: 'x'.repeat(300),
      Message: 'The store is open and has room for your order.',
    },
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let done = 0;
  while (done < orders && performance.now() - started < deadlineMs) {
    const batch = Array.from({ length: 20 }, (_, i) => {
      const orderId = `order-${done + i}`;
      const arns = [
        engine.startExecution({ stateMachine: orderMachine, input: JSON.stringify(envelope(orderId, 0)) }).executionArn,
      ];
      for (let e = 1; e <= 9; e++)
        arns.push(
          engine.startExecution({ stateMachine: journeyMachine, input: JSON.stringify(envelope(orderId, e)) })
            .executionArn,
        );
      return arns;
    }).flat();
    const results = await Promise.all(batch.map((arn) => engine.waitForExecution(arn)));
    if (results.some((r) => r.status !== 'SUCCEEDED')) throw new Error('a benchmark execution failed');
    done += 20;
  }
  const used = process.cpuUsage(cpu);
  gc?.();
  const stats = engine.stats();
  console.log(
    `JSONata orders (1 STANDARD + 9 EXPRESS executions, stub tasks): ${done.toLocaleString('en-US')} orders, ${((used.user + used.system) / 1000 / done).toFixed(2)} ms CPU per order, ` +
      `${(stats.stateTransitions / done).toFixed(0)} states entered per order; heap left ${mb(process.memoryUsage().heapUsed - before)} (closed executions kept: the last 10,000 STANDARD, 1,000 EXPRESS)`,
  );
  engine.shutdown();
}

await transitionsPerSecond(500, 20, 3000);
await waitingExecutions(10_000, 20_000);
await jsonataOrders(4_000, 30_000);

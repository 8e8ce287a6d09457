// Task timeouts and heartbeats as the service behaves (no timeout unless TimeoutSeconds; a missed
// heartbeat is States.Timeout, also matched by States.HeartbeatTimeout), the execution timeout,
// and callback tasks (.waitForTaskToken) driven through sendTaskSuccess/Failure/Heartbeat. Time is
// a manual clock: each test moves it exactly, nothing sleeps.
import { describe, it, expect } from '@jest/globals';
import {
  SfnApiError,
  StepFunctionsEngine,
  TaskError,
  createManualClock,
  createScaledClock,
} from '../../../src/services/states/engine/index.js';
import type {
  HistoryEvent,
  JsonValue,
  ManualClock,
  TaskContext,
  TaskRunner,
} from '../../../src/services/states/engine/index.js';

const PUT_EVENTS_CALLBACK = 'arn:aws:states:::events:putEvents.waitForTaskToken';

function stateMachine(definition: object, name = 'callbacks') {
  return {
    arn: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`,
    name,
    definition: JSON.stringify(definition),
  };
}

interface Harness {
  engine: StepFunctionsEngine;
  clock: ManualClock;
  calls: { input: unknown; ctx: TaskContext }[];
  start(definition: object, input?: JsonValue): Promise<string>;
  status(arn: string): string;
  history(arn: string): HistoryEvent[];
  tokenOf(call: number): string;
}

/** An engine on a manual clock; the default runner records calls and never finishes (like a callback). */
function harness(taskRunner?: TaskRunner): Harness {
  const clock = createManualClock();
  const calls: Harness['calls'] = [];
  const engine = new StepFunctionsEngine({
    clock,
    schemaValidation: false,
    taskRunner: async (resource, input, ctx) => {
      calls.push({ input, ctx });
      return taskRunner ? taskRunner(resource, input, ctx) : { submitted: true };
    },
  });
  return {
    engine,
    clock,
    calls,
    async start(definition, input = { orderId: 'o1' }) {
      const { executionArn } = engine.startExecution({
        stateMachine: stateMachine(definition),
        input: JSON.stringify(input),
      });
      await clock.settle();
      return executionArn;
    },
    status: (arn) => engine.describeExecution(arn).status,
    history: (arn) => engine.getExecutionHistory(arn),
    tokenOf(call) {
      const token = calls[call]?.ctx.taskToken;
      if (!token) throw new Error(`call ${call} has no task token`);
      return token;
    },
  };
}

const never: TaskRunner = () => new Promise(() => undefined);
const types = (history: HistoryEvent[]): string[] => history.map((e) => e.type);
const callbackTask = (fields: object, more: object = {}) => ({
  StartAt: 'Wait for barista',
  States: {
    'Wait for barista': {
      Type: 'Task',
      Resource: PUT_EVENTS_CALLBACK,
      Parameters: {
        Entries: [
          { Detail: { 'TaskToken.$': '$$.Task.Token', 'orderId.$': '$.orderId' }, DetailType: 'Test', Source: 'test' },
        ],
      },
      End: true,
      ...fields,
    },
    ...more,
  },
});

describe('task timeouts', () => {
  it('TimeoutSeconds fails the task with States.Timeout at exactly that time and aborts the runner', async () => {
    const h = harness(never);
    const arn = await h.start({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 10, End: true } },
    });
    await h.clock.advance(9_999);
    expect(h.status(arn)).toBe('RUNNING');
    expect(h.calls[0]?.ctx.signal.aborted).toBe(false);
    await h.clock.advance(1);
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(h.calls[0]?.ctx.signal.aborted).toBe(true);
    const timedOut = h.history(arn).find((e) => e.type === 'TaskTimedOut');
    expect(timedOut?.taskTimedOutEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'States.Timeout',
    });
    expect(h.calls[0]?.ctx.timeoutSeconds).toBe(10);
  });

  it('a Task without TimeoutSeconds has no timeout at all', async () => {
    const h = harness(never);
    const arn = await h.start({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
    });
    await h.clock.advance(365 * 24 * 3600 * 1000);
    expect(h.status(arn)).toBe('RUNNING');
    expect(h.clock.pendingTimers()).toBe(0);
    h.engine.stopExecution(arn);
  });

  it('TimeoutSecondsPath and HeartbeatSecondsPath read the limits from the input', async () => {
    const h = harness(never);
    const arn = await h.start(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            TimeoutSecondsPath: '$.t',
            HeartbeatSecondsPath: '$.h',
            End: true,
          },
        },
      },
      { t: 100, h: 20 },
    );
    expect(h.history(arn).find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      timeoutInSeconds: 100,
      heartbeatInSeconds: 20,
    });
    await h.clock.advance(20_000);
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('a .sync-style runner keeps the task alive by calling ctx.heartbeat()', async () => {
    let ctxOf: TaskContext | undefined;
    const h = harness((_r, _i, ctx) => {
      ctxOf = ctx;
      return new Promise(() => undefined);
    });
    const arn = await h.start({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync', HeartbeatSeconds: 60, End: true },
      },
    });
    expect(ctxOf?.integrationPattern).toBe('sync');
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(59_000);
      ctxOf?.heartbeat();
    }
    expect(h.status(arn)).toBe('RUNNING');
    await h.clock.advance(60_000);
    expect(h.status(arn)).toBe('FAILED');
  });

  it('the execution TimeoutSeconds ends it TIMED_OUT with ExecutionTimedOut', async () => {
    const h = harness(never);
    const arn = await h.start({
      TimeoutSeconds: 30,
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 100, End: true } },
    });
    await h.clock.advance(29_999);
    expect(h.status(arn)).toBe('RUNNING');
    await h.clock.advance(1);
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(types(h.history(arn))).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('the execution timeout runs on a scaled clock too: 1 hour at speed 100000 is 36 ms', async () => {
    const engine = new StepFunctionsEngine({
      clock: createScaledClock({ speed: 100_000 }),
      schemaValidation: false,
      taskRunner: never,
    });
    const { executionArn } = engine.startExecution({
      stateMachine: stateMachine({
        TimeoutSeconds: 3600,
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
      }),
    });
    const result = await engine.waitForExecution(executionArn);
    expect(result.status).toBe('TIMED_OUT');
  });
});

describe('heartbeats', () => {
  it('HeartbeatSeconds without TimeoutSeconds waits as long as heartbeats keep coming', async () => {
    const h = harness();
    const arn = await h.start(callbackTask({ HeartbeatSeconds: 60 }), { orderId: 'o1' });
    const token = h.tokenOf(0);
    for (let i = 0; i < 30; i++) {
      await h.clock.advance(59_000);
      h.engine.sendTaskHeartbeat(token);
    }
    expect(h.status(arn)).toBe('RUNNING');
    h.engine.sendTaskSuccess(token, '{"done":true}');
    await h.clock.settle();
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
  });

  it('a missed heartbeat is States.Timeout (TaskTimedOut, no cause), failing the execution', async () => {
    const h = harness();
    const arn = await h.start(callbackTask({ HeartbeatSeconds: 5 }));
    await h.clock.advance(5_000);
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(h.history(arn))).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskTimedOut',
      'ExecutionFailed',
    ]);
    expect(h.history(arn)[5]?.taskTimedOutEventDetails).toEqual({
      resourceType: 'events',
      resource: 'putEvents.waitForTaskToken',
      error: 'States.Timeout',
    });
  });

  it.each([['States.HeartbeatTimeout'], ['States.Timeout'], ['States.ALL']])(
    'a Catch on %s catches a heartbeat timeout',
    async (errorName) => {
      const h = harness();
      const arn = await h.start(
        callbackTask(
          { HeartbeatSeconds: 5, Catch: [{ ErrorEquals: [errorName], ResultPath: '$.comment', Next: 'Timed out' }] },
          { 'Timed out': { Type: 'Pass', End: true } },
        ),
        { orderId: 'o1' },
      );
      await h.clock.advance(5_000);
      expect(h.engine.describeExecution(arn)).toMatchObject({
        status: 'SUCCEEDED',
        output: JSON.stringify({ orderId: 'o1', comment: { Error: 'States.Timeout' } }),
      });
    },
  );

  it('States.TaskFailed does not catch a timeout; States.HeartbeatTimeout does not catch a TimeoutSeconds timeout', async () => {
    const h = harness();
    const taskFailed = await h.start(
      callbackTask(
        { HeartbeatSeconds: 5, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'X' }] },
        { X: { Type: 'Succeed' } },
      ),
    );
    await h.clock.advance(5_000);
    expect(h.status(taskFailed)).toBe('FAILED');
    const heartbeatOnly = await h.start(
      callbackTask(
        { TimeoutSeconds: 5, Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'X' }] },
        { X: { Type: 'Succeed' } },
      ),
    );
    await h.clock.advance(5_000);
    expect(h.status(heartbeatOnly)).toBe('FAILED');
  });

  it('a Retry on States.Timeout reschedules the task with a new token', async () => {
    const h = harness();
    const arn = await h.start(
      callbackTask({
        HeartbeatSeconds: 5,
        Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
      }),
    );
    await h.clock.advance(5_000);
    await h.clock.advance(1_000);
    expect(h.calls).toHaveLength(2);
    expect(h.tokenOf(1)).not.toBe(h.tokenOf(0));
    expect(() => h.engine.sendTaskSuccess(h.tokenOf(0), '{}')).toThrow(
      expect.objectContaining({ code: 'TaskTimedOut' }),
    );
    h.engine.sendTaskSuccess(h.tokenOf(1), '"ok"');
    await h.clock.settle();
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '"ok"' });
  });
});

describe('callbacks (.waitForTaskToken)', () => {
  it('puts the token in $$.Task.Token, records TaskSubmitted, and completes on sendTaskSuccess', async () => {
    const h = harness();
    const arn = await h.start(callbackTask({ ResultPath: '$.barista' }), { orderId: 'o1' });
    expect(h.calls).toHaveLength(1);
    const token = h.tokenOf(0);
    expect(h.calls[0]?.ctx.integrationPattern).toBe('callback');
    expect(h.calls[0]?.input).toEqual({
      Entries: [{ Detail: { TaskToken: token, orderId: 'o1' }, DetailType: 'Test', Source: 'test' }],
    });
    expect(h.status(arn)).toBe('RUNNING');
    expect(h.engine.pendingTaskTokens).toBe(1);
    h.engine.sendTaskSuccess(token, JSON.stringify({ drink: 'latte' }));
    await h.clock.settle();
    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ orderId: 'o1', barista: { drink: 'latte' } }),
    });
    const history = h.history(arn);
    expect(types(history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history[4]?.taskSubmittedEventDetails).toEqual({
      resourceType: 'events',
      resource: 'putEvents.waitForTaskToken',
      output: '{"submitted":true}',
      outputDetails: { truncated: false },
    });
    expect(h.engine.pendingTaskTokens).toBe(0);
  });

  it('sendTaskFailure fails the task with the given error and cause, which Catch can handle', async () => {
    const h = harness();
    const arn = await h.start(
      callbackTask(
        { Catch: [{ ErrorEquals: ['Barista.Rejected'], Next: 'Rejected' }] },
        { Rejected: { Type: 'Pass', End: true } },
      ),
    );
    h.engine.sendTaskFailure(h.tokenOf(0), 'Barista.Rejected', 'no oat milk');
    await h.clock.settle();
    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ Error: 'Barista.Rejected', Cause: 'no oat milk' }),
    });
    expect(h.history(arn).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'events',
      resource: 'putEvents.waitForTaskToken',
      error: 'Barista.Rejected',
      cause: 'no oat milk',
    });
  });

  it('a callback that arrives before the runner returns still completes the task', async () => {
    const ref: { engine?: StepFunctionsEngine } = {};
    const h = harness(async (_r, _i, ctx) => {
      ref.engine?.sendTaskSuccess(ctx.taskToken ?? '', '{"fast":true}');
      return {};
    });
    ref.engine = h.engine;
    const arn = await h.start(callbackTask({}));
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"fast":true}' });
  });

  it('a runner failure fails the task without waiting for a callback', async () => {
    const h = harness(async () => Promise.reject(new TaskError('EventBridge.Throttled', 'slow down')));
    const arn = await h.start(callbackTask({}));
    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'FAILED',
      error: 'EventBridge.Throttled',
      cause: 'slow down',
    });
    expect(h.engine.pendingTaskTokens).toBe(0);
  });

  it('unknown tokens are InvalidToken; finished ones TaskTimedOut; bad output InvalidOutput', async () => {
    const h = harness();
    await h.start(callbackTask({}));
    const token = h.tokenOf(0);
    const apiError = (fn: () => void): SfnApiError => {
      try {
        fn();
      } catch (e) {
        return e as SfnApiError;
      }
      throw new Error('expected an error');
    };
    expect(apiError(() => h.engine.sendTaskSuccess('not-a-token', '{}'))).toMatchObject({
      code: 'InvalidToken',
      name: 'InvalidToken',
    });
    expect(apiError(() => h.engine.sendTaskHeartbeat(''))).toMatchObject({ code: 'InvalidToken' });
    expect(apiError(() => h.engine.sendTaskSuccess(token, '{not json'))).toMatchObject({ code: 'InvalidOutput' });
    h.engine.sendTaskSuccess(token, '{}');
    await h.clock.settle();
    const late = apiError(() => h.engine.sendTaskSuccess(token, '{}'));
    expect(late).toBeInstanceOf(SfnApiError);
    expect(late).toMatchObject({
      code: 'TaskTimedOut',
      message: "Task Timed Out: 'Provided task does not exist anymore'",
    });
    expect(apiError(() => h.engine.sendTaskFailure(token, 'E'))).toMatchObject({ code: 'TaskTimedOut' });
    expect(apiError(() => h.engine.sendTaskHeartbeat(token))).toMatchObject({ code: 'TaskTimedOut' });
  });

  it('stopping the execution invalidates its tokens and aborts the runner', async () => {
    const h = harness();
    const arn = await h.start(callbackTask({}));
    h.engine.stopExecution(arn, 'User.Cancelled', 'changed my mind');
    expect(h.engine.describeExecution(arn)).toMatchObject({
      status: 'ABORTED',
      error: 'User.Cancelled',
      cause: 'changed my mind',
    });
    expect(h.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(() => h.engine.sendTaskSuccess(h.tokenOf(0), '{}')).toThrow(
      expect.objectContaining({ code: 'TaskTimedOut' }),
    );
    const history = h.history(arn);
    expect(history[history.length - 1]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'User.Cancelled', cause: 'changed my mind' },
    });
  });

  it('callbacks inside Map iterations each get their own token', async () => {
    const h = harness();
    const arn = await h.start(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Ask',
              States: {
                Ask: {
                  Type: 'Task',
                  Resource: PUT_EVENTS_CALLBACK,
                  Parameters: { 'token.$': '$$.Task.Token', 'item.$': '$' },
                  End: true,
                },
              },
            },
            End: true,
          },
        },
      },
      ['a', 'b', 'c'],
    );
    expect(h.calls).toHaveLength(3);
    const byItem = new Map(h.calls.map((c) => [(c.input as { item: string }).item, c.ctx.taskToken ?? '']));
    expect(new Set(byItem.values()).size).toBe(3);
    for (const item of ['c', 'a', 'b'])
      h.engine.sendTaskSuccess(byItem.get(item) ?? '', JSON.stringify(item.toUpperCase()));
    await h.clock.settle();
    expect(h.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', output: '["A","B","C"]' });
  });
});

// Execution management on the engine object: ARNs, describe/list/stop, the duplicate-name rule,
// API errors, notifications for persistence, snapshots, and definition validation.
import { describe, it, expect } from '@jest/globals';
import {
  SfnApiError,
  StepFunctionsEngine,
  createManualClock,
  validateDefinition,
} from '../../../src/services/states/engine/index.js';
import type { EngineNotification, ExecutionSnapshot, TaskRunner } from '../../../src/services/states/engine/index.js';

const SM_ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:orders';
const waiting = {
  StartAt: 'W',
  States: { W: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
};
const callback = {
  StartAt: 'T',
  States: {
    T: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      Parameters: { 't.$': '$$.Task.Token' },
      End: true,
    },
  },
};

function setup(taskRunner: TaskRunner = async () => ({})) {
  const clock = createManualClock();
  const engine = new StepFunctionsEngine({ clock, taskRunner, schemaValidation: false });
  const sm = (definition: object = waiting, type: 'STANDARD' | 'EXPRESS' = 'STANDARD') => ({
    arn: SM_ARN,
    name: 'orders',
    definition: JSON.stringify(definition),
    type,
  });
  return { clock, engine, sm };
}

function apiError(fn: () => unknown): SfnApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SfnApiError) return e;
    throw e;
  }
  throw new Error('expected an SfnApiError');
}

describe('executions', () => {
  it('ARNs follow arn:aws:states:<region>:<account>:execution:<stateMachine>:<name>', () => {
    const { engine, sm } = setup();
    const { executionArn, startDate } = engine.startExecution({
      stateMachine: sm(),
      name: 'order-1',
      input: '{"a":1}',
    });
    expect(executionArn).toBe('arn:aws:states:eu-west-1:111122223333:execution:orders:order-1');
    expect(startDate).toBeInstanceOf(Date);
    expect(engine.describeExecution(executionArn)).toEqual({
      executionArn,
      stateMachineArn: SM_ARN,
      name: 'order-1',
      status: 'RUNNING',
      startDate,
      input: '{"a":1}',
      inputDetails: { included: true },
    });
    engine.shutdown();
  });

  it('a generated name is a UUID', () => {
    const { engine, sm } = setup();
    const { executionArn } = engine.startExecution({ stateMachine: sm() });
    expect(executionArn).toMatch(/:execution:orders:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(engine.describeExecution(executionArn).input).toBe('{}');
    engine.shutdown();
  });

  it('EXPRESS executions get express ARNs, and names may repeat', () => {
    const { engine, sm } = setup();
    const first = engine.startExecution({ stateMachine: sm(waiting, 'EXPRESS'), name: 'same' });
    const second = engine.startExecution({ stateMachine: sm(waiting, 'EXPRESS'), name: 'same' });
    expect(first.executionArn).toMatch(/^arn:aws:states:eu-west-1:111122223333:express:orders:same:[0-9a-f-]{36}$/);
    expect(second.executionArn).not.toBe(first.executionArn);
    engine.shutdown();
  });

  it('STANDARD duplicate names: same input while running is idempotent; otherwise ExecutionAlreadyExists', async () => {
    const { engine, sm, clock } = setup();
    const first = engine.startExecution({ stateMachine: sm(), name: 'dup', input: '{"a":1}' });
    expect(engine.startExecution({ stateMachine: sm(), name: 'dup', input: '{"a":1}' })).toEqual(first);
    const different = apiError(() => engine.startExecution({ stateMachine: sm(), name: 'dup', input: '{"a":2}' }));
    expect(different).toMatchObject({
      code: 'ExecutionAlreadyExists',
      message: `Execution Already Exists: '${first.executionArn}'`,
    });
    await clock.advance(60_000);
    expect(engine.describeExecution(first.executionArn).status).toBe('SUCCEEDED');
    expect(apiError(() => engine.startExecution({ stateMachine: sm(), name: 'dup', input: '{"a":1}' })).code).toBe(
      'ExecutionAlreadyExists',
    );
  });

  it('rejects invalid names, inputs, ARNs and unknown executions with the API error codes', () => {
    const { engine, sm } = setup();
    expect(apiError(() => engine.startExecution({ stateMachine: sm(), name: 'has space' })).code).toBe('InvalidName');
    expect(apiError(() => engine.startExecution({ stateMachine: sm(), name: 'x'.repeat(81) })).code).toBe(
      'InvalidName',
    );
    expect(apiError(() => engine.startExecution({ stateMachine: sm(), name: 'a:b' })).code).toBe('InvalidName');
    expect(apiError(() => engine.startExecution({ stateMachine: sm(), input: '{oops' })).code).toBe(
      'InvalidExecutionInput',
    );
    expect(apiError(() => engine.startExecution({ stateMachine: { ...sm(), arn: 'not-an-arn' } })).code).toBe(
      'InvalidArn',
    );
    expect(apiError(() => engine.describeExecution('nope')).code).toBe('InvalidArn');
    const missing = 'arn:aws:states:eu-west-1:111122223333:execution:orders:missing';
    expect(apiError(() => engine.describeExecution(missing))).toMatchObject({
      code: 'ExecutionDoesNotExist',
      message: `Execution Does Not Exist: '${missing}'`,
    });
    expect(apiError(() => engine.getExecutionHistory(missing)).code).toBe('ExecutionDoesNotExist');
    expect(apiError(() => engine.stopExecution(missing)).code).toBe('ExecutionDoesNotExist');
  });

  it('an invalid definition is InvalidDefinition naming the state and field', () => {
    const { engine } = setup();
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    const error = apiError(() =>
      engine.startExecution({ stateMachine: { arn: SM_ARN, name: 'orders', definition: broken } }),
    );
    expect(error.code).toBe('InvalidDefinition');
    expect(error.message).toContain("State 'A': Next 'Nowhere' does not exist");
  });

  it('listExecutions lists newest first, with an optional status filter', async () => {
    const { engine, sm, clock } = setup();
    const quick = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const a = engine.startExecution({ stateMachine: sm(quick), name: 'a' });
    await clock.advance(1000);
    const b = engine.startExecution({ stateMachine: sm(), name: 'b' });
    await clock.advance(1000);
    const all = engine.listExecutions(SM_ARN);
    expect(all.map((e) => e.name)).toEqual(['b', 'a']);
    expect(all[1]).toEqual({
      executionArn: a.executionArn,
      stateMachineArn: SM_ARN,
      name: 'a',
      status: 'SUCCEEDED',
      startDate: a.startDate,
      stopDate: expect.any(Date),
    });
    expect(engine.listExecutions(SM_ARN, 'RUNNING').map((e) => e.executionArn)).toEqual([b.executionArn]);
    expect(engine.listExecutions('arn:aws:states:eu-west-1:111122223333:stateMachine:other')).toEqual([]);
    engine.shutdown();
  });

  it('counts executions started by type and the states they entered', async () => {
    const { engine, sm, clock } = setup();
    const quick = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Q' }, Q: { Type: 'Pass', End: true } } };
    engine.startExecution({ stateMachine: sm(quick) });
    engine.startExecution({ stateMachine: sm(quick, 'EXPRESS') });
    engine.startExecution({ stateMachine: sm(quick, 'EXPRESS') });
    await clock.settle();
    expect(engine.stats()).toEqual({
      executionsStarted: { STANDARD: 1, EXPRESS: 2 },
      stateTransitions: 6,
      transitions: { STANDARD: 2, EXPRESS: 4 },
      expressDurationMs: expect.any(Number),
    });
    engine.shutdown();
  });

  it('keeps the newest closed executions up to retainClosed per type; running ones always stay', async () => {
    const clock = createManualClock();
    const engine = new StepFunctionsEngine({
      clock,
      taskRunner: async () => ({}),
      schemaValidation: false,
      retainClosed: { STANDARD: 3, EXPRESS: 1 },
    });
    const quick = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const standard = { arn: SM_ARN, name: 'orders', definition: JSON.stringify(quick) };
    const express = {
      arn: `${SM_ARN}-express`,
      name: 'orders-express',
      definition: JSON.stringify(quick),
      type: 'EXPRESS' as const,
    };
    const running = engine.startExecution({
      stateMachine: { ...standard, definition: JSON.stringify(waiting) },
      name: 'running',
    });
    const closed: string[] = [];
    const expressArns: string[] = [];
    for (let i = 0; i < 5; i++) {
      closed.push(engine.startExecution({ stateMachine: standard, name: `order-${i}` }).executionArn);
      expressArns.push(engine.startExecution({ stateMachine: express }).executionArn);
      await clock.advance(1000);
    }
    expect(engine.listExecutions(SM_ARN).map((e) => e.name)).toEqual(['order-4', 'order-3', 'order-2', 'running']);
    expect(apiError(() => engine.describeExecution(closed[0]!)).code).toBe('ExecutionDoesNotExist');
    expect(engine.describeExecution(closed[4]!).status).toBe('SUCCEEDED');
    expect(engine.listExecutions(express.arn).map((e) => e.executionArn)).toEqual([expressArns[4]]);
    // Closing the long-running one counts it too: the oldest closed goes.
    engine.stopExecution(running.executionArn);
    expect(engine.listExecutions(SM_ARN).map((e) => e.name)).toEqual(['order-4', 'order-3', 'running']);
    engine.shutdown();
  });

  it('stopExecution aborts a running execution at once; stopping it again changes nothing', async () => {
    const { engine, sm, clock } = setup();
    const { executionArn } = engine.startExecution({ stateMachine: sm() });
    await clock.settle();
    const { stopDate } = engine.stopExecution(executionArn, 'Manual', 'test');
    expect(engine.describeExecution(executionArn)).toMatchObject({
      status: 'ABORTED',
      error: 'Manual',
      cause: 'test',
      stopDate,
    });
    expect(engine.stopExecution(executionArn).stopDate).toEqual(stopDate);
    await clock.advance(120_000);
    const types = engine.getExecutionHistory(executionArn).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(engine.getExecutionHistory(executionArn, { reverseOrder: true })[0]?.type).toBe('ExecutionAborted');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('startSyncExecution resolves with the finished execution', async () => {
    const { engine, sm } = setup();
    const result = await engine.startSyncExecution({
      stateMachine: sm({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: 1 }, End: true } } }, 'EXPRESS'),
      input: {},
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":1}', stopDate: expect.any(Date) });
  });
});

describe('notifications and snapshots', () => {
  it('subscribers see every history event and every status change', async () => {
    const { engine, sm, clock } = setup();
    const seen: EngineNotification[] = [];
    const unsubscribe = engine.subscribe((n) => seen.push(n));
    const { executionArn } = engine.startExecution({
      stateMachine: sm({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
    });
    await clock.settle();
    unsubscribe();
    const events = seen
      .filter((n) => n.type === 'historyEvent')
      .map((n) => (n.type === 'historyEvent' ? n.event.type : ''));
    expect(events).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    const statuses = seen.flatMap((n) => (n.type === 'executionStatus' ? [n.execution.status] : []));
    expect(statuses).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(seen.every((n) => n.type !== 'historyEvent' || n.executionArn === executionArn)).toBe(true);
  });

  it('a closed execution survives a JSON round trip into another engine', async () => {
    const { engine, sm, clock } = setup();
    const { executionArn } = engine.startExecution({
      stateMachine: sm({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, End: true } } }),
      name: 'kept',
    });
    await clock.settle();
    const snapshot = JSON.parse(JSON.stringify(engine.exportExecutions())) as ExecutionSnapshot[];
    const restored = setup().engine;
    for (const s of snapshot) restored.importExecution(s);
    expect(restored.describeExecution(executionArn)).toEqual(engine.describeExecution(executionArn));
    expect(restored.getExecutionHistory(executionArn)).toEqual(engine.getExecutionHistory(executionArn));
    expect(restored.listExecutions(SM_ARN)).toHaveLength(1);
  });

  it('a running execution is failed on import, or restarted from its beginning', async () => {
    const { engine, sm, clock } = setup();
    const { executionArn } = engine.startExecution({ stateMachine: sm(callback), name: 'inflight', input: '{"n":1}' });
    await clock.settle();
    const snapshot = engine.exportExecution(executionArn);
    expect(snapshot.status).toBe('RUNNING');

    const failed = setup().engine;
    failed.importExecution(snapshot);
    expect(failed.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });

    const tokens: string[] = [];
    const again = setup(async (_r, input) => (tokens.push((input as { t: string }).t), {}));
    again.engine.importExecution(snapshot, { running: 'restart' });
    await again.clock.settle();
    expect(tokens).toHaveLength(1);
    again.engine.sendTaskSuccess(tokens[0] ?? '', '"done"');
    await again.clock.settle();
    expect(again.engine.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    expect(again.engine.getExecutionHistory(executionArn).filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    engine.shutdown();
  });
});

describe('validateDefinition', () => {
  it('accepts a valid definition (asl-validator schema included)', () => {
    const result = validateDefinition({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Retry: [{ ErrorEquals: ['States.ALL'] }],
          Next: 'S',
        },
        S: { Type: 'Succeed' },
      },
    });
    expect(result).toEqual({ valid: true, errors: [] });
  });

  it('reports schema errors from asl-validator', () => {
    const result = validateDefinition({ StartAt: 'A', States: { A: { Type: 'Nope', End: true } } });
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/SCHEMA_VALIDATION_FAILED/);
  });

  it.each<[string, object, string]>([
    [
      'a missing Next target',
      { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Bar' } } },
      "State 'A': Next 'Bar' does not exist",
    ],
    ['a missing StartAt', { StartAt: 'Z', States: { A: { Type: 'Succeed' } } }, "StartAt 'Z' does not exist"],
    [
      'a missing Default',
      {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'S' }], Default: 'Gone' },
          S: { Type: 'Succeed' },
        },
      },
      "State 'C': Default 'Gone' does not exist",
    ],
    [
      'a missing Catch target',
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }],
            End: true,
          },
        },
      },
      "State 'T': Catch[0].Next 'Gone' does not exist",
    ],
    [
      'States.ALL not in the last retrier',
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }],
            End: true,
          },
        },
      },
      "State 'T': Retry[0]: States.ALL must be in the last retrier",
    ],
    [
      'a target outside the branch',
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'In', States: { In: { Type: 'Pass', Next: 'Out' } } }],
            Next: 'Out',
          },
          Out: { Type: 'Succeed' },
        },
      },
      "State 'In': Next 'Out' does not exist (in Branches[0] of 'P')",
    ],
    [
      'a JSONata field in a JSONPath state',
      { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% 1 %}', End: true } } },
      "State 'A': the field 'Output' is only supported in JSONata states",
    ],
    [
      'a JSONPath field in a JSONata state',
      { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', InputPath: '$.a', End: true } } },
      "State 'A': the field 'InputPath' is not supported in JSONata states",
    ],
    [
      'a broken intrinsic function',
      { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'x.$': "States.Format('a'" }, End: true } } },
      "State 'A': Parameters.x.$",
    ],
    [
      'an invalid variable name',
      { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { '1x': 1 }, End: true } } },
      "State 'A': Assign: '1x' is not a valid variable name",
    ],
  ])('rejects %s', (_name, definition, message) => {
    const result = validateDefinition(definition, { schema: false });
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain(message);
  });

  it('reports unreachable states', () => {
    const result = validateDefinition(
      { StartAt: 'A', States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } } },
      { schema: false },
    );
    expect(result.errors).toContain("State 'B' is not reachable");
  });

  it('rejects text that is not JSON', () => {
    expect(validateDefinition('{').valid).toBe(false);
  });
});

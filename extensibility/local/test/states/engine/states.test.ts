// Conformance table for the ASL interpreter core: every state type, the JSONPath input/output
// pipeline, Choice operators, errors with Retry (backoff measured on the clock) and Catch,
// Parallel and Map, and the history events the service records.
import { describe, it, expect, jest } from '@jest/globals';
import { StepFunctionsEngine, TaskError, createScaledClock } from '../../../src/services/states/engine/index.js';
import type {
  EngineClock,
  EngineOptions,
  HistoryEvent,
  JsonValue,
  TaskContext,
  TaskRunner,
} from '../../../src/services/states/engine/index.js';

const ACCOUNT = '123456789012';
const LAMBDA = 'arn:aws:states:::lambda:invoke';

function stateMachine(definition: object, name = 'test') {
  return {
    arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`,
    name,
    definition: JSON.stringify(definition),
  };
}

interface RunResult {
  engine: StepFunctionsEngine;
  executionArn: string;
  status: string;
  output: unknown;
  error: string | undefined;
  cause: string | undefined;
  history: HistoryEvent[];
}

async function run(
  definition: object,
  input: JsonValue = {},
  options: Partial<EngineOptions> = {},
): Promise<RunResult> {
  const engine = new StepFunctionsEngine({
    speed: 1e6,
    schemaValidation: false,
    taskRunner: async () => ({}),
    ...options,
  });
  const { executionArn } = engine.startExecution({
    stateMachine: stateMachine(definition),
    input: JSON.stringify(input),
  });
  const d = await engine.waitForExecution(executionArn);
  return {
    engine,
    executionArn,
    status: d.status,
    output: d.output === undefined ? undefined : JSON.parse(d.output),
    error: d.error,
    cause: d.cause,
    history: engine.getExecutionHistory(executionArn),
  };
}

/** A fast scaled clock that also records every duration the engine asks it to wait. */
function recordingClock(speed = 1e6): { clock: EngineClock; delays: number[] } {
  const base = createScaledClock({ speed });
  const delays: number[] = [];
  return {
    delays,
    clock: { speed, now: () => base.now(), schedule: (ms, fn) => (delays.push(ms), base.schedule(ms, fn)) },
  };
}

const types = (history: HistoryEvent[]): string[] => history.map((e) => e.type);
const pass = (fields: object) => ({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...fields } } });
const task = (fields: object, extraStates: object = {}) => ({
  StartAt: 'T',
  States: { T: { Type: 'Task', Resource: LAMBDA, End: true, ...fields }, ...extraStates },
});

describe('Pass and the JSONPath input/output pipeline', () => {
  it.each<[string, object, JsonValue, unknown]>([
    ['passes its input through', {}, { x: 1 }, { x: 1 }],
    ['Result replaces the input', { Result: { a: 1 } }, { x: 1 }, { a: 1 }],
    ['ResultPath places the result in the input', { Result: 'r', ResultPath: '$.r' }, { x: 1 }, { x: 1, r: 'r' }],
    ['ResultPath creates missing objects', { Result: 1, ResultPath: '$.a.b.c' }, {}, { a: { b: { c: 1 } } }],
    [
      'ResultPath replaces an existing field',
      { Result: 2, ResultPath: '$.a' },
      { a: { old: true }, b: 1 },
      { a: 2, b: 1 },
    ],
    [
      'ResultPath into an array element',
      { Result: 'x', ResultPath: '$.list[1]' },
      { list: [1, 2] },
      { list: [1, 'x'] },
    ],
    ['ResultPath null discards the result', { Result: 1, ResultPath: null }, { x: 1 }, { x: 1 }],
    ['InputPath selects part of the input', { InputPath: '$.a' }, { a: { b: 1 } }, { b: 1 }],
    ['InputPath null gives {}', { InputPath: null }, { a: 1 }, {}],
    ['OutputPath selects part of the output', { OutputPath: '$.a.b' }, { a: { b: [1] } }, [1]],
    ['OutputPath null gives {}', { OutputPath: null }, { a: 1 }, {}],
    [
      'Parameters: paths, literals, nested objects, arrays and the context object',
      {
        Parameters: {
          'v.$': '$.a',
          fixed: 'x',
          nested: { 'w.$': '$.b[1]' },
          list: [{ 'z.$': '$.a' }],
          'name.$': '$$.State.Name',
        },
      },
      { a: 1, b: [5, 6] },
      { v: 1, fixed: 'x', nested: { w: 6 }, list: [{ z: 1 }], name: 'P' },
    ],
    [
      'InputPath, then Parameters, then ResultPath into the raw input',
      { InputPath: '$.in', Parameters: { 'doubled.$': '$.v' }, ResultPath: '$.out' },
      { in: { v: 2 }, keep: true },
      { in: { v: 2 }, keep: true, out: { doubled: 2 } },
    ],
    [
      'an indefinite path (wildcard, filter) gives an array',
      { Parameters: { 'names.$': '$.items[*].name', 'cheap.$': '$.items[?(@.price < 10)].name' } },
      {
        items: [
          { name: 'a', price: 5 },
          { name: 'b', price: 15 },
        ],
      },
      { names: ['a', 'b'], cheap: ['a'] },
    ],
    [
      'a deep scan gives an array',
      { Parameters: { 'all.$': '$..id' } },
      { a: { id: 1 }, b: [{ id: 2 }] },
      { all: [1, 2] },
    ],
    ['length() of an array', { Parameters: { 'n.$': '$.items.length()' } }, { items: [1, 2, 3] }, { n: 3 }],
    ['bracket notation', { Parameters: { 'v.$': "$['a b'].c" } }, { 'a b': { c: 1 } }, { v: 1 }],
  ])('%s', async (_name, fields, input, expected) => {
    const result = await run(pass(fields), input);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual(expected);
  });

  it('InputPath that matches nothing fails with States.Runtime and the service-style cause', async () => {
    const result = await run(pass({ InputPath: '$.missing.deep' }), { a: 1 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe(
      "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing.deep' : No results for path: $['missing']['deep']",
    );
  });

  it('a Parameters path that matches nothing fails with States.Runtime naming the field and the input', async () => {
    const result = await run(pass({ Parameters: { 'JobName.$': '$.JobName' } }), {});
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe(
      "An error occurred while executing the state 'P' (entered at the event id #2). The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'",
    );
  });

  it('a ResultPath that cannot be applied fails with States.ResultPathMatchFailure', async () => {
    const result = await run(pass({ Result: 1, ResultPath: '$.a.b' }), { a: 'text' });
    expect(result.error).toBe('States.ResultPathMatchFailure');
    expect(result.cause).toContain('Unable to apply step "b" to input "text"');
  });

  it('states never share data: a later ResultPath does not change an earlier output', async () => {
    const result = await run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: { n: 1 }, ResultPath: '$.first', Next: 'B' },
          B: { Type: 'Pass', Result: 2, ResultPath: '$.first.n', End: true },
        },
      },
      {},
    );
    const exitedA = result.history.find((e) => e.type === 'PassStateExited');
    expect(JSON.parse(exitedA?.stateExitedEventDetails?.output ?? 'null')).toEqual({ first: { n: 1 } });
    expect(result.output).toEqual({ first: { n: 2 } });
  });
});

describe('Task', () => {
  it('runs the resource with the effective input and applies ResultSelector, ResultPath and OutputPath', async () => {
    const calls: { resource: string; input: unknown; ctx: TaskContext }[] = [];
    const taskRunner: TaskRunner = async (resource, input, ctx) => {
      calls.push({ resource, input, ctx });
      return { Payload: { total: 7 }, StatusCode: 200 };
    };
    const result = await run(
      task({
        InputPath: '$.order',
        Parameters: { FunctionName: 'price', 'Payload.$': '$' },
        ResultSelector: { 'total.$': '$.Payload.total' },
        ResultPath: '$.price',
        OutputPath: '$.price',
      }),
      { order: { id: 'o1' } },
      { taskRunner },
    );
    expect(result.output).toEqual({ total: 7 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.resource).toBe(LAMBDA);
    expect(calls[0]?.input).toEqual({ FunctionName: 'price', Payload: { id: 'o1' } });
    expect(calls[0]?.ctx).toMatchObject({
      stateName: 'T',
      executionArn: result.executionArn,
      integrationPattern: 'request-response',
      region: 'us-east-1',
      accountId: ACCOUNT,
    });
    expect(calls[0]?.ctx.taskToken).toBeUndefined();
  });

  it('a TaskError fails the task with its error and cause', async () => {
    const result = await run(
      task({}),
      {},
      { taskRunner: async () => Promise.reject(new TaskError('Lambda.Unknown', 'boom')) },
    );
    expect(result.status).toBe('FAILED');
    expect([result.error, result.cause]).toEqual(['Lambda.Unknown', 'boom']);
    const failed = result.history.find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'Lambda.Unknown',
      cause: 'boom',
    });
  });

  it('any other thrown error becomes States.TaskFailed', async () => {
    const result = await run(task({}), {}, { taskRunner: async () => Promise.reject(new Error('network down')) });
    expect([result.error, result.cause]).toEqual(['States.TaskFailed', 'network down']);
  });

  it('the runner gets a copy: mutating it does not touch the execution data', async () => {
    const result = await run(
      task({ ResultPath: '$.r' }),
      { keep: { a: 1 } },
      {
        taskRunner: async (_r, input) => {
          (input as { keep: { a: number } }).keep.a = 99;
          return 'done';
        },
      },
    );
    expect(result.output).toEqual({ keep: { a: 1 }, r: 'done' });
  });
});

describe('Choice', () => {
  const choice = (rule: object) => ({
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  });
  const at = '2024-05-01T10:00:00Z';
  const later = '2024-05-01T10:00:00.500+00:00';
  it.each<[string, object, JsonValue, 'yes' | 'no']>([
    ['StringEquals', { Variable: '$.v', StringEquals: 'a' }, { v: 'a' }, 'yes'],
    ['StringEquals on a number is false', { Variable: '$.v', StringEquals: '1' }, { v: 1 }, 'no'],
    ['StringEqualsPath', { Variable: '$.v', StringEqualsPath: '$.w' }, { v: 'a', w: 'a' }, 'yes'],
    ['StringLessThan', { Variable: '$.v', StringLessThan: 'b' }, { v: 'a' }, 'yes'],
    ['StringLessThanPath', { Variable: '$.v', StringLessThanPath: '$.w' }, { v: 'b', w: 'a' }, 'no'],
    ['StringGreaterThan', { Variable: '$.v', StringGreaterThan: 'a' }, { v: 'b' }, 'yes'],
    ['StringGreaterThanPath', { Variable: '$.v', StringGreaterThanPath: '$.w' }, { v: 'b', w: 'a' }, 'yes'],
    ['StringLessThanEquals', { Variable: '$.v', StringLessThanEquals: 'a' }, { v: 'a' }, 'yes'],
    ['StringLessThanEqualsPath', { Variable: '$.v', StringLessThanEqualsPath: '$.w' }, { v: 'a', w: 'a' }, 'yes'],
    ['StringGreaterThanEquals', { Variable: '$.v', StringGreaterThanEquals: 'b' }, { v: 'a' }, 'no'],
    ['StringGreaterThanEqualsPath', { Variable: '$.v', StringGreaterThanEqualsPath: '$.w' }, { v: 'b', w: 'b' }, 'yes'],
    ['StringMatches with a wildcard', { Variable: '$.v', StringMatches: 'log-*.txt' }, { v: 'log-2024-05.txt' }, 'yes'],
    ['StringMatches with an escaped star', { Variable: '$.v', StringMatches: 'a\\*b' }, { v: 'a*b' }, 'yes'],
    ['StringMatches: an escaped star is literal', { Variable: '$.v', StringMatches: 'a\\*b' }, { v: 'axxb' }, 'no'],
    ['NumericEquals', { Variable: '$.v', NumericEquals: 3 }, { v: 3 }, 'yes'],
    ['NumericEquals on a string is false', { Variable: '$.v', NumericEquals: 3 }, { v: '3' }, 'no'],
    ['NumericEqualsPath', { Variable: '$.v', NumericEqualsPath: '$.w' }, { v: 3, w: 3 }, 'yes'],
    ['NumericLessThan', { Variable: '$.v', NumericLessThan: 3 }, { v: 2.5 }, 'yes'],
    ['NumericLessThanPath', { Variable: '$.v', NumericLessThanPath: '$.w' }, { v: 3, w: 3 }, 'no'],
    ['NumericGreaterThan', { Variable: '$.v', NumericGreaterThan: 3 }, { v: 4 }, 'yes'],
    ['NumericGreaterThanPath', { Variable: '$.v', NumericGreaterThanPath: '$.w' }, { v: 4, w: 3 }, 'yes'],
    ['NumericLessThanEquals', { Variable: '$.v', NumericLessThanEquals: 3 }, { v: 3 }, 'yes'],
    ['NumericLessThanEqualsPath', { Variable: '$.v', NumericLessThanEqualsPath: '$.w' }, { v: 4, w: 3 }, 'no'],
    ['NumericGreaterThanEquals', { Variable: '$.v', NumericGreaterThanEquals: 3 }, { v: 3 }, 'yes'],
    ['NumericGreaterThanEqualsPath', { Variable: '$.v', NumericGreaterThanEqualsPath: '$.w' }, { v: 3, w: 3 }, 'yes'],
    ['BooleanEquals', { Variable: '$.v', BooleanEquals: false }, { v: false }, 'yes'],
    ['BooleanEqualsPath', { Variable: '$.v', BooleanEqualsPath: '$.w' }, { v: true, w: false }, 'no'],
    [
      'TimestampEquals across offsets',
      { Variable: '$.v', TimestampEquals: '2024-05-01T12:00:00+02:00' },
      { v: at },
      'yes',
    ],
    ['TimestampEqualsPath', { Variable: '$.v', TimestampEqualsPath: '$.w' }, { v: at, w: at }, 'yes'],
    ['TimestampLessThan', { Variable: '$.v', TimestampLessThan: later }, { v: at }, 'yes'],
    ['TimestampLessThanPath', { Variable: '$.v', TimestampLessThanPath: '$.w' }, { v: later, w: at }, 'no'],
    ['TimestampGreaterThan', { Variable: '$.v', TimestampGreaterThan: at }, { v: later }, 'yes'],
    ['TimestampGreaterThanPath', { Variable: '$.v', TimestampGreaterThanPath: '$.w' }, { v: later, w: at }, 'yes'],
    ['TimestampLessThanEquals', { Variable: '$.v', TimestampLessThanEquals: at }, { v: at }, 'yes'],
    ['TimestampLessThanEqualsPath', { Variable: '$.v', TimestampLessThanEqualsPath: '$.w' }, { v: later, w: at }, 'no'],
    ['TimestampGreaterThanEquals', { Variable: '$.v', TimestampGreaterThanEquals: at }, { v: at }, 'yes'],
    [
      'TimestampGreaterThanEqualsPath',
      { Variable: '$.v', TimestampGreaterThanEqualsPath: '$.w' },
      { v: at, w: later },
      'no',
    ],
    ['a lowercase t is not a timestamp', { Variable: '$.v', TimestampEquals: at }, { v: '2024-05-01t10:00:00Z' }, 'no'],
    ['IsNull', { Variable: '$.v', IsNull: true }, { v: null }, 'yes'],
    ['IsNull false', { Variable: '$.v', IsNull: false }, { v: 0 }, 'yes'],
    ['IsPresent', { Variable: '$.v', IsPresent: true }, { v: null }, 'yes'],
    ['IsPresent false on a missing field', { Variable: '$.missing', IsPresent: false }, {}, 'yes'],
    ['IsNumeric', { Variable: '$.v', IsNumeric: true }, { v: 1.5 }, 'yes'],
    ['IsString', { Variable: '$.v', IsString: true }, { v: 1 }, 'no'],
    ['IsBoolean', { Variable: '$.v', IsBoolean: true }, { v: true }, 'yes'],
    ['IsTimestamp', { Variable: '$.v', IsTimestamp: true }, { v: at }, 'yes'],
    ['IsTimestamp on a date-only string', { Variable: '$.v', IsTimestamp: true }, { v: '2024-05-01' }, 'no'],
    [
      'And',
      {
        And: [
          { Variable: '$.a', NumericGreaterThan: 1 },
          { Variable: '$.b', StringEquals: 'x' },
        ],
      },
      { a: 2, b: 'x' },
      'yes',
    ],
    [
      'Or',
      {
        Or: [
          { Variable: '$.a', NumericGreaterThan: 5 },
          { Variable: '$.b', StringEquals: 'x' },
        ],
      },
      { a: 2, b: 'x' },
      'yes',
    ],
    ['Not', { Not: { Variable: '$.a', StringEquals: 'x' } }, { a: 'y' }, 'yes'],
    [
      'nested And/Or/Not',
      { And: [{ Not: { Variable: '$.a', IsNull: true } }, { Or: [{ Variable: '$.a', NumericEquals: 1 }] }] },
      { a: 1 },
      'yes',
    ],
    ['a Variable from the context object', { Variable: '$$.State.Name', StringEquals: 'C' }, {}, 'yes'],
  ])('%s', async (_name, rule, input, expected) => {
    const result = await run(choice(rule), input);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe(expected);
  });

  it('a Variable that points nowhere is a States.Runtime error', async () => {
    const result = await run(choice({ Variable: '$.nope', StringEquals: 'x' }), {});
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe(
      "An error occurred while executing the state 'C' (entered at the event id #2). Invalid path '$.nope': The choice state's condition path references an invalid value.",
    );
  });

  it('a *Path operand that points nowhere is a States.Runtime error too', async () => {
    const result = await run(choice({ Variable: '$.v', TimestampLessThanPath: '$.right' }), { v: at });
    expect(result.cause).toContain("Invalid path '$.right'");
  });

  it('no matching rule and no Default: States.NoChoiceMatched', async () => {
    const result = await run(
      {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.v', IsPresent: true, Next: 'S' }] },
          S: { Type: 'Succeed' },
        },
      },
      {},
    );
    expect(result.error).toBe('States.NoChoiceMatched');
  });

  it('InputPath and OutputPath apply; the first matching rule wins', async () => {
    const result = await run(
      {
        StartAt: 'C',
        States: {
          C: {
            Type: 'Choice',
            InputPath: '$.in',
            OutputPath: '$.keep',
            Choices: [
              { Variable: '$.n', NumericGreaterThan: 0, Next: 'First' },
              { Variable: '$.n', NumericGreaterThan: 1, Next: 'Second' },
            ],
          },
          First: { Type: 'Pass', Result: 'first', ResultPath: '$.which', End: true },
          Second: { Type: 'Pass', Result: 'second', ResultPath: '$.which', End: true },
        },
      },
      { in: { n: 5, keep: { k: 1 } } },
    );
    expect(result.output).toEqual({ k: 1, which: 'first' });
  });
});

describe('Wait, Succeed and Fail', () => {
  it.each<[string, object, JsonValue, number]>([
    ['Seconds', { Seconds: 10 }, {}, 10_000],
    ['SecondsPath', { SecondsPath: '$.s' }, { s: 90 }, 90_000],
  ])('Wait %s waits that long in machine time', async (_name, fields, input, expected) => {
    const { clock, delays } = recordingClock();
    const result = await run({ StartAt: 'W', States: { W: { Type: 'Wait', End: true, ...fields } } }, input, { clock });
    expect(result.status).toBe('SUCCEEDED');
    expect(delays).toEqual([expected]);
  });

  it('Wait Timestamp and TimestampPath wait until the wall-clock time; past timestamps do not wait', async () => {
    const { clock, delays } = recordingClock();
    const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
    const result = await run(
      {
        StartAt: 'W1',
        States: {
          W1: { Type: 'Wait', Timestamp: inOneHour, Next: 'W2' },
          W2: { Type: 'Wait', TimestampPath: '$.at', Next: 'W3' },
          W3: { Type: 'Wait', Timestamp: '2001-01-01T00:00:00Z', End: true },
        },
      },
      { at: inOneHour },
      { clock },
    );
    expect(result.status).toBe('SUCCEEDED');
    // Both waits target the same wall-clock instant: at speed 1e6 the first ends long before the
    // wall clock reaches it, so the second one waits (nearly) the full hour again.
    expect(delays).toHaveLength(2);
    for (const delay of delays) {
      expect(delay).toBeGreaterThan(3_590_000);
      expect(delay).toBeLessThanOrEqual(3_600_000);
    }
  });

  it('a one-hour Wait at speed 1e6 is a 3.6 ms timer, while EnteredTime stays wall time', async () => {
    // Fake setTimeout and Date only: the engine's own microtasks and the promises run as they do.
    const T0 = Date.parse('2030-01-01T08:00:00.000Z');
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'hrtime', 'performance'] });
    try {
      const engine = new StepFunctionsEngine({
        clock: createScaledClock({ speed: 1e6 }),
        schemaValidation: false,
        taskRunner: async () => ({}),
      });
      const definition = {
        StartAt: 'W',
        States: {
          W: { Type: 'Wait', Seconds: 3600, Next: 'P' },
          P: { Type: 'Pass', Parameters: { 'entered.$': '$$.State.EnteredTime' }, End: true },
        },
      };
      const { executionArn } = engine.startExecution({ stateMachine: stateMachine(definition) });
      await jest.advanceTimersByTimeAsync(2);
      expect(engine.describeExecution(executionArn).status).toBe('RUNNING');
      await jest.advanceTimersByTimeAsync(2);
      const done = engine.describeExecution(executionArn);
      expect(done.status).toBe('SUCCEEDED');
      // The machine saw the wall clock move by milliseconds, not by the hour it waited.
      const entered = Date.parse((JSON.parse(done.output!) as { entered: string }).entered);
      expect(entered).toBeGreaterThan(T0);
      expect(entered).toBeLessThanOrEqual(T0 + 4);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a SecondsPath that is not a number is a States.Runtime error', async () => {
    const result = await run(
      { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } },
      { s: 'soon' },
    );
    expect(result.error).toBe('States.Runtime');
  });

  it('Succeed applies InputPath and OutputPath and ends the execution', async () => {
    const result = await run(
      { StartAt: 'S', States: { S: { Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' } } },
      { a: { b: 42 } },
    );
    expect(result.output).toBe(42);
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('Fail with Error and Cause fails the execution', async () => {
    const result = await run({
      StartAt: 'F',
      States: { F: { Type: 'Fail', Error: 'Order.Rejected', Cause: 'out of beans' } },
    });
    expect([result.status, result.error, result.cause]).toEqual(['FAILED', 'Order.Rejected', 'out of beans']);
    expect(types(result.history)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(result.history[2]?.executionFailedEventDetails).toEqual({ error: 'Order.Rejected', cause: 'out of beans' });
  });

  it('Fail with ErrorPath and CausePath (a path and an intrinsic function)', async () => {
    const result = await run(
      {
        StartAt: 'F',
        States: { F: { Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('order {} failed', $.id)" } },
      },
      { code: 'E42', id: 7 },
    );
    expect([result.error, result.cause]).toEqual(['E42', 'order 7 failed']);
  });
});

describe('Retry', () => {
  function flaky(failures: number, error = 'Custom.Error'): { runner: TaskRunner; inputs: unknown[] } {
    const inputs: unknown[] = [];
    return {
      inputs,
      runner: async (_r, input) => {
        inputs.push(input);
        if (inputs.length <= failures) throw new TaskError(error, `attempt ${inputs.length}`);
        return { ok: true };
      },
    };
  }

  it('retries with IntervalSeconds * BackoffRate^n, and $$.State.RetryCount counts the retries', async () => {
    const { clock, delays } = recordingClock();
    const { runner, inputs } = flaky(3);
    const result = await run(
      task({
        Parameters: { 'retry.$': '$$.State.RetryCount' },
        Retry: [{ ErrorEquals: ['Custom.Error'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }],
      }),
      {},
      { clock, taskRunner: runner },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(delays).toEqual([2000, 6000, 18000]);
    expect(inputs).toEqual([{ retry: 0 }, { retry: 1 }, { retry: 2 }, { retry: 3 }]);
    expect(types(result.history).filter((t) => t.startsWith('Task'))).toEqual([
      'TaskStateEntered',
      ...Array<string[]>(3).fill(['TaskScheduled', 'TaskStarted', 'TaskFailed']).flat(),
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
  });

  it('defaults: IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3', async () => {
    const { clock, delays } = recordingClock();
    const { runner, inputs } = flaky(99);
    const result = await run(task({ Retry: [{ ErrorEquals: ['States.ALL'] }] }), {}, { clock, taskRunner: runner });
    expect(result.status).toBe('FAILED');
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(inputs).toHaveLength(4);
  });

  it('MaxDelaySeconds caps the interval; JitterStrategy FULL scales it by a random factor', async () => {
    const capped = recordingClock();
    await run(
      task({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 10, MaxDelaySeconds: 5 }] }),
      {},
      { clock: capped.clock, taskRunner: flaky(99).runner },
    );
    expect(capped.delays).toEqual([1000, 5000, 5000]);
    const jitter = recordingClock();
    await run(
      task({ Retry: [{ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL' }] }),
      {},
      { clock: jitter.clock, taskRunner: flaky(99).runner, random: () => 0.5 },
    );
    expect(jitter.delays).toEqual([500, 1000, 2000]);
  });

  it('MaxAttempts 0 never retries; the first matching retrier is the only one used', async () => {
    const none = flaky(99);
    await run(task({ Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }] }), {}, { taskRunner: none.runner });
    expect(none.inputs).toHaveLength(1);
    const first = flaky(99, 'A');
    await run(
      task({
        Retry: [
          { ErrorEquals: ['A'], MaxAttempts: 1 },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
        ],
      }),
      {},
      { taskRunner: first.runner },
    );
    expect(first.inputs).toHaveLength(2);
  });

  it('an unmatched error is not retried', async () => {
    const other = flaky(99, 'Other');
    const result = await run(task({ Retry: [{ ErrorEquals: ['Custom.Error'] }] }), {}, { taskRunner: other.runner });
    expect(other.inputs).toHaveLength(1);
    expect(result.error).toBe('Other');
  });

  it('States.Runtime is never retried nor caught, not even by States.ALL', async () => {
    const { runner, inputs } = flaky(0);
    const result = await run(
      task(
        {
          Parameters: { 'x.$': '$.missing' },
          Retry: [{ ErrorEquals: ['States.ALL'] }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
        },
        { Handled: { Type: 'Succeed' } },
      ),
      {},
      { taskRunner: runner },
    );
    expect(result.error).toBe('States.Runtime');
    expect(inputs).toHaveLength(0);
  });
});

describe('Catch', () => {
  const failing: TaskRunner = async () => Promise.reject(new TaskError('Order.Failed', 'no milk'));
  const withCatch = (catchers: object[]) =>
    task(
      { Catch: [{ ErrorEquals: ['Never.Raised'], Next: 'Other' }, ...catchers] },
      { Handler: { Type: 'Pass', End: true }, Other: { Type: 'Pass', Result: 'other', End: true } },
    );

  it('the default ResultPath makes the error output the state output', async () => {
    const result = await run(
      withCatch([{ ErrorEquals: ['Order.Failed'], Next: 'Handler' }]),
      { id: 1 },
      { taskRunner: failing },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ Error: 'Order.Failed', Cause: 'no milk' });
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('ResultPath puts the error output into the raw state input', async () => {
    const result = await run(
      withCatch([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handler' }]),
      { id: 1 },
      { taskRunner: failing },
    );
    expect(result.output).toEqual({ id: 1, error: { Error: 'Order.Failed', Cause: 'no milk' } });
  });

  it('catchers are tried in order; States.TaskFailed matches any error but a timeout', async () => {
    const result = await run(
      withCatch([
        { ErrorEquals: ['Something.Else'], Next: 'Other' },
        { ErrorEquals: ['States.TaskFailed'], Next: 'Handler' },
      ]),
      {},
      { taskRunner: failing },
    );
    expect(result.output).toEqual({ Error: 'Order.Failed', Cause: 'no milk' });
  });

  it('retries run out before the catcher takes over', async () => {
    let attempts = 0;
    const result = await run(
      task(
        {
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2, IntervalSeconds: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handler' }],
        },
        { Handler: { Type: 'Pass', End: true } },
      ),
      {},
      { taskRunner: async () => (attempts++, Promise.reject(new TaskError('X', 'y'))) },
    );
    expect(attempts).toBe(3);
    expect(result.output).toEqual({ err: { Error: 'X', Cause: 'y' } });
  });
});

describe('Parallel', () => {
  const branch = (result: JsonValue) => ({ StartAt: 'B', States: { B: { Type: 'Pass', Result: result, End: true } } });

  it('runs every branch on the effective input and outputs the array of branch outputs', async () => {
    const result = await run(
      {
        StartAt: 'Par',
        States: {
          Par: {
            Type: 'Parallel',
            Parameters: { 'n.$': '$.n' },
            Branches: [branch('a'), { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }],
            ResultSelector: { 'first.$': '$[0]', 'second.$': '$[1].n' },
            ResultPath: '$.par',
            End: true,
          },
        },
      },
      { n: 3 },
    );
    expect(result.output).toEqual({ n: 3, par: { first: 'a', second: 3 } });
    expect(types(result.history)).toEqual(
      expect.arrayContaining([
        'ParallelStateEntered',
        'ParallelStateStarted',
        'ParallelStateSucceeded',
        'ParallelStateExited',
      ]),
    );
  });

  it('a failing branch fails the Parallel state with its error (and Catch handles it)', async () => {
    const failingBranch = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Branch.Broke', Cause: 'c' } } };
    const failed = await run({
      StartAt: 'Par',
      States: { Par: { Type: 'Parallel', Branches: [branch(1), failingBranch], End: true } },
    });
    expect([failed.error, failed.cause]).toEqual(['Branch.Broke', 'c']);
    expect(types(failed.history)).toContain('ParallelStateFailed');
    const caught = await run({
      StartAt: 'Par',
      States: {
        Par: {
          Type: 'Parallel',
          Branches: [failingBranch],
          Catch: [{ ErrorEquals: ['Branch.Broke'], ResultPath: '$.e', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    });
    expect(caught.output).toEqual({ e: { Error: 'Branch.Broke', Cause: 'c' } });
  });

  it('a failing branch stops its siblings', async () => {
    const { clock } = recordingClock();
    const result = await run(
      {
        StartAt: 'Par',
        States: {
          Par: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Slow',
                States: { Slow: { Type: 'Wait', Seconds: 1000, Next: 'After' }, After: { Type: 'Pass', End: true } },
              },
              { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } },
            ],
            End: true,
          },
        },
      },
      {},
      { clock },
    );
    expect(result.error).toBe('E');
    expect(result.history.some((e) => e.stateEnteredEventDetails?.name === 'After')).toBe(false);
  });
});

describe('Map', () => {
  const processor = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: LAMBDA, End: true } } };

  it('ItemsPath, ItemSelector with $$.Map.Item, and the array of results', async () => {
    const result = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.orders',
            MaxConcurrency: 1,
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'order.$': '$$.Map.Item.Value', 'shop.$': '$.shop' },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Echo',
              States: { Echo: { Type: 'Pass', End: true } },
            },
            ResultPath: '$.results',
            End: true,
          },
        },
      },
      { shop: 's1', orders: ['a', 'b'] },
    );
    expect(result.output).toEqual({
      shop: 's1',
      orders: ['a', 'b'],
      results: [
        { index: 0, order: 'a', shop: 's1' },
        { index: 1, order: 'b', shop: 's1' },
      ],
    });
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.history[2]?.mapStateStartedEventDetails).toEqual({ length: 2 });
    expect(result.history[3]?.mapIterationStartedEventDetails).toEqual({ name: 'M', index: 0 });
  });

  it('the legacy Iterator and Parameters fields work too', async () => {
    const result = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            Parameters: { 'v.$': '$$.Map.Item.Value' },
            Iterator: { StartAt: 'E', States: { E: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      [1, 2],
    );
    expect(result.output).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it('MaxConcurrency bounds the iterations running at once (0 means no bound)', async () => {
    const measure = async (maxConcurrency: number): Promise<number> => {
      let running = 0;
      let peak = 0;
      const taskRunner: TaskRunner = async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        return null;
      };
      await run(
        {
          StartAt: 'M',
          States: { M: { Type: 'Map', MaxConcurrency: maxConcurrency, ItemProcessor: processor, End: true } },
        },
        [1, 2, 3, 4, 5, 6],
        { taskRunner },
      );
      return peak;
    };
    expect(await measure(2)).toBe(2);
    expect(await measure(0)).toBe(6);
  });

  it('an iteration failure fails the Map with that error', async () => {
    const result = await run(
      { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor, End: true } } },
      [1, 2, 3],
      {
        taskRunner: async (_r, input) => (input === 2 ? Promise.reject(new TaskError('Item.Bad', 'two')) : input),
      },
    );
    expect([result.error, result.cause]).toEqual(['Item.Bad', 'two']);
    expect(types(result.history)).toEqual(expect.arrayContaining(['MapIterationFailed', 'MapStateFailed']));
  });

  it('ToleratedFailureCount and ToleratedFailurePercentage: tolerated failures leave their error output; more fail with States.ExceedToleratedFailureThreshold', async () => {
    const taskRunner: TaskRunner = async (_r, input) =>
      (input as number) % 2 === 0 ? Promise.reject(new TaskError('Even', String(input))) : input;
    const map = (fields: object) => ({
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: processor, End: true, ...fields } },
    });
    const tolerated = await run(map({ ToleratedFailureCount: 2 }), [1, 2, 3, 4], { taskRunner });
    expect(tolerated.output).toEqual([1, { Error: 'Even', Cause: '2' }, 3, { Error: 'Even', Cause: '4' }]);
    const exceeded = await run(map({ ToleratedFailureCount: 1 }), [1, 2, 3, 4], { taskRunner });
    expect(exceeded.error).toBe('States.ExceedToleratedFailureThreshold');
    const byPercentage = await run(map({ ToleratedFailurePercentage: 50 }), [1, 2, 3, 4], { taskRunner });
    expect(byPercentage.status).toBe('SUCCEEDED');
    const overPercentage = await run(map({ ToleratedFailurePercentage: 25 }), [1, 2, 3, 4], { taskRunner });
    expect(overPercentage.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('ItemsPath must reference an array', async () => {
    const result = await run(
      { StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$.x', ItemProcessor: processor, End: true } } },
      { x: 'no' },
    );
    expect(result.error).toBe('States.Runtime');
  });
});

describe('history events', () => {
  it('record the AWS event types, ids, previousEventId chain and *EventDetails of a task', async () => {
    const result = await run(
      task(
        { Parameters: { 'Payload.$': '$' }, TimeoutSeconds: 30, Next: 'Done', End: undefined },
        { Done: { Type: 'Pass', End: true } },
      ),
      { a: 1 },
      {
        taskRunner: async () => ({ StatusCode: 200 }),
      },
    );
    const summary = result.history.map((e) => [e.id, e.previousEventId, e.type]);
    expect(summary).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 0, 'TaskStateEntered'],
      [3, 2, 'TaskScheduled'],
      [4, 3, 'TaskStarted'],
      [5, 4, 'TaskSucceeded'],
      [6, 5, 'TaskStateExited'],
      [7, 6, 'PassStateEntered'],
      [8, 7, 'PassStateExited'],
      [9, 8, 'ExecutionSucceeded'],
    ]);
    const [started, entered, scheduled, , succeeded, exited] = result.history;
    expect(started?.executionStartedEventDetails).toMatchObject({
      input: '{"a":1}',
      inputDetails: { truncated: false },
    });
    expect(started?.executionStartedEventDetails?.roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
    expect(entered?.stateEnteredEventDetails).toEqual({
      name: 'T',
      input: '{"a":1}',
      inputDetails: { truncated: false },
    });
    expect(scheduled?.taskScheduledEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      parameters: '{"Payload":{"a":1}}',
      timeoutInSeconds: 30,
    });
    expect(succeeded?.taskSucceededEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      output: '{"StatusCode":200}',
      outputDetails: { truncated: false },
    });
    expect(exited?.stateExitedEventDetails).toEqual({
      name: 'T',
      output: '{"StatusCode":200}',
      outputDetails: { truncated: false },
    });
    expect(result.history[8]?.executionSucceededEventDetails).toEqual({
      output: '{"StatusCode":200}',
      outputDetails: { truncated: false },
    });
    for (const event of result.history) expect(event.timestamp).toBeInstanceOf(Date);
  });

  it('a Lambda function ARN records LambdaFunction* events', async () => {
    const fn = 'arn:aws:lambda:us-east-1:123456789012:function:price';
    const result = await run(
      { StartAt: 'L', States: { L: { Type: 'Task', Resource: fn, End: true } } },
      { q: 1 },
      { taskRunner: async () => ({ price: 2 }) },
    );
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.history[2]?.lambdaFunctionScheduledEventDetails).toEqual({
      resource: fn,
      input: '{"q":1}',
      inputDetails: { truncated: false },
    });
  });

  it('service integration ARNs split into resourceType and resource', async () => {
    const result = await run(task({ Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem' }), {});
    expect(result.history[3]?.taskStartedEventDetails).toEqual({
      resourceType: 'aws-sdk:dynamodb',
      resource: 'getItem',
    });
  });

  it('Parallel branches chain their own previousEventId from ParallelStateStarted', async () => {
    const result = await run({
      StartAt: 'Par',
      States: {
        Par: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
      },
    });
    const startedId = result.history.find((e) => e.type === 'ParallelStateStarted')?.id;
    const branchEntries = result.history.filter((e) => e.type === 'PassStateEntered');
    expect(branchEntries.map((e) => e.previousEventId)).toEqual([startedId, startedId]);
  });
});

describe('the context object', () => {
  it('is rebuilt on every state entry with Execution, State and StateMachine', async () => {
    const result = await run(
      {
        StartAt: 'First',
        States: {
          First: { Type: 'Pass', Parameters: { 'ctx.$': '$$' }, ResultPath: '$.first', Next: 'Second' },
          Second: {
            Type: 'Pass',
            Parameters: { 'state.$': '$$.State.Name', 'retry.$': '$$.State.RetryCount' },
            ResultPath: '$.second',
            End: true,
          },
        },
      },
      { order: 1 },
    );
    const out = result.output as { first: { ctx: Record<string, Record<string, unknown>> }; second: unknown };
    expect(out.first.ctx.Execution).toEqual({
      Id: result.executionArn,
      Input: { order: 1 },
      Name: result.executionArn.split(':').pop(),
      RoleArn: expect.stringMatching(/^arn:aws:iam::/),
      StartTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      RedriveCount: 0,
    });
    expect(out.first.ctx.StateMachine).toEqual({
      Id: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:test`,
      Name: 'test',
    });
    expect(out.first.ctx.State).toEqual({ Name: 'First', EnteredTime: expect.stringMatching(/Z$/), RetryCount: 0 });
    expect(out.first.ctx.Task).toBeUndefined();
    expect(out.second).toEqual({ state: 'Second', retry: 0 });
  });
});

// QueryLanguage JSONata (top level and per state): Arguments, Output, Condition, Items, $states and
// {% %} templates; and workflow variables (Assign) with the service's scoping rules.
import { describe, it, expect } from '@jest/globals';
import { StepFunctionsEngine, TaskError, validateDefinition } from '../../../src/services/states/engine/index.js';
import type { HistoryEvent, JsonValue, TaskRunner } from '../../../src/services/states/engine/index.js';

const LAMBDA = 'arn:aws:states:::lambda:invoke';

async function run(definition: object, input: JsonValue = {}, taskRunner: TaskRunner = async () => ({})) {
  const engine = new StepFunctionsEngine({ speed: 1e6, schemaValidation: false, taskRunner });
  const { executionArn } = engine.startExecution({
    stateMachine: {
      arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:jsonata',
      name: 'jsonata',
      definition: JSON.stringify(definition),
    },
    input: JSON.stringify(input),
  });
  const d = await engine.waitForExecution(executionArn);
  const history: HistoryEvent[] = engine.getExecutionHistory(executionArn);
  return {
    status: d.status,
    output: d.output === undefined ? undefined : (JSON.parse(d.output) as unknown),
    error: d.error,
    cause: d.cause,
    history,
  };
}

const jsonata = (states: object, startAt = Object.keys(states)[0]) => ({
  QueryLanguage: 'JSONata',
  StartAt: startAt,
  States: states,
});

describe('JSONata states', () => {
  it('takes "" as a literal in Arguments and Output (the schema check as well)', async () => {
    const definition = jsonata({ P: { Type: 'Pass', Output: { action: '', nested: [''] }, End: true } });
    expect(validateDefinition(definition)).toEqual({ valid: true, errors: [] });
    expect((await run(definition)).output).toEqual({ action: '', nested: [''] });
  });

  it('Pass Output is a template of {% %} expressions over $states.input', async () => {
    const result = await run(
      jsonata({
        P: {
          Type: 'Pass',
          Output: { total: '{% $sum($states.input.items.price) %}', literal: 'x', list: ['{% $states.input.id %}', 2] },
          End: true,
        },
      }),
      {
        id: 'o1',
        items: [{ price: 2 }, { price: 3.5 }],
      },
    );
    expect(result.output).toEqual({ total: 5.5, literal: 'x', list: ['o1', 2] });
  });

  it('Task Arguments and Output see $states.input and $states.result', async () => {
    const calls: unknown[] = [];
    const result = await run(
      jsonata({
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Arguments: {
            FunctionName: 'price',
            Payload: { orderId: '{% $states.input.id %}', state: '{% $states.context.State.Name %}' },
          },
          Output: { id: '{% $states.input.id %}', price: '{% $states.result.Payload.price * 2 %}' },
          End: true,
        },
      }),
      { id: 'o7' },
      async (_r, input) => (calls.push(input), { Payload: { price: 4 } }),
    );
    expect(calls).toEqual([{ FunctionName: 'price', Payload: { orderId: 'o7', state: 'T' } }]);
    expect(result.output).toEqual({ id: 'o7', price: 8 });
  });

  it('Choice Condition picks the first true rule; rule Output applies', async () => {
    const definition = jsonata({
      C: {
        Type: 'Choice',
        Choices: [
          { Condition: '{% $states.input.size = "large" %}', Next: 'Large', Output: { cups: 2 } },
          { Condition: true, Next: 'Small' },
        ],
      },
      Large: { Type: 'Succeed' },
      Small: { Type: 'Pass', Output: 'small', End: true },
    });
    expect((await run(definition, { size: 'large' })).output).toEqual({ cups: 2 });
    expect((await run(definition, { size: 'tiny' })).output).toBe('small');
  });

  it('a Condition that is not a boolean is States.QueryEvaluationError', async () => {
    const result = await run(
      jsonata({ C: { Type: 'Choice', Choices: [{ Condition: '{% "yes" %}', Next: 'S' }] }, S: { Type: 'Succeed' } }),
    );
    expect(result.error).toBe('States.QueryEvaluationError');
  });

  it('Map Items and ItemSelector with $states.context.Map.Item', async () => {
    const result = await run(
      jsonata({
        M: {
          Type: 'Map',
          Items: '{% $states.input.orders %}',
          ItemSelector: {
            n: '{% $states.context.Map.Item.Index %}',
            v: '{% $states.context.Map.Item.Value %}',
            shop: '{% $states.input.shop %}',
          },
          ItemProcessor: { StartAt: 'E', States: { E: { Type: 'Pass', End: true } } },
          Output: '{% $states.result.v %}',
          End: true,
        },
      }),
      { shop: 's', orders: ['a', 'b'] },
    );
    expect(result.output).toEqual(['a', 'b']);
  });

  it('Parallel Arguments feed every branch', async () => {
    const result = await run(
      jsonata({
        Par: {
          Type: 'Parallel',
          Arguments: { n: '{% $states.input.n + 1 %}' },
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input.n * 10 %}', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
      }),
      { n: 1 },
    );
    expect(result.output).toEqual([20, { n: 2 }]);
  });

  it('Wait Seconds and Fail Error/Cause can be expressions', async () => {
    const waited = await run(
      jsonata({
        W: { Type: 'Wait', Seconds: '{% $states.input.s %}', Next: 'F' },
        F: {
          Type: 'Fail',
          Error: '{% "Order." & $states.input.why %}',
          Cause: '{% "waited " & $string($states.input.s) %}',
        },
      }),
      {
        s: 5,
        why: 'Late',
      },
    );
    expect([waited.error, waited.cause]).toEqual(['Order.Late', 'waited 5']);
  });

  it('Catch Output sees $states.errorOutput', async () => {
    const result = await run(
      jsonata({
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Catch: [
            {
              ErrorEquals: ['States.ALL'],
              Output: { failed: '{% $states.errorOutput.Error %}', id: '{% $states.input.id %}' },
              Next: 'Done',
            },
          ],
          End: true,
        },
        Done: { Type: 'Succeed' },
      }),
      { id: 3 },
      async () => Promise.reject(new TaskError('Boom', 'x')),
    );
    expect(result.output).toEqual({ failed: 'Boom', id: 3 });
  });

  it("the service's extra functions: $partition, $range, $hash, $parse, $uuid, $random", async () => {
    const result = await run(
      jsonata({
        P: {
          Type: 'Pass',
          Output: {
            partition: '{% $partition([1,2,3,4,5], 2) %}',
            range: '{% $range(0, 10, 5) %}',
            hash: '{% $hash("x", "SHA-256") %}',
            parsed: '{% $parse(\'{"a":[1]}\') %}',
            uuid: '{% $uuid() %}',
            random: '{% $random() %}',
          },
          End: true,
        },
      }),
    );
    const out = result.output as Record<string, unknown>;
    expect(out.partition).toEqual([[1, 2], [3, 4], [5]]);
    expect(out.range).toEqual([0, 5, 10]);
    expect(out.hash).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(out.parsed).toEqual({ a: [1] });
    expect(out.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof out.random).toBe('number');
  });

  it('an expression that errors is States.QueryEvaluationError, which Catch can handle', async () => {
    const failing = await run(jsonata({ P: { Type: 'Pass', Output: '{% $notAFunction() %}', End: true } }));
    expect(failing.error).toBe('States.QueryEvaluationError');
    const caught = await run(
      jsonata({
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Output: '{% $states.result.missing.deeper %}',
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Output: 'caught', End: true },
      }),
    );
    expect(caught.output).toBe('caught');
  });

  it('QueryLanguage per state mixes JSONPath and JSONata in one machine', async () => {
    const result = await run(
      {
        StartAt: 'Path',
        States: {
          Path: { Type: 'Pass', Parameters: { 'x.$': '$.a' }, Next: 'Ata' },
          Ata: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { y: '{% $states.input.x + 1 %}' }, End: true },
        },
      },
      { a: 1 },
    );
    expect(result.output).toEqual({ y: 2 });
  });
});

describe('variables (Assign)', () => {
  it('are visible in later states, in JSONata ($name) and in JSONPath ($name.path)', async () => {
    const result = await run(
      {
        StartAt: 'Set',
        States: {
          Set: {
            Type: 'Pass',
            QueryLanguage: 'JSONata',
            Assign: { order: '{% $states.input %}', count: 1 },
            Output: {},
            Next: 'UsePath',
          },
          UsePath: {
            Type: 'Pass',
            Parameters: { 'id.$': '$order.id', 'count.$': '$count', 'fmt.$': "States.Format('n={}', $count)" },
            Next: 'UseAta',
          },
          UseAta: {
            Type: 'Pass',
            QueryLanguage: 'JSONata',
            Output: { fromPath: '{% $states.input %}', total: '{% $count + $order.qty %}' },
            End: true,
          },
        },
      },
      { id: 'o1', qty: 2 },
    );
    expect(result.output).toEqual({ fromPath: { id: 'o1', count: 1, fmt: 'n=1' }, total: 3 });
    const exited = result.history.find((e) => e.type === 'PassStateExited');
    expect(exited?.stateExitedEventDetails?.assignedVariables).toEqual({ order: '{"id":"o1","qty":2}', count: '1' });
    expect(exited?.stateExitedEventDetails?.assignedVariablesDetails).toEqual({ truncated: false });
  });

  it('assignments of one state all see the values from before it; Output does not see them', async () => {
    const result = await run(
      jsonata({
        Init: { Type: 'Pass', Assign: { a: 1, b: 2 }, Next: 'Swap' },
        Swap: { Type: 'Pass', Assign: { a: '{% $b %}', b: '{% $a %}' }, Output: { aBefore: '{% $a %}' }, Next: 'Show' },
        Show: { Type: 'Pass', Output: { a: '{% $a %}', b: '{% $b %}', was: '{% $states.input.aBefore %}' }, End: true },
      }),
    );
    expect(result.output).toEqual({ a: 2, b: 1, was: 1 });
  });

  it('Task Assign sees $states.result; Catch Assign sees $states.errorOutput', async () => {
    const ok = await run(
      jsonata({
        T: { Type: 'Task', Resource: LAMBDA, Assign: { price: '{% $states.result.price %}' }, Next: 'Show' },
        Show: { Type: 'Pass', Output: '{% $price %}', End: true },
      }),
      {},
      async () => ({ price: 9 }),
    );
    expect(ok.output).toBe(9);
    const failed = await run(
      jsonata({
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { why: '{% $states.errorOutput.Cause %}' }, Next: 'Show' }],
          End: true,
        },
        Show: { Type: 'Pass', Output: '{% $why %}', End: true },
      }),
      {},
      async () => Promise.reject(new TaskError('E', 'because')),
    );
    expect(failed.output).toBe('because');
  });

  it('JSONPath Assign evaluates against the state result; Choice rules can assign', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: LAMBDA,
            ResultSelector: { 'p.$': '$.price' },
            Assign: { 'price.$': '$.p', fixed: 'yes' },
            ResultPath: null,
            Next: 'C',
          },
          C: {
            Type: 'Choice',
            Choices: [
              {
                Variable: '$price',
                NumericGreaterThan: 5,
                Assign: { 'band.$': "States.Format('high {}', $price)" },
                Next: 'Show',
              },
            ],
            Default: 'Show',
          },
          Show: {
            Type: 'Pass',
            Parameters: { 'price.$': '$price', 'fixed.$': '$fixed', 'band.$': '$band' },
            End: true,
          },
        },
      },
      {},
      async () => ({ price: 9 }),
    );
    expect(result.output).toEqual({ price: 9, fixed: 'yes', band: 'high 9' });
  });

  it('Map iterations and Parallel branches read outer variables; their own variables stay inside', async () => {
    const result = await run(
      jsonata({
        Set: { Type: 'Pass', Assign: { shop: 'north' }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: [1, 2],
          ItemProcessor: {
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Pass', Assign: { local: '{% $states.input * 10 %}' }, Next: 'Use' },
              Use: { Type: 'Pass', Output: '{% $shop & "-" & $string($local) %}', End: true },
            },
          },
          Next: 'After',
        },
        After: { Type: 'Pass', Output: { results: '{% $states.input %}', local: '{% $exists($local) %}' }, End: true },
      }),
    );
    expect(result.output).toEqual({ results: ['north-10', 'north-20'], local: false });
  });

  it('an inner scope may not assign to an outer variable', async () => {
    const result = await run(
      jsonata({
        Set: { Type: 'Pass', Assign: { total: 0 }, Next: 'Par' },
        Par: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { total: 1 }, End: true } } }],
          End: true,
        },
      }),
    );
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain("'total'");
  });

  it('a Map state can assign from its result', async () => {
    const result = await run(
      jsonata({
        M: {
          Type: 'Map',
          Items: [1, 2, 3],
          ItemProcessor: { StartAt: 'E', States: { E: { Type: 'Pass', End: true } } },
          Assign: { n: '{% $count($states.result) %}' },
          Next: 'Show',
        },
        Show: { Type: 'Pass', Output: '{% $n %}', End: true },
      }),
    );
    expect(result.output).toBe(3);
  });
});

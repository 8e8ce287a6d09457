// Where the local Step Functions matched AWS less than it should (issue 19, item 6), through the real
// path: CreateStateMachine and StartExecution with the SDK client against the running edge, and
// DescribeExecution for what AWS would record. Each case is a behaviour AWS's executions record.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let sfn: SFNClient;
const ROLE = 'arn:aws:iam::000000000000:role/sfn';

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  sfn = new SFNClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
});

afterAll(async () => {
  sfn.destroy();
  await cloud.close();
});

let machines = 0;

/** Creates a state machine (CreateStateMachine runs the definition checks) and returns its ARN. */
async function create(definition: object): Promise<string> {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: `Fidelity${++machines}`,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  return stateMachineArn!;
}

/** Creates the machine, runs one execution to its end and describes it. */
async function run(definition: object, input: unknown = {}) {
  const stateMachineArn = await create(definition);
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  await cloud.states.engine.waitForExecution(executionArn!);
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return {
    status: described.status,
    output: described.output === undefined ? undefined : (JSON.parse(described.output) as unknown),
    error: described.error,
    cause: described.cause,
  };
}

const pass = (parameters: object) => ({
  StartAt: 'P',
  States: { P: { Type: 'Pass', Parameters: parameters, End: true } },
});

const jsonata = (states: object) => ({ QueryLanguage: 'JSONata', StartAt: Object.keys(states)[0], States: states });

describe('intrinsic functions as AWS evaluates them', () => {
  it('States.StringToJson of an empty or blank string is null', async () => {
    const result = await run(
      pass({ 'empty.$': 'States.StringToJson($.empty)', 'blank.$': 'States.StringToJson($.blank)' }),
      {
        empty: '',
        blank: ' \t\n ',
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { empty: null, blank: null } });
  });

  it('States.Format renders an object as {Arg1=1, Arg2=[]} and an array as [1, b], not as JSON', async () => {
    const result = await run(
      pass({ 'text.$': "States.Format('args {} list {} n {} s {}', $.args, $.list, $.n, $.s)" }),
      {
        args: { Arg1: 1, Arg2: [] },
        list: [1, 'b', { c: null, d: true }],
        n: 2.5,
        s: 'plain',
      },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { text: 'args {Arg1=1, Arg2=[]} list [1, b, {c=null, d=true}] n 2.5 s plain' },
    });
  });
});

describe('JSONata as AWS evaluates it', () => {
  it('a result that is a sequence of one value is that value; [] keeps the array', async () => {
    const result = await run(
      jsonata({
        P: {
          Type: 'Pass',
          Output: {
            one: '{% $states.input.orders[status = "open"].id %}',
            kept: '{% $states.input.orders[status = "open"].id[] %}',
            many: '{% $states.input.orders.id %}',
          },
          End: true,
        },
      }),
      {
        orders: [
          { id: 'o1', status: 'open' },
          { id: 'o2', status: 'done' },
        ],
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { one: 'o1', kept: ['o1'], many: ['o1', 'o2'] } });
  });

  it('an Output field reading a variable no state assigned fails with States.QueryEvaluationError', async () => {
    const result = await run(jsonata({ P: { Type: 'Pass', Output: { value: '{% $doesNotExist %}' }, End: true } }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(result.cause).toContain("'$doesNotExist' is not defined");
  });

  it('a field missing from the input still leaves the Output field out, and $exists of a variable is no error', async () => {
    const result = await run(
      jsonata({
        P: { Type: 'Pass', Output: { gone: '{% $states.input.nope %}', known: '{% $exists($nope) %}' }, End: true },
      }),
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { known: false } });
  });
});

describe('definitions AWS accepts are accepted', () => {
  it('Assign takes literal arrays and objects of constants, nested', async () => {
    const result = await run(
      jsonata({
        A: {
          Type: 'Pass',
          Assign: { grid: [[1, 2], ['x']], mixed: [1, { b: [2] }, 'c', [3], null], empty: { list: [], map: {} } },
          Next: 'B',
        },
        B: { Type: 'Pass', Output: { grid: '{% $grid %}', mixed: '{% $mixed %}', empty: '{% $empty %}' }, End: true },
      }),
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { grid: [[1, 2], ['x']], mixed: [1, { b: [2] }, 'c', [3], null], empty: { list: [], map: {} } },
    });
  });

  it('a Choice Condition may be a constant true or false', async () => {
    const result = await run(
      jsonata({
        C: {
          Type: 'Choice',
          Choices: [
            { Condition: false, Next: 'No' },
            { Condition: true, Next: 'Yes' },
          ],
        },
        No: { Type: 'Pass', Output: 'no', End: true },
        Yes: { Type: 'Pass', Output: 'yes', End: true },
      }),
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'yes' });
  });

  it('an Output with escape sequences (a multi-line expression, newlines and tabs in strings) is accepted', async () => {
    const result = await run(
      jsonata({
        P: {
          Type: 'Pass',
          Output: {
            joined: "{% $join(['a', 'b'], '\\n') %}",
            multiline: '{%\n  $states.input.n\n    + 1\n%}',
            literal: 'tab\there\r\nquote " backslash \\',
          },
          End: true,
        },
      }),
      { n: 1 },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { joined: 'a\nb', multiline: 2, literal: 'tab\there\r\nquote " backslash \\' },
    });
  });

  it('an Output that is a literal string is accepted', async () => {
    expect(await run(jsonata({ P: { Type: 'Pass', Output: 'done', End: true } }))).toMatchObject({
      status: 'SUCCEEDED',
      output: 'done',
    });
  });

  it('an expression that is not JSONata is still refused at create, naming the state and field', async () => {
    await expect(
      create(jsonata({ P: { Type: 'Pass', Output: { total: '{% $sum( %}' }, End: true } })),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining("State 'P': Output.total:"),
    });
  });
});

describe('Map limits from variables', () => {
  const items = { StartAt: 'E', States: { E: { Type: 'Pass', End: true } } };

  it('MaxConcurrencyPath and the tolerated failure paths read variables, even numbers held as strings', async () => {
    const result = await run(
      {
        StartAt: 'Limits',
        States: {
          Limits: { Type: 'Pass', Assign: { concurrency: '2', percentage: '50', count: 1 }, Next: 'M' },
          M: {
            Type: 'Map',
            MaxConcurrencyPath: '$concurrency',
            ToleratedFailurePercentagePath: '$percentage',
            ToleratedFailureCountPath: '$count',
            ItemProcessor: items,
            End: true,
          },
        },
      },
      [1, 2, 3],
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: [1, 2, 3] });
  });

  it('the tolerated failures from a variable held as a string are applied', async () => {
    const failing = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$', NumericEquals: 2, Next: 'Boom' }],
          Default: 'Ok',
        },
        Boom: { Type: 'Fail', Error: 'Item.Failed' },
        Ok: { Type: 'Pass', End: true },
      },
    };
    const machine = (count: string) => ({
      StartAt: 'Limits',
      States: {
        Limits: { Type: 'Pass', Assign: { count }, Next: 'M' },
        M: { Type: 'Map', ToleratedFailureCountPath: '$count', ItemProcessor: failing, End: true },
      },
    });
    expect(await run(machine('1'), [1, 2, 3])).toMatchObject({ status: 'SUCCEEDED' });
    expect(await run(machine('0'), [1, 2, 3])).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
    });
  });

  it('a value that is not a number is States.Runtime, naming the field', async () => {
    const result = await run(
      {
        StartAt: 'Limits',
        States: {
          Limits: { Type: 'Pass', Assign: { concurrency: 'many' }, Next: 'M' },
          M: { Type: 'Map', MaxConcurrencyPath: '$concurrency', ItemProcessor: items, End: true },
        },
      },
      [1],
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).toContain("'MaxConcurrencyPath' at '$concurrency' must be a non-negative integer");
  });
});

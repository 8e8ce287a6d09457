// The 18 intrinsic functions, through a Pass state's Parameters as a machine would use them, with
// their argument rules: a wrong argument fails with States.IntrinsicFailure.
import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { StepFunctionsEngine } from '../../../src/services/states/engine/index.js';
import type { JsonValue } from '../../../src/services/states/engine/index.js';

async function evaluate(
  expression: string,
  input: JsonValue = {},
): Promise<{ status: string; value?: unknown; error?: string; cause?: string }> {
  const engine = new StepFunctionsEngine({ speed: 1e6, schemaValidation: false, taskRunner: async () => ({}) });
  const definition = {
    StartAt: 'P',
    States: { P: { Type: 'Pass', Parameters: { 'value.$': expression }, End: true } },
  };
  const { executionArn } = engine.startExecution({
    stateMachine: {
      arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:intrinsics',
      name: 'intrinsics',
      definition: JSON.stringify(definition),
    },
    input: JSON.stringify(input),
  });
  const d = await engine.waitForExecution(executionArn);
  const out = d.output === undefined ? {} : { value: (JSON.parse(d.output) as { value: unknown }).value };
  return { status: d.status, ...out, ...(d.error ? { error: d.error } : {}), ...(d.cause ? { cause: d.cause } : {}) };
}

describe('intrinsic functions', () => {
  it.each<[string, string, JsonValue, unknown]>([
    [
      'States.Format with literals and paths',
      "States.Format('Hello, my name is {}. I am {} and {}.', $.name, $.age, $.ok)",
      { name: 'Arnav', age: 3, ok: true },
      'Hello, my name is Arnav. I am 3 and true.',
    ],
    [
      'States.Format with a template from the input',
      'States.Format($.template, $.name)',
      { template: 'Hi {}!', name: 'Ana' },
      'Hi Ana!',
    ],
    [
      'States.Format with escaped characters',
      "States.Format('\\{\\} it\\'s {} \\\\o/', $.x)",
      { x: 1 },
      "{} it's 1 \\o/",
    ],
    ['States.StringToJson', 'States.StringToJson($.s)', { s: '{"foo":"bar","n":[1]}' }, { foo: 'bar', n: [1] }],
    ['States.JsonToString', 'States.JsonToString($.o)', { o: { foo: 'bar', n: [1] } }, '{"foo":"bar","n":[1]}'],
    ['States.Array', "States.Array('a', 1, $.x, true, null)", { x: { y: 2 } }, ['a', 1, { y: 2 }, true, null]],
    ['States.Array with no arguments', 'States.Array()', {}, []],
    [
      'States.ArrayPartition',
      'States.ArrayPartition($.a, 4)',
      { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
      [[1, 2, 3, 4], [5, 6, 7, 8], [9]],
    ],
    [
      'States.ArrayContains (deep equality)',
      'States.ArrayContains($.a, $.v)',
      { a: [1, { k: [2] }], v: { k: [2] } },
      true,
    ],
    ['States.ArrayContains when absent', 'States.ArrayContains($.a, 3)', { a: [1, 2] }, false],
    ['States.ArrayRange', 'States.ArrayRange(1, 9, 2)', {}, [1, 3, 5, 7, 9]],
    ['States.ArrayRange downwards', 'States.ArrayRange(5, 1, -2)', {}, [5, 3, 1]],
    ['States.ArrayRange that is empty', 'States.ArrayRange(5, 1, 1)', {}, []],
    ['States.ArrayGetItem', 'States.ArrayGetItem($.a, 1)', { a: ['x', 'y'] }, 'y'],
    ['States.ArrayLength', 'States.ArrayLength($.a)', { a: [1, 2, 3] }, 3],
    [
      'States.ArrayUnique',
      'States.ArrayUnique($.a)',
      { a: [1, 2, 3, 3, 3, 3, 3, 3, 4, { a: 1 }, { a: 1 }] },
      [1, 2, 3, 4, { a: 1 }],
    ],
    ['States.Base64Encode', 'States.Base64Encode($.s)', { s: 'Data to encode' }, 'RGF0YSB0byBlbmNvZGU='],
    ['States.Base64Decode', 'States.Base64Decode($.s)', { s: 'RGF0YSB0byBlbmNvZGU=' }, 'Data to encode'],
    [
      'States.Hash SHA-1',
      "States.Hash($.s, 'SHA-1')",
      { s: 'input data' },
      createHash('sha1').update('input data').digest('hex'),
    ],
    ['States.Hash MD5', 'States.Hash($.s, $.alg)', { s: 'x', alg: 'MD5' }, createHash('md5').update('x').digest('hex')],
    ['States.Hash SHA-512', "States.Hash('x', 'SHA-512')", {}, createHash('sha512').update('x').digest('hex')],
    [
      'States.JsonMerge (shallow)',
      'States.JsonMerge($.a, $.b, false)',
      { a: { x: 1, n: { p: 1 } }, b: { y: 2, n: { q: 2 } } },
      { x: 1, y: 2, n: { q: 2 } },
    ],
    ['States.MathAdd', 'States.MathAdd($.v, -3)', { v: 111 }, 108],
    ['States.MathAdd rounds non-integers', 'States.MathAdd(1.6, 1)', {}, 3],
    [
      'States.StringSplit on any delimiter character',
      'States.StringSplit($.s, $.d)',
      { s: 'This.is+a,test=string', d: '.+,=' },
      ['This', 'is', 'a', 'test', 'string'],
    ],
    ['States.StringSplit drops empty parts', "States.StringSplit('1,,2', ',')", {}, ['1', '2']],
    [
      'nested invocations',
      "States.Format('{}-{}', States.ArrayGetItem(States.StringSplit($.arn, ':'), 5), States.ArrayLength(States.Array(1, 2)))",
      { arn: 'arn:aws:states:us-east-1:1:stateMachine:x' },
      'stateMachine-2',
    ],
    ['a context object argument', 'States.Format($$.State.Name)', {}, 'P'],
    ['a path with brackets', "States.ArrayGetItem($.a['b c'], 0)", { a: { 'b c': [7] } }, 7],
  ])('%s', async (_name, expression, input, expected) => {
    const result = await evaluate(expression, input);
    expect(result).toEqual({ status: 'SUCCEEDED', value: expected });
  });

  it('States.MathRandom stays within its range and repeats with a seed', async () => {
    for (let i = 0; i < 5; i++) {
      const value = (await evaluate('States.MathRandom($.start, $.end)', { start: 1, end: 3 })).value as number;
      expect(Number.isInteger(value) && value >= 1 && value <= 3).toBe(true);
    }
    const seeded = await Promise.all([
      evaluate('States.MathRandom(1, 1000, 42)'),
      evaluate('States.MathRandom(1, 1000, 42)'),
    ]);
    expect(seeded[0].value).toBe(seeded[1].value);
  });

  it('States.UUID returns a v4 UUID', async () => {
    expect((await evaluate('States.UUID()')).value).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it.each<[string, string, JsonValue, string]>([
    ['too few Format values', "States.Format('{} {}', 1)", {}, 'placeholder'],
    ['a non-string StringToJson argument', 'States.StringToJson($.n)', { n: 1 }, 'to be a string'],
    ['unparseable JSON', 'States.StringToJson($.s)', { s: '{nope' }, 'could not parse'],
    ['a chunk size of 0', 'States.ArrayPartition($.a, 0)', { a: [1] }, 'positive integer'],
    ['a non-array ArrayLength argument', 'States.ArrayLength($.a)', { a: 'x' }, 'to be an array'],
    ['an ArrayRange of more than 1000 items', 'States.ArrayRange(1, 2000, 1)', {}, '1000'],
    ['an ArrayRange step of 0', 'States.ArrayRange(1, 2, 0)', {}, 'non-zero'],
    ['an index out of bounds', 'States.ArrayGetItem($.a, 5)', { a: [1] }, 'out of bounds'],
    ['an unknown hash algorithm', "States.Hash('x', 'SHA-3')", {}, 'does not support'],
    ['a deep JsonMerge', 'States.JsonMerge($.a, $.a, true)', { a: {} }, 'shallow'],
    ['a MathAdd overflow', 'States.MathAdd(2147483647, 1)', {}, '32-bit'],
    ['too many arguments', 'States.UUID(1)', {}, 'expects 0'],
    ['an unknown function', 'States.Nope(1)', {}, 'Unknown intrinsic function'],
    ['a path that matches nothing', 'States.ArrayLength($.missing)', {}, "'$.missing'"],
    ['invalid base64', "States.Base64Decode('@@@')", {}, 'invalid base64'],
    ['an input over 10000 characters', 'States.Base64Encode($.s)', { s: 'x'.repeat(10_001) }, '10000'],
  ])('fails with States.IntrinsicFailure on %s', async (_name, expression, input, causePart) => {
    const result = await evaluate(expression, input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.IntrinsicFailure');
    expect(result.cause).toContain(causePart);
  });

  it('an intrinsic failure can be caught', async () => {
    const engine = new StepFunctionsEngine({ speed: 1e6, schemaValidation: false, taskRunner: async () => ({}) });
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { 'x.$': 'States.ArrayLength($.s)' },
          Catch: [{ ErrorEquals: ['States.IntrinsicFailure'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
      },
    };
    const { executionArn } = engine.startExecution({
      stateMachine: {
        arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:i',
        name: 'i',
        definition: JSON.stringify(definition),
      },
      input: '{"s":"not an array"}',
    });
    expect(await engine.waitForExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '"caught"' });
  });
});

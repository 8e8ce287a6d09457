// The pure functions behind the engine's AWS fidelity (issue 19, item 6): States.Format's rendering,
// JSONata results as JSON (singleton sequences), the variables an expression reads, the numbers a
// Map's limit paths select, and the definition checks that must not be stricter than AWS's.
import { describe, expect, it } from '@jest/globals';
import jsonata from 'jsonata';
import { formatArgument } from '../../../src/services/states/engine/intrinsics.js';
import { freeVariables, jsonataResultToJson } from '../../../src/services/states/engine/jsonata.js';
import { mapLimitValue } from '../../../src/services/states/engine/map-state.js';
import { validateDefinition } from '../../../src/services/states/engine/index.js';

/** An array marked as jsonata marks its sequences. */
function sequence(items: unknown[], keepSingleton = false): unknown[] {
  return Object.assign([...items], { sequence: true }, keepSingleton ? { keepSingleton: true } : {});
}

describe('formatArgument (States.Format)', () => {
  it.each<[unknown, string]>([
    ['text', 'text'],
    [3, '3'],
    [2.5, '2.5'],
    [true, 'true'],
    [null, 'null'],
    [{ Arg1: 1, Arg2: [] }, '{Arg1=1, Arg2=[]}'],
    [[1, 'b', null], '[1, b, null]'],
    [{ a: { b: ['c', { d: false }] } }, '{a={b=[c, {d=false}]}}'],
    [{}, '{}'],
    [[], '[]'],
  ])('%j renders as %s', (value, rendered) => {
    expect(formatArgument(value as never)).toBe(rendered);
  });
});

describe('jsonataResultToJson', () => {
  it('a sequence of one value is that value, inside objects and arrays too', () => {
    expect(jsonataResultToJson(sequence([1]), 'e', 'Output')).toBe(1);
    expect(jsonataResultToJson({ a: sequence([{ b: sequence(['x']) }]) }, 'e', 'Output')).toEqual({ a: { b: 'x' } });
    expect(jsonataResultToJson([sequence([1]), 2], 'e', 'Output')).toEqual([1, 2]);
  });

  it('a kept singleton, a longer sequence and a plain array stay arrays; an empty sequence is nothing', () => {
    expect(jsonataResultToJson(sequence([1], true), 'e', 'Output')).toEqual([1]);
    expect(jsonataResultToJson(sequence([1, 2]), 'e', 'Output')).toEqual([1, 2]);
    expect(jsonataResultToJson([1], 'e', 'Output')).toEqual([1]);
    expect(jsonataResultToJson(sequence([]), 'e', 'Output')).toBeUndefined();
    expect(jsonataResultToJson({ a: sequence([]) }, 'e', 'Output')).toEqual({});
  });
});

describe('freeVariables', () => {
  it.each<[string, string[]]>([
    ['$x', ['x']],
    ['$', []],
    ['$$.a', []],
    ['$states.input.a + $total', ['states', 'total']],
    ['($y := 1; $y + $z)', ['z']],
    ['function($a){$a + $b}', ['b']],
    ['$map($list, function($v, $i){$v * $i})', ['map', 'list']],
    ['items@$o#$i.($o.n + $i)', []],
  ])('%s reads %j', (expression, names) => {
    expect(freeVariables(jsonata(expression).ast()).sort()).toEqual([...names].sort());
  });
});

describe('mapLimitValue', () => {
  it.each<[unknown, boolean, number | undefined]>([
    [2, false, 2],
    ['2', false, 2],
    [' 3 ', false, 3],
    ['2.5', false, undefined],
    ['many', false, undefined],
    ['', false, undefined],
    [-1, false, undefined],
    [null, false, undefined],
    ['12.5', true, 12.5],
    [100, true, 100],
    ['101', true, undefined],
  ])('%j (percentage %s) is %j', (value, percentage, expected) => {
    expect(mapLimitValue(value as never, percentage)).toBe(expected);
  });
});

describe('validateDefinition is never stricter than AWS', () => {
  const machine = (state: object) => ({
    QueryLanguage: 'JSONata',
    StartAt: 'P',
    States: { P: { End: true, ...state } },
  });

  it.each<[string, object]>([
    ['nested literal arrays in Assign', machine({ Type: 'Pass', Assign: { a: [[1, 2], ['x']], b: [1, { c: [3] }] } })],
    ['a multi-line expression in Assign', machine({ Type: 'Pass', Assign: { a: '{%\n1 + 1\n%}' } })],
    ['a literal string Output', machine({ Type: 'Pass', Output: 'done' })],
    ['a literal number Output', machine({ Type: 'Pass', Output: 42 })],
    ['an array Output', machine({ Type: 'Pass', Output: [1, '{% 2 %}'] })],
    [
      'newlines and tabs in Output strings',
      machine({ Type: 'Pass', Output: { s: 'a\tb', t: ['x\ny'], u: "{% 'a\nb' %}" } }),
    ],
    [
      'newlines in Arguments',
      machine({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { FunctionName: 'f', Payload: 'a\r\nb' },
      }),
    ],
    [
      'a constant Condition',
      {
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Condition: true, Next: 'S' }], Default: 'S' },
          S: { Type: 'Succeed' },
        },
      },
    ],
  ])('accepts %s', (_what, definition) => {
    expect(validateDefinition(definition)).toEqual({ valid: true, errors: [] });
  });

  it('still refuses what is not JSONata, naming the state and the field', () => {
    expect(validateDefinition(machine({ Type: 'Pass', Assign: { a: { b: ['{% 1 + %}'] } } })).errors).toEqual([
      expect.stringMatching(/^State 'P': Assign\.a\.b\[0\]: "\{% 1 \+ %\}" is not a valid JSONata expression/),
    ]);
    expect(
      validateDefinition({
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: { C: { Type: 'Choice', Choices: [{ Condition: 'yes', Next: 'S' }] }, S: { Type: 'Succeed' } },
      }).valid,
    ).toBe(false);
  });
});

// Choice rules of JSONPath states: every comparison operator (and its *Path form), And/Or/Not and
// the Is* type tests. A comparison with a value of the wrong type is simply false; a Variable (or a
// *Path operand) that points nowhere is a States.Runtime error, except under IsPresent.

import { StatesError, StatesErrorName } from './errors.js';
import { resolvePath } from './paths.js';
import type { PathEnv } from './paths.js';
import type { ChoiceRuleDef, JsonValue } from './types.js';

// RFC 3339 with an uppercase T and Z (or an offset), as the service requires.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an RFC 3339 timestamp, or undefined when it isn't one. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIMESTAMP.exec(value);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** StringMatches: "*" matches any run of characters, "\*" a literal star, "\\" a backslash. */
function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[i + 1]}`;
      i++;
    } else if (ch === '*') {
      source += '[\\s\\S]*';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

const patterns = new Map<string, RegExp>();

type Comparator = (left: JsonValue, right: JsonValue) => boolean;

const stringCompare =
  (test: (a: string, b: string) => boolean): Comparator =>
  (a, b) =>
    typeof a === 'string' && typeof b === 'string' && test(a, b);
const numericCompare =
  (test: (a: number, b: number) => boolean): Comparator =>
  (a, b) =>
    typeof a === 'number' && typeof b === 'number' && test(a, b);
const timestampCompare =
  (test: (a: number, b: number) => boolean): Comparator =>
  (a, b) => {
    const left = parseTimestamp(a);
    const right = parseTimestamp(b);
    return left !== undefined && right !== undefined && test(left, right);
  };

const COMPARATORS: Record<string, Comparator> = {
  StringEquals: stringCompare((a, b) => a === b),
  StringLessThan: stringCompare((a, b) => a < b),
  StringGreaterThan: stringCompare((a, b) => a > b),
  StringLessThanEquals: stringCompare((a, b) => a <= b),
  StringGreaterThanEquals: stringCompare((a, b) => a >= b),
  StringMatches: stringCompare((a, b) => {
    let re = patterns.get(b);
    if (!re) {
      re = wildcardToRegExp(b);
      patterns.set(b, re);
    }
    return re.test(a);
  }),
  NumericEquals: numericCompare((a, b) => a === b),
  NumericLessThan: numericCompare((a, b) => a < b),
  NumericGreaterThan: numericCompare((a, b) => a > b),
  NumericLessThanEquals: numericCompare((a, b) => a <= b),
  NumericGreaterThanEquals: numericCompare((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && a === b,
  TimestampEquals: timestampCompare((a, b) => a === b),
  TimestampLessThan: timestampCompare((a, b) => a < b),
  TimestampGreaterThan: timestampCompare((a, b) => a > b),
  TimestampLessThanEquals: timestampCompare((a, b) => a <= b),
  TimestampGreaterThanEquals: timestampCompare((a, b) => a >= b),
};

const TYPE_TESTS: Record<string, (value: JsonValue) => boolean> = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => parseTimestamp(v) !== undefined,
};

/** Every comparison operator name a rule may carry (for validation). */
export const CHOICE_OPERATORS: readonly string[] = [
  ...Object.keys(COMPARATORS).flatMap((op) => (op === 'StringMatches' ? [op] : [op, `${op}Path`])),
  ...Object.keys(TYPE_TESTS),
  'IsPresent',
];

function invalidConditionPath(path: string): StatesError {
  return new StatesError(
    StatesErrorName.Runtime,
    `Invalid path '${path}': The choice state's condition path references an invalid value.`,
  );
}

function findOperator(rule: ChoiceRuleDef): string | undefined {
  for (const key of Object.keys(rule)) {
    if (key in COMPARATORS || key in TYPE_TESTS || key === 'IsPresent') return key;
    if (key.endsWith('Path') && key.slice(0, -4) in COMPARATORS) return key;
  }
  return undefined;
}

/** Evaluates one rule (or nested clause) of a JSONPath Choice state against the state's input. */
export function evaluateChoiceRule(rule: ChoiceRuleDef, input: JsonValue, env: PathEnv): boolean {
  if (rule.And) return rule.And.every((clause) => evaluateChoiceRule(clause, input, env));
  if (rule.Or) return rule.Or.some((clause) => evaluateChoiceRule(clause, input, env));
  if (rule.Not) return !evaluateChoiceRule(rule.Not, input, env);
  const operator = findOperator(rule);
  if (operator === undefined || typeof rule.Variable !== 'string') {
    throw new StatesError(
      StatesErrorName.Runtime,
      `Invalid choice rule ${JSON.stringify(rule)}: it needs a Variable and a comparison operator`,
    );
  }
  const operand = rule[operator] as JsonValue;
  const variable = resolvePath(rule.Variable, input, env);
  if (operator === 'IsPresent') return variable.found === (operand === true);
  if (!variable.found) throw invalidConditionPath(rule.Variable);
  const typeTest = TYPE_TESTS[operator];
  if (typeTest) return typeTest(variable.value) === (operand === true);
  if (operator in COMPARATORS) return (COMPARATORS[operator] as Comparator)(variable.value, operand);
  // A *Path operator: the right-hand side is read from the input (or context, or a variable) too.
  if (typeof operand !== 'string') throw invalidConditionPath(String(operand));
  const other = resolvePath(operand, input, env);
  if (!other.found) throw invalidConditionPath(operand);
  return (COMPARATORS[operator.slice(0, -4)] as Comparator)(variable.value, other.value);
}

// IAM condition operators, as AWS documents them ("IAM JSON policy elements: Condition operators"
// and "Conditions with multiple context keys or values"): operators AND, keys AND, a key's values
// OR (NOR for a negated operator); a key missing from the request makes a condition false, a
// negated one true, except ...IfExists (true when missing) and Null (tests presence).
import { globRegExp } from './glob.js';

/** The request context: condition key (lower case) to its value(s). A multivalued key is an array. */
export type ConditionValue = string | number | boolean | readonly string[];
export type ConditionContext = Readonly<Record<string, ConditionValue | undefined>>;

type Compare = (requestValue: string, policyValue: string) => boolean;

const numeric = (f: (a: number, b: number) => boolean): Compare => {
  return (a, b) => {
    const x = Number(a);
    const y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) && f(x, y);
  };
};
const date = (f: (a: number, b: number) => boolean): Compare => {
  const time = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));
  return (a, b) => {
    const x = time(a);
    const y = time(b);
    return Number.isFinite(x) && Number.isFinite(y) && f(x, y);
  };
};
const like: Compare = (a, b) => globRegExp(b, false).test(a);

/** An ARN compared segment by segment (partition, service, region, account, resource), the last keeping its colons. */
function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(1, 5), parts.slice(5).join(':')];
}
const arnLike: Compare = (a, b) => {
  if (b === '*') return true;
  const request = arnSegments(a);
  const policy = arnSegments(b);
  if (!request || !policy) return false;
  return policy.every((p, i) => globRegExp(p, false).test(request[i] ?? ''));
};

/** The base operators (without IfExists / set prefixes): how one request value meets one policy value, and whether negated. */
const OPERATORS: Readonly<Record<string, { compare: Compare; negated: boolean }>> = {
  StringEquals: { compare: (a, b) => a === b, negated: false },
  StringNotEquals: { compare: (a, b) => a === b, negated: true },
  StringEqualsIgnoreCase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: true },
  StringLike: { compare: like, negated: false },
  StringNotLike: { compare: like, negated: true },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  DateEquals: { compare: date((a, b) => a === b), negated: false },
  DateNotEquals: { compare: date((a, b) => a === b), negated: true },
  DateLessThan: { compare: date((a, b) => a < b), negated: false },
  DateLessThanEquals: { compare: date((a, b) => a <= b), negated: false },
  DateGreaterThan: { compare: date((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { compare: date((a, b) => a >= b), negated: false },
  Bool: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
  BinaryEquals: { compare: (a, b) => a === b, negated: false },
  ArnEquals: { compare: (a, b) => a === b, negated: false },
  ArnNotEquals: { compare: (a, b) => a === b, negated: true },
  ArnLike: { compare: arnLike, negated: false },
  ArnNotLike: { compare: arnLike, negated: true },
};

export class PolicySyntaxError extends Error {}

/** One compiled condition: operator, key and the policy's values. */
export type CompiledCondition = (context: ConditionContext) => boolean;

function asStrings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicySyntaxError(
      `${where}: a condition value must be a string, number or boolean, got ${JSON.stringify(v)}`,
    );
  });
}

const requestValues = (value: ConditionValue | undefined): readonly string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? (value as readonly string[]) : [String(value)];

/** Compiles `"<Operator>": { "<key>": <values> }`, throwing PolicySyntaxError naming what is wrong. */
export function compileCondition(operatorName: string, key: string, values: unknown, where: string): CompiledCondition {
  const contextKey = key.toLowerCase();
  const policyValues = asStrings(values, `${where}.${operatorName}.${key}`);
  if (operatorName === 'Null') {
    // Null: true means "the key is absent", false "present".
    return (context) => {
      const present = context[contextKey] !== undefined;
      return policyValues.some((v) => (v.toLowerCase() === 'true' ? !present : present));
    };
  }
  const colon = operatorName.indexOf(':');
  const set = colon < 0 ? undefined : operatorName.slice(0, colon);
  if (set !== undefined && set !== 'ForAnyValue' && set !== 'ForAllValues')
    throw new PolicySyntaxError(`${where}: unknown condition set operator ${set} (ForAnyValue or ForAllValues)`);
  let base = colon < 0 ? operatorName : operatorName.slice(colon + 1);
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const operator = OPERATORS[base];
  if (!operator) throw new PolicySyntaxError(`${where}: unknown condition operator ${operatorName}`);
  const { compare, negated } = operator;
  // A value matches when it meets any policy value; a negated operator's value matches when it meets none.
  const matches = (value: string) => {
    const hit = policyValues.some((p) => compare(value, p));
    return negated ? !hit : hit;
  };
  return (context) => {
    const values = requestValues(context[contextKey]);
    if (values === undefined || (set && values.length === 0)) {
      if (set === 'ForAllValues') return true;
      if (set === 'ForAnyValue') return false;
      return ifExists || negated;
    }
    if (set === 'ForAllValues') return values.every(matches);
    // Single-valued operators on a multivalued key, and ForAnyValue: one matching value is enough.
    return values.some(matches);
  };
}

// JSONata for states whose QueryLanguage is "JSONata": "{% expression %}" strings, alone or inside
// objects and arrays (Arguments, Output, Assign, Items, ItemSelector...), evaluated with $states
// ({input, result, errorOutput, context}), the workflow variables and the service's extra functions
// ($partition, $range, $hash, $random, $uuid, $parse). Failures are States.QueryEvaluationError.

import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { StatesError, StatesErrorName } from './errors.js';
import { isJsonObject } from './types.js';
import type { JsonObject, JsonValue } from './types.js';

export interface StatesBinding {
  input: JsonValue;
  context: JsonObject;
  result?: JsonValue;
  errorOutput?: JsonValue;
}

export interface JsonataScope {
  states: StatesBinding;
  variables: Record<string, JsonValue>;
  /** The variables and $states as jsonata bindings: made once per scope, not per expression. */
  bindings?: Record<string, unknown>;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && EXPRESSION.test(value);
}

function queryError(expression: string, field: string, detail: string): StatesError {
  return new StatesError(
    StatesErrorName.QueryEvaluationError,
    `An error occurred while evaluating the JSONata expression '${expression}' of the field '${field}': ${detail}`,
  );
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function registerStepFunctionsFunctions(expression: jsonata.Expression): void {
  expression.registerFunction(
    'partition',
    (array: unknown[], size: number) => {
      if (!Array.isArray(array) || !Number.isInteger(size) || size <= 0)
        throw new Error('$partition expects an array and a positive integer');
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    '<an:a>',
  );
  expression.registerFunction(
    'range',
    (start: number, end: number, step: number) => {
      if (![start, end, step].every(Number.isInteger) || step === 0)
        throw new Error('$range expects integer start, end and a non-zero step');
      const count = Math.floor((end - start) / step) + 1;
      if (count > 1000) throw new Error('$range cannot create more than 1000 items');
      return count <= 0 ? [] : Array.from({ length: count }, (_, i) => start + i * step);
    },
    '<nnn:a>',
  );
  expression.registerFunction(
    'hash',
    (data: string, algorithm: string) => {
      const nodeAlgorithm = HASH_ALGORITHMS[algorithm];
      if (!nodeAlgorithm) throw new Error(`$hash does not support the algorithm '${algorithm}'`);
      return createHash(nodeAlgorithm).update(String(data), 'utf8').digest('hex');
    },
    '<ss:s>',
  );
  expression.registerFunction(
    'random',
    (seed?: number) => {
      if (seed === undefined) return Math.random();
      let t = (Math.floor(seed) + 0x6d2b79f5) >>> 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    '<n?:n>',
  );
  expression.registerFunction('uuid', () => randomUUID(), '<:s>');
  expression.registerFunction('parse', (text: string) => JSON.parse(text) as unknown, '<s:x>');
}

const STEP_FUNCTIONS_FUNCTIONS = new Set(['partition', 'range', 'hash', 'random', 'uuid', 'parse']);

interface Compiled {
  expr: jsonata.Expression;
  /** The variables the expression reads but does not bind itself, JSONata's functions left out (once known). */
  workflowVariables?: string[];
}

const compiled = new Map<string, Compiled>();

function compile(body: string, expression: string, field: string): Compiled {
  let entry = compiled.get(body);
  if (!entry) {
    let expr: jsonata.Expression;
    try {
      expr = jsonata(body);
    } catch (e) {
      throw queryError(expression, field, (e as Error).message);
    }
    registerStepFunctionsFunctions(expr);
    entry = { expr };
    compiled.set(body, entry);
  }
  return entry;
}

/** Why a "{% %}" string is not a JSONata expression (jsonata's parse error), or undefined when it is one. */
export function checkJsonataSyntax(expression: string): string | undefined {
  try {
    jsonata((EXPRESSION.exec(expression)?.[1] ?? '').trim());
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The `$name` variables an expression reads that it does not bind itself (lambda parameters, `:=`,
 * `@$focus`, `#$index`): a pure walk of jsonata's syntax tree. `$` and `$$` are the input, not variables.
 */
export function freeVariables(ast: unknown): string[] {
  const read = new Set<string>();
  const bound = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === 'variable' && typeof n.value === 'string' && n.value !== '' && n.value !== '$') read.add(n.value);
    if (n.type === 'lambda' && Array.isArray(n.arguments))
      for (const arg of n.arguments as { value?: unknown }[]) if (typeof arg.value === 'string') bound.add(arg.value);
    if (n.type === 'bind') {
      const lhs = n.lhs as { value?: unknown } | undefined;
      if (typeof lhs?.value === 'string') bound.add(lhs.value);
    }
    if (typeof n.focus === 'string') bound.add(n.focus);
    if (typeof n.index === 'string') bound.add(n.index);
    for (const key of Object.keys(n)) if (typeof n[key] === 'object') visit(n[key]);
  };
  visit(ast);
  return [...read].filter((name) => !bound.has(name));
}

const builtins = new Map<string, boolean>();

/** Whether `$name` is one of JSONata's own functions (asked of jsonata once per name). */
async function isBuiltin(name: string): Promise<boolean> {
  let known = builtins.get(name);
  if (known === undefined) {
    known = (await jsonata(`$${name}`).evaluate(null)) !== undefined;
    builtins.set(name, known);
  }
  return known;
}

async function workflowVariables(entry: Compiled): Promise<string[]> {
  if (!entry.workflowVariables) {
    const names: string[] = [];
    for (const name of freeVariables(entry.expr.ast()))
      if (name !== 'states' && !STEP_FUNCTIONS_FUNCTIONS.has(name) && !(await isBuiltin(name))) names.push(name);
    entry.workflowVariables = names;
  }
  return entry.workflowVariables;
}

/**
 * A JSONata result as plain JSON: a jsonata sequence of one value is that value (`[1]` is 1, as
 * AWS's evaluation gives it; an array the expression asked to keep, `items[]`, stays an array), an
 * empty sequence is nothing, and undefined fields vanish.
 */
export function jsonataResultToJson(value: unknown, expression: string, field: string): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw queryError(expression, field, `the result ${value} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value) && (value as { sequence?: unknown }).sequence === true) {
    const sequence = value as unknown[] & { keepSingleton?: unknown };
    if (sequence.length === 0) return undefined;
    if (sequence.length === 1 && sequence.keepSingleton !== true)
      return jsonataResultToJson(sequence[0], expression, field);
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      const converted = jsonataResultToJson(item, expression, field);
      if (converted !== undefined) out.push(converted);
    }
    return out;
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const converted = jsonataResultToJson((value as Record<string, unknown>)[key], expression, field);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  throw queryError(expression, field, `the result is a ${typeof value}, not JSON`);
}

/** Evaluates one "{% %}" string; undefined when the expression matched nothing. */
export async function evaluateJsonataExpression(
  expression: string,
  scope: JsonataScope,
  field: string,
): Promise<JsonValue | undefined> {
  const body = (EXPRESSION.exec(expression)?.[1] ?? '').trim();
  const entry = compile(body, expression, field);
  // $states is bound by reference: a Catch or a task result set on it later is still seen.
  scope.bindings ??= { ...scope.variables, states: scope.states };
  let result: unknown;
  try {
    result = await entry.expr.evaluate(scope.states.input, scope.bindings);
  } catch (e) {
    throw queryError(expression, field, (e as Error).message);
  }
  // An expression that gives nothing because it reads a variable no state assigned fails the state
  // (jsonata alone gives undefined, and a field inside Output would vanish): AWS fails it with
  // States.QueryEvaluationError. AWS documents nothing about it; its executions record it. An
  // expression that handles the missing variable itself ($exists($x)) gives a value and is fine.
  if (result === undefined) {
    const bindings = scope.bindings;
    const missing = (await workflowVariables(entry)).find((name) => !(name in bindings));
    if (missing !== undefined)
      throw queryError(expression, field, `the variable '$${missing}' is not defined (no state assigned it)`);
  }
  return jsonataResultToJson(result, expression, field);
}

/** Evaluates a template: "{% %}" strings anywhere inside are replaced by their values. */
export async function evaluateJsonataTemplate(
  template: JsonValue,
  scope: JsonataScope,
  field: string,
): Promise<JsonValue> {
  const value = await evaluateTemplateValue(template, scope, field);
  if (value === undefined) {
    throw new StatesError(
      StatesErrorName.QueryEvaluationError,
      `The JSONata expression '${String(template)}' specified for the field '${field}' returned nothing (undefined).`,
    );
  }
  return value;
}

async function evaluateTemplateValue(
  template: JsonValue,
  scope: JsonataScope,
  field: string,
): Promise<JsonValue | undefined> {
  if (typeof template === 'string') {
    return isJsonataExpression(template) ? evaluateJsonataExpression(template, scope, field) : template;
  }
  if (Array.isArray(template)) {
    const out: JsonValue[] = [];
    for (const item of template) {
      const value = await evaluateTemplateValue(item, scope, field);
      if (value !== undefined) out.push(value);
    }
    return out;
  }
  if (isJsonObject(template)) {
    const out: JsonObject = {};
    for (const key of Object.keys(template)) {
      const value = await evaluateTemplateValue(template[key] as JsonValue, scope, `${field}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return template;
}

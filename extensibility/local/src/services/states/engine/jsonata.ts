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

const compiled = new Map<string, jsonata.Expression>();

function compile(body: string, expression: string, field: string): jsonata.Expression {
  let expr = compiled.get(body);
  if (!expr) {
    try {
      expr = jsonata(body);
    } catch (e) {
      throw queryError(expression, field, (e as Error).message);
    }
    registerStepFunctionsFunctions(expr);
    compiled.set(body, expr);
  }
  return expr;
}

/** A JSONata result as plain JSON (drops jsonata's sequence markers; undefined fields vanish). */
function toJson(value: unknown, expression: string, field: string): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw queryError(expression, field, `the result ${value} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      const converted = toJson(item, expression, field);
      if (converted !== undefined) out.push(converted);
    }
    return out;
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) {
      const converted = toJson((value as Record<string, unknown>)[key], expression, field);
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
  const expr = compile(body, expression, field);
  let result: unknown;
  try {
    // $states is bound by reference: a Catch or a task result set on it later is still seen.
    scope.bindings ??= { ...scope.variables, states: scope.states };
    result = await expr.evaluate(scope.states.input, scope.bindings);
  } catch (e) {
    throw queryError(expression, field, (e as Error).message);
  }
  return toJson(result, expression, field);
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

// JSONPath processing of JSONPath-language states: paths ($ input, $$ context object, $var
// variables), InputPath/OutputPath, payload templates (Parameters, ResultSelector, ItemSelector,
// Assign) and ResultPath. Simple paths ($.a.b[0]) are walked directly (the hot path); anything
// else (filters, wildcards, deep scan, slices) goes to jsonpath-plus. As in the service, an
// indefinite path always yields an array (possibly empty), a definite one a single value.

import { JSONPath } from 'jsonpath-plus';
import { StatesError, StatesErrorName } from './errors.js';
import { evaluateIntrinsic } from './intrinsics.js';
import { isJsonObject } from './types.js';
import type { JsonObject, JsonValue } from './types.js';

/** Where a path reads from besides the state's input. */
export interface PathEnv {
  /** The context object ($$), built when first needed. */
  context(): JsonObject;
  /** A workflow variable, or undefined when none is in scope. */
  variable(name: string): JsonValue | undefined;
}

type Segment = string | number | { fn: 'length' | 'min' | 'max' | 'avg' | 'sum' };

interface CompiledPath {
  root: 'input' | 'context' | 'variable';
  variable: string | undefined;
  /** The path rooted at "$" against its root value. */
  expr: string;
  /** Parsed segments of a simple (definite) path, or undefined for a path jsonpath-plus evaluates. */
  segments: Segment[] | undefined;
}

export type PathResult = { found: true; value: JsonValue } | { found: false };

const compiled = new Map<string, CompiledPath>();
const VARIABLE_PATH = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;

function compilePath(path: string): CompiledPath {
  const cached = compiled.get(path);
  if (cached) return cached;
  let root: CompiledPath['root'] = 'input';
  let variable: string | undefined;
  let expr = path;
  if (path.startsWith('$$')) {
    root = 'context';
    expr = path.slice(1);
  } else {
    const match = VARIABLE_PATH.exec(path);
    if (match) {
      root = 'variable';
      variable = match[1];
      expr = `$${match[2] ?? ''}`;
    } else if (!path.startsWith('$')) {
      throw new StatesError(StatesErrorName.Runtime, `Invalid path '${path}': a path must begin with '$'`);
    }
  }
  const result: CompiledPath = { root, variable, expr, segments: parseSimplePath(expr) };
  compiled.set(path, result);
  return result;
}

const FUNCTION_SEGMENT = /^(length|min|max|avg|sum)\(\)$/;

/** Segments of "$", "$.a", "$['a b']", "$.a[0]", "$.a.length()"; undefined for anything fancier. */
function parseSimplePath(expr: string): Segment[] | undefined {
  if (!expr.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let i = 1;
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '.') {
      if (expr[i + 1] === '.') return undefined;
      let j = i + 1;
      while (j < expr.length && expr[j] !== '.' && expr[j] !== '[') j++;
      const name = expr.slice(i + 1, j);
      if (name === '' || /[*@?,:()'"\s]/.test(name)) {
        const fn = FUNCTION_SEGMENT.exec(name);
        if (fn && j === expr.length) {
          segments.push({ fn: fn[1] as 'length' });
          return segments;
        }
        return undefined;
      }
      segments.push(name);
      i = j;
    } else if (ch === '[') {
      const quote = expr[i + 1];
      if (quote === "'" || quote === '"') {
        const end = expr.indexOf(quote, i + 2);
        if (end < 0 || expr[end + 1] !== ']') return undefined;
        segments.push(expr.slice(i + 2, end));
        i = end + 2;
      } else {
        const end = expr.indexOf(']', i);
        if (end < 0) return undefined;
        const index = expr.slice(i + 1, end);
        if (!/^\d+$/.test(index)) return undefined;
        segments.push(Number(index));
        i = end + 1;
      }
    } else {
      return undefined;
    }
  }
  return segments;
}

function applyFunction(fn: 'length' | 'min' | 'max' | 'avg' | 'sum', value: JsonValue): PathResult {
  if (!Array.isArray(value)) return { found: false };
  if (fn === 'length') return { found: true, value: value.length };
  const numbers = value.filter((v): v is number => typeof v === 'number');
  if (numbers.length === 0) return { found: false };
  const sum = numbers.reduce((a, b) => a + b, 0);
  switch (fn) {
    case 'min':
      return { found: true, value: Math.min(...numbers) };
    case 'max':
      return { found: true, value: Math.max(...numbers) };
    case 'avg':
      return { found: true, value: sum / numbers.length };
    case 'sum':
      return { found: true, value: sum };
  }
}

function walk(segments: Segment[], data: JsonValue): PathResult {
  let current: JsonValue = data;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false };
      current = current[segment] as JsonValue;
    } else if (typeof segment === 'string') {
      if (!isJsonObject(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return { found: false };
      current = current[segment] as JsonValue;
    } else {
      return applyFunction(segment.fn, current);
    }
  }
  return { found: true, value: current };
}

/** Reads a "$"-rooted JSONPath from a value. */
export function readJsonPath(expr: string, data: JsonValue): PathResult {
  const segments = parseSimplePath(expr);
  if (segments) return walk(segments, data);
  const matches = JSONPath({ path: expr, json: data as object, wrap: true, eval: 'safe' }) as JsonValue[];
  return { found: true, value: matches };
}

/** Resolves a path against the input, the context object or a variable. */
export function resolvePath(path: string, input: JsonValue, env: PathEnv): PathResult {
  const p = compilePath(path);
  let root: JsonValue;
  if (p.root === 'input') root = input;
  else if (p.root === 'context') root = env.context();
  else {
    const value = env.variable(p.variable ?? '');
    if (value === undefined) return { found: false };
    root = value;
  }
  if (p.segments) return walk(p.segments, root);
  return readJsonPath(p.expr, root);
}

/** "$.a.b[0]" as "$['a']['b'][0]", the way the service prints paths in its error causes. */
export function bracketNotation(path: string): string {
  const segments = parseSimplePath(path.startsWith('$$') ? path.slice(1) : path);
  if (!segments) return path;
  return `$${segments.map((s) => (typeof s === 'number' ? `[${s}]` : typeof s === 'string' ? `['${s}']` : `.${s.fn}()`)).join('')}`;
}

export function stringifyForCause(value: JsonValue | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function invalidPath(path: string): StatesError {
  return new StatesError(
    StatesErrorName.Runtime,
    `Invalid path '${path}' : No results for path: ${bracketNotation(path)}`,
  );
}

/** InputPath: undefined keeps the input, null gives {}, a path selects (and must match). */
export function applyInputPath(raw: JsonValue, path: string | null | undefined, env: PathEnv): JsonValue {
  if (path === undefined || path === '$') return raw;
  if (path === null) return {};
  const result = resolvePath(path, raw, env);
  if (!result.found) throw invalidPath(path);
  return result.value;
}

/** OutputPath: same rules as InputPath, on the state's output. */
export const applyOutputPath = applyInputPath;

function resultPathFailure(step: string | number, container: JsonValue): StatesError {
  return new StatesError(
    StatesErrorName.ResultPathMatchFailure,
    `Unable to apply step "${step}" to input ${stringifyForCause(container)}`,
  );
}

function setAt(container: JsonValue, segments: Segment[], index: number, value: JsonValue): JsonValue {
  if (index === segments.length) return value;
  const segment = segments[index] as Segment;
  if (typeof segment === 'number') {
    if (!Array.isArray(container) || segment >= container.length) throw resultPathFailure(segment, container);
    const copy = container.slice();
    copy[segment] = setAt(container[segment] as JsonValue, segments, index + 1, value);
    return copy;
  }
  if (typeof segment !== 'string' || !isJsonObject(container))
    throw resultPathFailure(typeof segment === 'string' ? segment : '', container);
  // Copy-on-write: the rest of the input is shared, never mutated.
  const copy: JsonObject = { ...container };
  const child = Object.prototype.hasOwnProperty.call(container, segment)
    ? (container[segment] as JsonValue)
    : undefined;
  const next = segments[index + 1];
  const base = child === undefined && index + 1 < segments.length && typeof next === 'string' ? {} : child;
  if (base === undefined && index + 1 < segments.length) throw resultPathFailure(segment, container);
  copy[segment] = setAt(base ?? null, segments, index + 1, value);
  return copy;
}

/** ResultPath: where the result goes in the state's raw input ($ replaces it, null discards the result). */
export function applyResultPath(raw: JsonValue, result: JsonValue, path: string | null | undefined): JsonValue {
  if (path === undefined || path === '$') return result;
  if (path === null) return raw;
  const segments = parseSimplePath(path);
  if (!segments || segments.some((s) => typeof s === 'object')) {
    throw new StatesError(
      StatesErrorName.Runtime,
      `Invalid ResultPath '${path}': a ResultPath must be a Reference Path`,
    );
  }
  return setAt(raw, segments, 0, result);
}

/** The value of a "field.$" entry: a path, a context path, a variable, or an intrinsic function. */
export function evaluateDollarField(expression: string, field: string, input: JsonValue, env: PathEnv): JsonValue {
  if (expression.startsWith('$')) {
    const result = resolvePath(expression, input, env);
    if (!result.found) {
      const where = expression.startsWith('$$')
        ? `the context object '${stringifyForCause(env.context())}'`
        : `the input '${stringifyForCause(input)}'`;
      throw new StatesError(
        StatesErrorName.Runtime,
        `The JSONPath '${expression}' specified for the field '${field}' could not be found in ${where}`,
      );
    }
    return result.value;
  }
  if (expression.startsWith('States.')) return evaluateIntrinsic(expression, input, env);
  throw new StatesError(
    StatesErrorName.Runtime,
    `The value '${expression}' of the field '${field}' is neither a path nor an intrinsic function`,
  );
}

/** A payload template (Parameters, ResultSelector, ItemSelector, Assign): "key.$" entries are evaluated. */
export function evaluatePayloadTemplate(template: JsonValue, input: JsonValue, env: PathEnv): JsonValue {
  if (Array.isArray(template)) return template.map((item) => evaluatePayloadTemplate(item, input, env));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const key of Object.keys(template)) {
    const value = template[key] as JsonValue;
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') {
        throw new StatesError(StatesErrorName.Runtime, `The value of the field '${key}' must be a string`);
      }
      out[key.slice(0, -2)] = evaluateDollarField(value, key, input, env);
    } else {
      out[key] = evaluatePayloadTemplate(value, input, env);
    }
  }
  return out;
}

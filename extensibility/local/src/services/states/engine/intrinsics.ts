// The 18 intrinsic functions of JSONPath states ("States.Format('{}', $.x)" in a "key.$" field).
// Invocations are parsed once and cached; every failure is States.IntrinsicFailure.

import { createHash, randomUUID } from 'node:crypto';
import { StatesError, StatesErrorName } from './errors.js';
import { resolvePath } from './paths.js';
import type { PathEnv } from './paths.js';
import { isJsonObject } from './types.js';
import type { JsonValue } from './types.js';

type IntrinsicNode =
  | { kind: 'call'; name: string; args: IntrinsicNode[] }
  | { kind: 'string'; raw: string }
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'path'; path: string };

// Escaped braces stay distinguishable from States.Format's "{}" placeholders until the end.
const ESCAPED_OPEN = '\uE000';
const ESCAPED_CLOSE = '\uE001';
const restoreBraces = (s: string): string => s.replaceAll(ESCAPED_OPEN, '{').replaceAll(ESCAPED_CLOSE, '}');

const MAX_NESTING = 10;
const MAX_STRING_INPUT = 10_000;
const MAX_ARRAY_RANGE = 1000;

function failure(cause: string): StatesError {
  return new StatesError(StatesErrorName.IntrinsicFailure, cause);
}

class IntrinsicParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): IntrinsicNode {
    const node = this.call(0);
    this.skipSpaces();
    if (this.pos !== this.text.length) throw this.error('unexpected text after the closing parenthesis');
    return node;
  }

  private error(what: string): StatesError {
    return failure(`Invalid intrinsic function '${this.text}': ${what} at position ${this.pos}`);
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private call(depth: number): IntrinsicNode {
    if (depth >= MAX_NESTING) throw this.error(`more than ${MAX_NESTING} nested intrinsic functions`);
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (!match) throw this.error('expected a function name');
    const name = match[0];
    this.pos += name.length;
    this.skipSpaces();
    if (this.text[this.pos] !== '(') throw this.error("expected '('");
    this.pos++;
    const args: IntrinsicNode[] = [];
    this.skipSpaces();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.argument(depth));
      this.skipSpaces();
      const ch = this.text[this.pos];
      this.pos++;
      if (ch === ')') return { kind: 'call', name, args };
      if (ch !== ',') throw this.error("expected ',' or ')'");
    }
  }

  private argument(depth: number): IntrinsicNode {
    this.skipSpaces();
    const rest = this.text.slice(this.pos);
    const ch = rest[0];
    if (ch === "'") return this.stringLiteral();
    if (ch === '$') return this.path();
    if (rest.startsWith('States.')) return this.call(depth + 1);
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word)) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    throw this.error('expected an argument');
  }

  private stringLiteral(): IntrinsicNode {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (ch === "'") {
        this.pos++;
        return { kind: 'string', raw: out };
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1];
        if (next === "'" || next === '\\') out += next;
        else if (next === '{') out += ESCAPED_OPEN;
        else if (next === '}') out += ESCAPED_CLOSE;
        else throw this.error('open escape backslash');
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    throw this.error('unterminated string literal');
  }

  private path(): IntrinsicNode {
    // A path runs to the ',' or ')' that closes the argument; brackets and quotes may hold either.
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] as string;
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"') {
        quote = ch;
      } else if (ch === '[' || ch === '(') {
        depth++;
      } else if (ch === ']' || (ch === ')' && depth > 0)) {
        depth--;
      } else if ((ch === ',' || ch === ')') && depth === 0) {
        break;
      }
      this.pos++;
    }
    return { kind: 'path', path: this.text.slice(start, this.pos).trim() };
  }
}

const parsed = new Map<string, IntrinsicNode>();

export function parseIntrinsic(text: string): IntrinsicNode {
  let node = parsed.get(text);
  if (!node) {
    node = new IntrinsicParser(text).parse();
    parsed.set(text, node);
  }
  return node;
}

/** Evaluates an intrinsic function invocation against a state's input. */
export function evaluateIntrinsic(text: string, input: JsonValue, env: PathEnv): JsonValue {
  return evaluateNode(parseIntrinsic(text), input, env, false);
}

function evaluateNode(node: IntrinsicNode, input: JsonValue, env: PathEnv, keepEscapes: boolean): JsonValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'string':
      return keepEscapes ? node.raw : restoreBraces(node.raw);
    case 'path': {
      const result = resolvePath(node.path, input, env);
      if (!result.found)
        throw failure(`The JSONPath '${node.path}' could not be found in the input '${JSON.stringify(input)}'`);
      return result.value;
    }
    case 'call': {
      const args = node.args.map((arg, i) => evaluateNode(arg, input, env, node.name === 'States.Format' && i === 0));
      const fn = FUNCTIONS[node.name];
      if (!fn) throw failure(`Unknown intrinsic function '${node.name}'`);
      return fn(args, node.name);
    }
  }
}

type IntrinsicFn = (args: JsonValue[], name: string) => JsonValue;

function expectCount(name: string, args: JsonValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw failure(`${name} expects ${expected} argument(s), but received ${args.length}`);
  }
}

function typeName(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function expectArray(name: string, value: JsonValue, position: number): JsonValue[] {
  if (!Array.isArray(value))
    throw failure(`${name} expects argument ${position} to be an array, but received ${typeName(value)}`);
  return value;
}

function expectString(name: string, value: JsonValue, position: number): string {
  if (typeof value !== 'string')
    throw failure(`${name} expects argument ${position} to be a string, but received ${typeName(value)}`);
  return value;
}

function expectInteger(name: string, value: JsonValue, position: number, round = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw failure(`${name} expects argument ${position} to be an integer, but received ${typeName(value)}`);
  }
  if (round) return Math.round(value);
  if (!Number.isInteger(value))
    throw failure(`${name} expects argument ${position} to be an integer, but received ${value}`);
  return value;
}

function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k] as JsonValue)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A States.Format value as AWS renders it: a string as it is, a number, boolean or null as JSON, an
 * object as `{Arg1=1, Arg2=[]}` and an array as `[1, b]` (keys in their order, ", " between entries,
 * strings inside without quotes), as a Java Map's and List's toString would. AWS's documentation says
 * only that `{}` is "replaced by the Value"; this rendering is what executions in AWS record.
 */
export function formatArgument(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatArgument).join(', ')}]`;
  if (isJsonObject(value))
    return `{${Object.keys(value)
      .map((key) => `${key}=${formatArgument(value[key] as JsonValue)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** A small seeded generator (mulberry32) so States.MathRandom with a seed is repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNCTIONS: Record<string, IntrinsicFn> = {
  'States.Format': (args, name) => {
    if (args.length < 1) throw failure(`${name} expects at least 1 argument`);
    const template = expectString(name, args[0] as JsonValue, 1);
    const parts = template.split('{}');
    const values = args.slice(1);
    if (parts.length - 1 !== values.length) {
      throw failure(
        `${name} has ${parts.length - 1} placeholder(s) but received ${values.length} value(s) to interpolate`,
      );
    }
    let out = parts[0] ?? '';
    values.forEach((value, i) => {
      out += formatArgument(value) + (parts[i + 1] ?? '');
    });
    return restoreBraces(out);
  },
  'States.StringToJson': (args, name) => {
    expectCount(name, args, 1);
    const text = expectString(name, args[0] as JsonValue, 1);
    // An empty or blank string is null, not a failure: AWS documents nothing for it, and its
    // executions record null.
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw failure(`${name} could not parse '${text}': ${(e as Error).message}`);
    }
  },
  'States.JsonToString': (args, name) => {
    expectCount(name, args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args, name) => {
    expectCount(name, args, 2);
    const array = expectArray(name, args[0] as JsonValue, 1);
    const size = expectInteger(name, args[1] as JsonValue, 2);
    if (size <= 0) throw failure(`${name} expects the chunk size to be a positive integer, but received ${size}`);
    const chunks: JsonValue[] = [];
    for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
    return chunks;
  },
  'States.ArrayContains': (args, name) => {
    expectCount(name, args, 2);
    const array = expectArray(name, args[0] as JsonValue, 1);
    const wanted = canonical(args[1] as JsonValue);
    return array.some((item) => canonical(item) === wanted);
  },
  'States.ArrayRange': (args, name) => {
    expectCount(name, args, 3);
    const start = expectInteger(name, args[0] as JsonValue, 1);
    const end = expectInteger(name, args[1] as JsonValue, 2);
    const step = expectInteger(name, args[2] as JsonValue, 3);
    if (step === 0) throw failure(`${name} expects a non-zero step`);
    const count = Math.floor((end - start) / step) + 1;
    if (count <= 0) return [];
    if (count > MAX_ARRAY_RANGE)
      throw failure(`${name} cannot create an array of more than ${MAX_ARRAY_RANGE} items (would be ${count})`);
    return Array.from({ length: count }, (_, i) => start + i * step);
  },
  'States.ArrayGetItem': (args, name) => {
    expectCount(name, args, 2);
    const array = expectArray(name, args[0] as JsonValue, 1);
    const index = expectInteger(name, args[1] as JsonValue, 2);
    if (index < 0 || index >= array.length)
      throw failure(`${name} index ${index} is out of bounds for an array of length ${array.length}`);
    return array[index] as JsonValue;
  },
  'States.ArrayLength': (args, name) => {
    expectCount(name, args, 1);
    return expectArray(name, args[0] as JsonValue, 1).length;
  },
  'States.ArrayUnique': (args, name) => {
    expectCount(name, args, 1);
    const seen = new Set<string>();
    return expectArray(name, args[0] as JsonValue, 1).filter((item) => {
      const key = canonical(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  'States.Base64Encode': (args, name) => {
    expectCount(name, args, 1);
    const text = expectString(name, args[0] as JsonValue, 1);
    if (text.length > MAX_STRING_INPUT)
      throw failure(`${name} accepts at most ${MAX_STRING_INPUT} characters, but received ${text.length}`);
    return Buffer.from(text, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args, name) => {
    expectCount(name, args, 1);
    const text = expectString(name, args[0] as JsonValue, 1);
    if (text.length > MAX_STRING_INPUT)
      throw failure(`${name} accepts at most ${MAX_STRING_INPUT} characters, but received ${text.length}`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
      throw failure(`${name} received invalid base64 data '${text}'`);
    return Buffer.from(text, 'base64').toString('utf8');
  },
  'States.Hash': (args, name) => {
    expectCount(name, args, 2);
    const data = expectString(name, args[0] as JsonValue, 1);
    const algorithm = expectString(name, args[1] as JsonValue, 2);
    if (data.length > MAX_STRING_INPUT)
      throw failure(`${name} accepts at most ${MAX_STRING_INPUT} characters, but received ${data.length}`);
    const nodeAlgorithm = HASH_ALGORITHMS[algorithm];
    if (!nodeAlgorithm)
      throw failure(
        `${name} does not support the algorithm '${algorithm}' (supported: ${Object.keys(HASH_ALGORITHMS).join(', ')})`,
      );
    return createHash(nodeAlgorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, name) => {
    expectCount(name, args, 3);
    const [left, right, deep] = args;
    if (!isJsonObject(left) || !isJsonObject(right))
      throw failure(`${name} expects its first two arguments to be JSON objects`);
    if (deep !== false) throw failure(`${name} only supports a shallow merge: the third argument must be false`);
    return { ...left, ...right };
  },
  'States.MathRandom': (args, name) => {
    expectCount(name, args, 2, 3);
    const start = expectInteger(name, args[0] as JsonValue, 1, true);
    const end = expectInteger(name, args[1] as JsonValue, 2, true);
    if (end < start) throw failure(`${name} expects the start (${start}) not to exceed the end (${end})`);
    const random = args.length === 3 ? seededRandom(expectInteger(name, args[2] as JsonValue, 3, true)) : Math.random;
    return start + Math.floor(random() * (end - start + 1));
  },
  'States.MathAdd': (args, name) => {
    expectCount(name, args, 2);
    const sum = expectInteger(name, args[0] as JsonValue, 1, true) + expectInteger(name, args[1] as JsonValue, 2, true);
    if (sum < -2147483648 || sum > 2147483647)
      throw failure(`${name} result ${sum} is outside the 32-bit integer range`);
    return sum;
  },
  'States.StringSplit': (args, name) => {
    expectCount(name, args, 2);
    const text = expectString(name, args[0] as JsonValue, 1);
    const delimiters = expectString(name, args[1] as JsonValue, 2);
    if (delimiters === '') return [text];
    const parts: string[] = [];
    let current = '';
    for (const ch of text) {
      if (delimiters.includes(ch)) {
        if (current !== '') parts.push(current);
        current = '';
      } else {
        current += ch;
      }
    }
    if (current !== '') parts.push(current);
    return parts;
  },
  'States.UUID': (args, name) => {
    expectCount(name, args, 0);
    return randomUUID();
  },
};

export const INTRINSIC_FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

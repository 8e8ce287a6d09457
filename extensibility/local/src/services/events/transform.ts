// What a target receives: the whole event, Input (constant JSON), InputPath (part of the event), or
// InputTransformer (InputPathsMap + InputTemplate), as EventBridge documents them.
import { JSONPath } from 'jsonpath-plus';
import { validation } from '../../edge/errors.js';
import type { EventEnvelope, Rule, TargetDefinition } from './model.js';

export type InputRenderer = (event: EventEnvelope, rule: Pick<Rule, 'arn' | 'name'>) => unknown;

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
]);
// EventBridge's JSON path subset: dot notation, dashes, underscores, alphanumerics, indices, wildcards.
const EVENT_PATH = /^\$(\.[A-Za-z0-9_*/-]+|\[(\d+|\*)\])*$/;

function select(event: EventEnvelope, path: string): unknown {
  const found = JSONPath({ path, json: event, wrap: true }) as unknown[];
  if (found.length === 0) return undefined;
  return path.includes('*') ? found : found[0];
}

/** Checks a target the way PutTargets does and returns how to render its input. */
export function compileTargetInput(target: TargetDefinition): InputRenderer {
  const given = [
    target.Input !== undefined,
    target.InputPath !== undefined,
    target.InputTransformer !== undefined,
  ].filter(Boolean).length;
  if (given > 1)
    throw validation(`Target ${target.Id}: only one of Input, InputPath, or InputTransformer can be provided.`);
  if (target.Input !== undefined) {
    let constant: unknown;
    try {
      constant = JSON.parse(target.Input);
    } catch {
      throw validation(`Target ${target.Id}: Input is not valid JSON.`);
    }
    return () => structuredClone(constant);
  }
  if (target.InputPath !== undefined) {
    const path = target.InputPath;
    if (!EVENT_PATH.test(path)) throw validation(`Target ${target.Id}: InputPath ${path} is not a valid JSON path.`);
    return (event) => select(event, path) ?? null;
  }
  if (target.InputTransformer !== undefined) return compileTransformer(target.Id, target.InputTransformer);
  return (event) => event;
}

function compileTransformer(
  targetId: string,
  transformer: NonNullable<TargetDefinition['InputTransformer']>,
): InputRenderer {
  const paths = transformer.InputPathsMap ?? {};
  const template = transformer.InputTemplate;
  if (typeof template !== 'string' || template.length === 0)
    throw validation(`Target ${targetId}: InputTransformer.InputTemplate is required.`);
  if (Object.keys(paths).length > 100) throw validation(`Target ${targetId}: InputPathsMap has more than 100 entries.`);
  for (const [name, path] of Object.entries(paths)) {
    if (name.startsWith('aws.'))
      throw validation(`Target ${targetId}: InputPathsMap key ${name} is reserved: keys cannot start with "aws.".`);
    if (!EVENT_PATH.test(path))
      throw validation(`Target ${targetId}: InputPathsMap value ${path} for ${name} is not a valid JSON path.`);
  }
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(name! in paths) && !PREDEFINED.has(name!)) {
      throw validation(
        `Target ${targetId}: InputTemplate contains the placeholder <${name}>, which is neither in InputPathsMap nor predefined.`,
      );
    }
  }
  const isJson = /^\s*[{[]/.test(template);
  // Split once at PutTargets into literal text and placeholders, each marked as inside a JSON
  // string or not: inside, values are spliced as text; outside, as JSON values.
  const pieces: Array<string | { name: string; quoted: boolean }> = [];
  let last = 0;
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      if (m && (m[1]! in paths || PREDEFINED.has(m[1]!))) {
        pieces.push(template.slice(last, i), { name: m[1]!, quoted: inString || !isJson });
        i += m[0].length - 1;
        last = i + 1;
      }
    }
  }
  pieces.push(template.slice(last));

  return (event, rule) => {
    const value = (name: string): unknown => {
      switch (name) {
        case 'aws.events.rule-arn':
          return rule.arn;
        case 'aws.events.rule-name':
          return rule.name;
        case 'aws.events.event.ingestion-time':
          return event.time;
        case 'aws.events.event': {
          const { detail: _detail, ...rest } = event;
          return rest;
        }
        case 'aws.events.event.json':
          return event;
        default:
          return select(event, paths[name]!);
      }
    };
    const text = pieces
      .map((piece) => {
        if (typeof piece === 'string') return piece;
        const v = value(piece.name);
        if (piece.quoted) {
          // Inside a string (or a plain-text template), strings go in as they are; anything else as
          // its JSON text; a missing path renders as nothing.
          if (v === undefined || v === null) return '';
          if (typeof v === 'string') return isJson ? JSON.stringify(v).slice(1, -1) : v;
          return isJson ? JSON.stringify(JSON.stringify(v)).slice(1, -1) : JSON.stringify(v);
        }
        return v === undefined ? 'null' : JSON.stringify(v);
      })
      .join('');
    if (!isJson) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
}

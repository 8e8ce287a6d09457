// Evaluation of CloudFormation intrinsic functions and condition expressions. A failed
// evaluation records an issue and yields INVALID, which callers pass on without reporting again,
// so one mistake gives one message.
import { at, messageOf, type IssueCollector, type Location } from './errors.js';
import type { ParameterValue } from './types.js';
import { isObject } from '../../json.js';

/** AWS::NoValue: removes the property (or list element) it is the value of. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
/** The value of an expression that failed; its issue is already recorded. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/** The function name when `value` is an intrinsic call: a one-key map whose key is Ref or Fn::*. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

export type SubPart = { literal: string } | { variable: string };

/** Splits a Fn::Sub template; `${!X}` is the literal `${X}`, an unclosed `${` is literal text. */
export function parseSub(template: string): SubPart[] {
  const parts: SubPart[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${', i);
    const end = start < 0 ? -1 : template.indexOf('}', start + 2);
    if (start < 0 || end < 0) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, start);
    const inner = template.slice(start + 2, end);
    if (inner.startsWith('!')) {
      literal += `\${${inner.slice(1)}}`;
    } else {
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ variable: inner.trim() });
    }
    i = end + 1;
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** What the evaluator may know about a resource when something references it. */
export type ResourceState =
  | { state: 'inactive'; condition: string }
  /** Not resolved (yet): it failed, or sits in a reported cycle. */
  | { state: 'unavailable' }
  | { state: 'ready' };

export interface ResourceAccess {
  state(logicalId: string): ResourceState;
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
}

export interface Environment {
  parameters: ReadonlyMap<string, ParameterValue>;
  /** Declared parameters, including those whose value was rejected (already reported). */
  parameterNames: ReadonlySet<string>;
  pseudo: ReadonlyMap<string, unknown>;
  mappings: Readonly<Record<string, unknown>>;
  /** Every logical id in Resources, so a Ref from Conditions can say why it is not allowed. */
  resourceIds: ReadonlySet<string>;
  /** Present when resources may be referenced (Resources, Outputs); absent in Conditions. */
  resources?: ResourceAccess;
  exports?: Readonly<Record<string, string>>;
  region: string;
  /** A named condition's value; reports unknown or circular conditions itself. */
  condition(name: string, location: Location): boolean | Invalid;
}

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or']);
const UNSUPPORTED = new Set([
  'Fn::Cidr',
  'Fn::Transform',
  'Fn::ToJsonString',
  'Fn::Length',
  'Fn::ForEach',
  'Fn::GetStackOutput',
]);

export class Evaluator {
  constructor(
    private readonly env: Environment,
    private readonly issues: IssueCollector,
  ) {}

  /** Resolves every intrinsic in `input`; NO_VALUE entries are dropped from maps and lists. */
  value(input: unknown, location: Location): unknown {
    if (Array.isArray(input)) return this.list(input, location);
    if (!isObject(input)) return input;
    const fn = intrinsicName(input);
    if (fn) return this.intrinsic(fn, input[fn], location);
    const out: Record<string, unknown> = {};
    let invalid = false;
    for (const [key, raw] of Object.entries(input)) {
      const v = this.value(raw, at(location, key));
      if (v === INVALID) invalid = true;
      else if (v !== NO_VALUE) out[key] = v;
    }
    return invalid ? INVALID : out;
  }

  /** A condition expression: Fn::Equals / Fn::Not / Fn::And / Fn::Or / { Condition: name }. */
  condition(input: unknown, location: Location): boolean | Invalid {
    const keys = isObject(input) ? Object.keys(input) : [];
    const fn = keys.length === 1 ? (keys[0] as string) : undefined;
    const arg = fn !== undefined && isObject(input) ? input[fn] : undefined;
    const argAt = fn ? at(location, fn) : location;
    switch (fn) {
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2)
          return this.fail('Fn::Equals needs a list of two values', location);
        const [a, b] = arg.map((v, i) => this.value(v, at(argAt, i)));
        if (a === INVALID || b === INVALID) return INVALID;
        if (a === NO_VALUE || b === NO_VALUE) return this.fail('Fn::Equals cannot compare AWS::NoValue', location);
        return comparable(a) === comparable(b);
      }
      case 'Fn::Not': {
        if (!Array.isArray(arg) || arg.length !== 1)
          return this.fail('Fn::Not needs a list of one condition', location);
        const v = this.condition(arg[0], at(argAt, 0));
        return v === INVALID ? INVALID : !v;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10)
          return this.fail(`${fn} needs a list of 2 to 10 conditions`, location);
        const values = arg.map((c, i) => this.condition(c, at(argAt, i)));
        if (values.includes(INVALID)) return INVALID;
        return fn === 'Fn::And' ? values.every((v) => v === true) : values.some((v) => v === true);
      }
      case 'Condition':
        if (typeof arg !== 'string') return this.fail('Condition needs a condition name', location);
        return this.env.condition(arg, location);
      default:
        return this.fail('a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or { Condition: name }', location);
    }
  }

  /** Ref semantics for a name (parameter, pseudo parameter, resource); shared with Fn::Sub. */
  ref(name: unknown, location: Location, fromSub = false): unknown {
    if (typeof name !== 'string')
      return this.fail('Ref needs the name of a parameter, pseudo parameter or resource', location);
    const parameter = this.env.parameters.get(name);
    if (parameter !== undefined) return parameter;
    if (this.env.parameterNames.has(name)) return INVALID;
    if (this.env.pseudo.has(name)) return this.env.pseudo.get(name);
    if (name.startsWith('AWS::')) return this.fail(`unknown pseudo parameter '${name}'`, location);
    if (fromSub && !this.env.resourceIds.has(name)) {
      return this.fail(`Fn::Sub: '\${${name}}' is not a parameter, resource or Fn::Sub variable`, location);
    }
    return this.resource(name, location, 'Ref', (access) => access.ref(name));
  }

  private getAtt(logicalId: string, attribute: string, location: Location): unknown {
    if (this.env.parameterNames.has(logicalId))
      return this.fail(`Fn::GetAtt needs a resource, '${logicalId}' is a parameter`, location);
    return this.resource(
      logicalId,
      location,
      `Fn::GetAtt ${logicalId}.${attribute}`,
      (access) => access.getAtt(logicalId, attribute),
      'Fn::GetAtt',
    );
  }

  private resource(
    logicalId: string,
    location: Location,
    what: string,
    read: (access: ResourceAccess) => unknown,
    fn = 'Ref',
  ): unknown {
    if (!this.env.resourceIds.has(logicalId)) {
      return this.fail(
        fn === 'Ref'
          ? `Ref to unknown parameter or resource '${logicalId}'`
          : `${fn} to unknown resource '${logicalId}'`,
        location,
      );
    }
    const access = this.env.resources;
    if (!access)
      return this.fail(
        `${fn} to resource '${logicalId}': conditions can only use parameters, pseudo parameters and mappings`,
        location,
      );
    const state = access.state(logicalId);
    if (state.state === 'inactive') {
      return this.fail(
        `${fn} to resource '${logicalId}', which is not created: its condition '${state.condition}' is false`,
        location,
      );
    }
    if (state.state === 'unavailable') return INVALID;
    try {
      return read(access);
    } catch (error) {
      return this.fail(`${what}: ${messageOf(error)}`, location);
    }
  }

  private list(input: readonly unknown[], location: Location): unknown[] | Invalid {
    const out: unknown[] = [];
    let invalid = false;
    input.forEach((raw, i) => {
      const v = this.value(raw, at(location, i));
      if (v === INVALID) invalid = true;
      else if (v !== NO_VALUE) out.push(v);
    });
    return invalid ? INVALID : out;
  }

  private intrinsic(fn: string, arg: unknown, location: Location): unknown {
    const argAt = at(location, fn);
    switch (fn) {
      case 'Ref':
        return this.ref(arg, location);
      case 'Fn::GetAtt':
        return this.fnGetAtt(arg, location, argAt);
      case 'Fn::Sub':
        return this.fnSub(arg, location, argAt);
      case 'Fn::Join':
        return this.fnJoin(arg, location, argAt);
      case 'Fn::Select':
        return this.fnSelect(arg, location, argAt);
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
          return this.fail('Fn::Split needs [delimiter, string]', location);
        }
        const source = this.string(arg[1], at(argAt, 1), 'Fn::Split');
        return source === INVALID ? INVALID : source.split(arg[0]);
      }
      case 'Fn::FindInMap':
        return this.fnFindInMap(arg, location, argAt);
      case 'Fn::Base64': {
        const text = this.string(arg, argAt, 'Fn::Base64');
        return text === INVALID ? INVALID : Buffer.from(text, 'utf8').toString('base64');
      }
      case 'Fn::GetAZs': {
        const region = this.string(arg, argAt, 'Fn::GetAZs');
        if (region === INVALID) return INVALID;
        // One local "data centre", but three names: templates commonly !Select [0..2, !GetAZs ''].
        const r = region || this.env.region;
        return [`${r}a`, `${r}b`, `${r}c`];
      }
      case 'Fn::ImportValue': {
        const name = this.string(arg, argAt, 'Fn::ImportValue');
        if (name === INVALID) return INVALID;
        if (!this.env.exports)
          return this.fail(
            `Fn::ImportValue '${name}': imports from other stacks are not supported locally unless an exports lookup is supplied`,
            location,
          );
        const value = this.env.exports[name];
        return value === undefined
          ? this.fail(`Fn::ImportValue '${name}': no stack exports that name`, location)
          : value;
      }
      case 'Fn::If':
        return this.fnIf(arg, location, argAt);
      default:
        if (CONDITION_FUNCTIONS.has(fn)) return this.fail(`${fn} can only be used in the Conditions section`, location);
        if (UNSUPPORTED.has(fn)) return this.fail(`${fn} is not supported by the local template loader`, location);
        return this.fail(`unknown intrinsic function '${fn}'`, location);
    }
  }

  private fnGetAtt(arg: unknown, location: Location, argAt: Location): unknown {
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      if (dot <= 0 || dot === arg.length - 1)
        return this.fail(`Fn::GetAtt needs 'LogicalId.Attribute', got '${arg}'`, location);
      return this.getAtt(arg.slice(0, dot), arg.slice(dot + 1), location);
    }
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
      return this.fail('Fn::GetAtt needs [LogicalId, Attribute] or "LogicalId.Attribute"', location);
    }
    // The attribute name may itself be an intrinsic (e.g. a Ref to a parameter).
    const attribute = this.string(arg[1], at(argAt, 1), 'Fn::GetAtt attribute');
    return attribute === INVALID ? INVALID : this.getAtt(arg[0], attribute, location);
  }

  private fnSub(arg: unknown, location: Location, argAt: Location): unknown {
    const [template, rawVars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
    if (typeof template !== 'string' || (Array.isArray(arg) && (arg.length !== 2 || !isObject(rawVars)))) {
      return this.fail('Fn::Sub needs a string or [string, { Name: value, ... }]', location);
    }
    const vars = new Map<string, unknown>();
    if (isObject(rawVars)) {
      for (const [name, raw] of Object.entries(rawVars)) vars.set(name, this.value(raw, at(at(argAt, 1), name)));
    }
    let out = '';
    let invalid = false;
    for (const part of parseSub(template)) {
      if ('literal' in part) {
        out += part.literal;
        continue;
      }
      const name = part.variable;
      const dot = name.indexOf('.');
      const value = vars.has(name)
        ? vars.get(name)
        : dot > 0 && !name.startsWith('AWS::')
          ? this.getAtt(name.slice(0, dot), name.slice(dot + 1), location)
          : this.ref(name, location, true);
      const text = this.subText(name, value, location);
      if (text === INVALID) invalid = true;
      else out += text;
    }
    return invalid ? INVALID : out;
  }

  private subText(name: string, value: unknown, location: Location): string | Invalid {
    if (value === INVALID) return INVALID;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === NO_VALUE) return this.fail(`Fn::Sub: '\${${name}}' is AWS::NoValue`, location);
    return this.fail(
      `Fn::Sub: '\${${name}}' is ${Array.isArray(value) ? 'a list' : 'not a string'}; only strings can be substituted`,
      location,
    );
  }

  private fnJoin(arg: unknown, location: Location, argAt: Location): unknown {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string')
      return this.fail('Fn::Join needs [delimiter, [values]]', location);
    const items = this.listArgument(arg[1], at(argAt, 1), 'Fn::Join');
    if (items === INVALID) return INVALID;
    const strings: string[] = [];
    for (const [i, item] of items.entries()) {
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') strings.push(String(item));
      else return this.fail(`Fn::Join: item ${i} is ${Array.isArray(item) ? 'a list' : 'not a string'}`, location);
    }
    return strings.join(arg[0]);
  }

  private fnSelect(arg: unknown, location: Location, argAt: Location): unknown {
    if (!Array.isArray(arg) || arg.length !== 2) return this.fail('Fn::Select needs [index, [values]]', location);
    const rawIndex = this.value(arg[0], at(argAt, 0));
    const items = this.listArgument(arg[1], at(argAt, 1), 'Fn::Select');
    if (rawIndex === INVALID || items === INVALID) return INVALID;
    const index = typeof rawIndex === 'string' && /^\d+$/.test(rawIndex) ? Number(rawIndex) : rawIndex;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      return this.fail(`Fn::Select: index must be a non-negative integer, got ${JSON.stringify(rawIndex)}`, location);
    }
    if (index >= items.length)
      return this.fail(`Fn::Select: index ${index} is out of range for a list of ${items.length}`, location);
    return items[index];
  }

  private fnFindInMap(arg: unknown, location: Location, argAt: Location): unknown {
    if (!Array.isArray(arg) || arg.length !== 3)
      return this.fail('Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]', location);
    const keys = arg.map((k, i) => this.string(k, at(argAt, i), 'Fn::FindInMap'));
    if (keys.includes(INVALID)) return INVALID;
    const [mapName, top, second] = keys as [string, string, string];
    const map = this.env.mappings[mapName];
    if (!isObject(map)) return this.fail(`Fn::FindInMap: no mapping '${mapName}'`, location);
    const level = map[top];
    if (!isObject(level)) return this.fail(`Fn::FindInMap: mapping '${mapName}' has no key '${top}'`, location);
    if (!(second in level))
      return this.fail(`Fn::FindInMap: mapping '${mapName}.${top}' has no key '${second}'`, location);
    return level[second];
  }

  private fnIf(arg: unknown, location: Location, argAt: Location): unknown {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
      return this.fail('Fn::If needs [ConditionName, valueIfTrue, valueIfFalse]', location);
    }
    const condition = this.env.condition(arg[0], location);
    if (condition === INVALID) return INVALID;
    return condition ? this.value(arg[1], at(argAt, 1)) : this.value(arg[2], at(argAt, 2));
  }

  /** A list written inline or produced by an intrinsic (Fn::Split, Fn::GetAZs, a list parameter ...). */
  private listArgument(input: unknown, location: Location, fn: string): unknown[] | Invalid {
    const value = this.value(input, location);
    if (value === INVALID) return INVALID;
    if (!Array.isArray(value)) return this.fail(`${fn}: expected a list`, location);
    return value;
  }

  /** An argument that must evaluate to a string (numbers are accepted as their text, as CloudFormation does). */
  private string(input: unknown, location: Location, fn: string): string | Invalid {
    const value = this.value(input, location);
    if (value === INVALID) return INVALID;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    return this.fail(`${fn}: expected a string, got ${describe(value)}`, location);
  }

  private fail(message: string, location: Location): Invalid {
    this.issues.add(message, location);
    return INVALID;
  }
}

function describe(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a map' : JSON.stringify(value);
}

/** CloudFormation compares as strings: `true` equals "true", 5 equals "5". */
function comparable(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(String(value));
  if (Array.isArray(value)) return `[${value.map(comparable).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${comparable(value[k])}`)
      .join(',')}}`;
  }
  return String(value);
}

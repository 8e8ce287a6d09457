// The Parameters section: each parameter's value from its override or Default, checked against
// its constraints the way CloudFormation checks them at deploy time.
import { at, type IssueCollector, type Location } from './errors.js';

import type { ParameterValue } from './types.js';
import { isObject } from '../../json.js';

const PARAMETER_KEYS = new Set([
  'Type',
  'Default',
  'Description',
  'AllowedValues',
  'AllowedPattern',
  'MinLength',
  'MaxLength',
  'MinValue',
  'MaxValue',
  'ConstraintDescription',
  'NoEcho',
]);

type Kind = { list: boolean; number: boolean };

/**
 * String, Number, CommaDelimitedList, List<Number>, and the AWS-specific types (AWS::EC2::VPC::Id,
 * List<AWS::EC2::Subnet::Id> ...) which are plain strings / lists here, there being nothing to look
 * them up in. AWS::SSM::Parameter::Value<...> needs Parameter Store, so it is refused.
 */
function kindOf(type: string): Kind | string {
  if (type === 'String' || type === 'AWS::SSM::Parameter::Name') return { list: false, number: false };
  if (type === 'Number') return { list: false, number: true };
  if (type === 'CommaDelimitedList') return { list: true, number: false };
  if (type === 'List<Number>') return { list: true, number: true };
  if (type.startsWith('AWS::SSM::Parameter::Value<')) {
    return `type ${type} reads Parameter Store, which the local cloud does not have; use a String parameter locally`;
  }
  if (/^AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+$/.test(type)) return { list: false, number: false };
  if (/^List<AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+>$/.test(type)) return { list: true, number: false };
  return `unknown parameter type '${type}'`;
}

export function resolveParameters(
  section: unknown,
  overrides: Readonly<Record<string, string>>,
  issues: IssueCollector,
): Map<string, ParameterValue> {
  const values = new Map<string, ParameterValue>();
  const definitions = section === undefined ? {} : section;
  if (!isObject(definitions)) {
    issues.add('must be a map of parameter names to definitions', { path: 'Parameters' });
    return values;
  }
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(definitions, name))
      issues.add(`override for unknown parameter '${name}'`, { path: 'Parameters' });
  }
  for (const [name, definition] of Object.entries(definitions)) {
    const location: Location = { path: `Parameters.${name}` };
    if (!/^[A-Za-z0-9]+$/.test(name)) {
      issues.add('parameter names must be alphanumeric', location);
      continue;
    }
    const value = resolveParameter(name, definition, overrides[name], location, issues);
    if (value !== undefined) values.set(name, value);
  }
  return values;
}

function resolveParameter(
  name: string,
  definition: unknown,
  override: string | undefined,
  location: Location,
  issues: IssueCollector,
): ParameterValue | undefined {
  if (!isObject(definition)) {
    issues.add('must be a map with at least Type', location);
    return undefined;
  }
  for (const key of Object.keys(definition)) {
    if (!PARAMETER_KEYS.has(key)) issues.add(`unknown parameter attribute '${key}'`, at(location, key));
  }
  const type = definition['Type'];
  if (typeof type !== 'string') {
    issues.add('Type is required and must be a string', location);
    return undefined;
  }
  const kind = kindOf(type);
  if (typeof kind === 'string') {
    issues.add(kind, at(location, 'Type'));
    return undefined;
  }
  const raw = override ?? scalarDefault(definition['Default'], at(location, 'Default'), issues);
  if (raw === undefined) {
    if (!('Default' in definition))
      issues.add(`parameter '${name}' has no Default and no override was given`, location);
    return undefined;
  }
  // CloudFormation trims each member of a list parameter.
  const items = kind.list ? raw.split(',').map((s) => s.trim()) : [raw];
  const source = override !== undefined ? `override ${name}=${JSON.stringify(raw)}` : `Default ${JSON.stringify(raw)}`;
  const problems = items.flatMap((item) => checkConstraints(item, kind, definition));
  if (problems.length > 0) {
    const description =
      typeof definition['ConstraintDescription'] === 'string' ? ` (${definition['ConstraintDescription']})` : '';
    for (const problem of new Set(problems)) issues.add(`${source}: ${problem}${description}`, location);
    return undefined;
  }
  return kind.list ? items : raw;
}

function scalarDefault(value: unknown, location: Location, issues: IssueCollector): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  // YAML reads `Default: 5` or `Default: true` as non-strings; CloudFormation sees the text.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  issues.add('Default must be a string (a list parameter takes "a,b,c")', location);
  return undefined;
}

function checkConstraints(value: string, kind: Kind, definition: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const allowed = definition['AllowedValues'];
  if (Array.isArray(allowed) && !allowed.some((a) => String(a) === value)) {
    problems.push(`'${value}' is not one of the AllowedValues [${allowed.map(String).join(', ')}]`);
  }
  if (kind.number) {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) return [...problems, `'${value}' is not a number`];
    const min = numberAttribute(definition['MinValue']);
    const max = numberAttribute(definition['MaxValue']);
    if (min !== undefined && n < min) problems.push(`${value} is less than MinValue ${min}`);
    if (max !== undefined && n > max) problems.push(`${value} is greater than MaxValue ${max}`);
    return problems;
  }
  const pattern = definition['AllowedPattern'];
  // AllowedPattern must match the whole value.
  if (typeof pattern === 'string') {
    const regex = compilePattern(pattern);
    if (!regex) problems.push(`AllowedPattern ${pattern} is not a valid regular expression`);
    else if (!regex.test(value)) problems.push(`'${value}' does not match AllowedPattern ${pattern}`);
  }
  const minLength = numberAttribute(definition['MinLength']);
  const maxLength = numberAttribute(definition['MaxLength']);
  if (minLength !== undefined && value.length < minLength)
    problems.push(`'${value}' is shorter than MinLength ${minLength}`);
  if (maxLength !== undefined && value.length > maxLength)
    problems.push(`'${value}' is longer than MaxLength ${maxLength}`);
  return problems;
}

function numberAttribute(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

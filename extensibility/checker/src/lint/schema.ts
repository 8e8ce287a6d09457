// A resource's properties, as the loader resolved them (Globals merged, every intrinsic evaluated),
// against its type's schema: unknown properties, wrong types, missing required properties, values
// outside the allowed ones. CloudFormation converts scalars as it reads them ("5" is a number,
// 5 a string, "true" a boolean), so this does too.
import type { PropertyType, ResourceProperties } from '@aws-cdk/service-spec-types';
import { editDistance, isObject } from '@serverlesspresso/catalog/bus';
import type { LintSpec } from './spec.js';

export interface SchemaProblem {
  /** Template path of the value at fault, e.g. `Resources.T.Properties.KeySchema[0].KeyType`. */
  path: string;
  message: string;
  fix: string;
}

/** The names nearest to `name`, for "did you mean". */
export function nearest(name: string, names: Iterable<string>, max = 2): string[] {
  const scored = [...names]
    .map((n) => ({ n, d: editDistance(name, n) }))
    .filter(({ n, d }) => d <= Math.max(2, Math.floor(Math.min(name.length, n.length) / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, max).map((s) => s.n);
}

const describe = (t: PropertyType, spec: LintSpec): string => {
  switch (t.type) {
    case 'ref':
      return `a ${spec.definition(t).name} object`;
    case 'array':
      return `a list of ${describe(t.element, spec).replace(/^an? /, '')}`;
    case 'map':
      return `a map of ${describe(t.element, spec).replace(/^an? /, '')}`;
    case 'union':
      return t.types.map((u) => describe(u, spec)).join(' or ');
    case 'tag':
      return 'a tag ({ Key, Value })';
    case 'json':
      return 'JSON';
    case 'integer':
      return 'an integer';
    default:
      return `a ${t.type}`;
  }
};

const show = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

type Shape = 'object' | 'list' | 'scalar';
const shapeOf = (v: unknown): Shape => (Array.isArray(v) ? 'list' : isObject(v) ? 'object' : 'scalar');
const shapeOfType = (t: PropertyType): Shape =>
  t.type === 'array' ? 'list' : t.type === 'ref' || t.type === 'tag' || t.type === 'map' ? 'object' : 'scalar';

export class SchemaValidator {
  constructor(
    private readonly spec: LintSpec,
    /** What the fix says the type is, e.g. "AWS::DynamoDB::Table" (named in messages). */
    private readonly typeName: string,
  ) {}

  /** Problems of an object of the given properties (a resource's Properties, or a nested definition). */
  object(value: unknown, properties: ResourceProperties, path: string, where: string): SchemaProblem[] {
    if (!isObject(value))
      return [
        { path, message: `must be an object, not ${show(value)}`, fix: `write ${where} as a map of its properties` },
      ];
    const problems: SchemaProblem[] = [];
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      const at = `${path}.${name}`;
      if (!property) {
        const near = nearest(name, Object.keys(properties));
        problems.push(
          name === 'Description'
            ? {
                path: at,
                message: `${where} takes no Description: CloudFormation refuses the property`,
                fix: 'remove it; say it in a YAML comment instead',
              }
            : {
                path: at,
                message: `${where} has no property ${name}`,
                fix: near.length
                  ? `did you mean ${near.join(' or ')}? (the properties of ${this.typeName} are in its CloudFormation reference)`
                  : `remove it: the properties of ${where} are ${Object.keys(properties).sort().join(', ')}`,
              },
        );
        continue;
      }
      problems.push(...this.value(v, property.type, at, name));
    }
    for (const [name, property] of Object.entries(properties))
      if (property.required && !(name in value))
        problems.push({
          path,
          message: `${where} needs ${name}, which is missing`,
          fix: `add ${name}: ${describe(property.type, this.spec)}`,
        });
    return problems;
  }

  /** Problems of one value of the given type; `name` is the property it belongs to (for messages). */
  value(v: unknown, type: PropertyType, path: string, name: string): SchemaProblem[] {
    const wrong = (): SchemaProblem[] => [
      {
        path,
        message: `${name} must be ${describe(type, this.spec)}, not ${show(v)}`,
        fix: `write ${name} as ${describe(type, this.spec)}`,
      },
    ];
    switch (type.type) {
      case 'json':
        return [];
      case 'string':
      case 'date-time': {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return wrong();
        const allowed = type.type === 'string' ? type.allowedValues : undefined;
        if (allowed && allowed.length && !allowed.includes(String(v))) {
          const near = nearest(String(v), allowed, 1);
          return [
            {
              path,
              message: `${name} is ${show(v)}, which is not one of ${allowed.join(', ')}`,
              fix: near.length ? `did you mean ${near[0]}?` : `use one of ${allowed.join(', ')}`,
            },
          ];
        }
        return [];
      }
      case 'number':
      case 'integer': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (!Number.isFinite(n) || (type.type === 'integer' && !Number.isInteger(n))) return wrong();
        const allowed = type.type === 'integer' ? type.allowedValues : undefined;
        if (allowed && allowed.length && !allowed.includes(n))
          return [
            {
              path,
              message: `${name} is ${n}, which is not one of ${allowed.join(', ')}`,
              fix: `use one of ${allowed.join(', ')}`,
            },
          ];
        return [];
      }
      case 'boolean':
        return typeof v === 'boolean' || v === 'true' || v === 'false' ? [] : wrong();
      case 'null':
        return v === null ? [] : wrong();
      case 'tag':
        return isObject(v) && 'Key' in v && 'Value' in v ? [] : wrong();
      case 'array':
        return Array.isArray(v) ? v.flatMap((e, i) => this.value(e, type.element, `${path}[${i}]`, name)) : wrong();
      case 'map':
        return isObject(v)
          ? Object.entries(v).flatMap(([k, e]) => this.value(e, type.element, `${path}.${k}`, name))
          : wrong();
      case 'ref': {
        const definition = this.spec.definition(type);
        return this.object(v, definition.properties, path, `${name} (${definition.name})`);
      }
      case 'union': {
        // The branch that fits best: none wrong, else the object branch with the fewest problems.
        let best: SchemaProblem[] | undefined;
        for (const branch of type.types) {
          const problems = this.value(v, branch, path, name);
          if (problems.length === 0) return [];
          if (shapeOfType(branch) === shapeOf(v) && (best === undefined || problems.length < best.length))
            best = problems;
        }
        return best ?? wrong();
      }
      default:
        return [];
    }
  }
}

// What the template as written names: resource types CloudFormation (or SAM) knows, `Ref` and
// `DependsOn` of something that exists, `Fn::GetAtt` of an attribute the type has.
import { isObject } from '@serverlesspresso/catalog/bus';
import { intrinsic, subVariables, walk, type RawTemplate } from '../raw.js';
import { nearest } from './schema.js';
import type { LintSpec } from './spec.js';

export interface RawProblem {
  id: 'lint.schema' | 'lint.references';
  resource: string;
  path: string;
  message: string;
  fix: string;
}

const CUSTOM = /^(Custom::[A-Za-z0-9_@-]+|AWS::CloudFormation::CustomResource)$/;
/** What SAM generates next to a resource (`<Fn>Role`, `<Fn><Event>`, `<Fn>Alias<alias>`): a template may name it. */
const SAM_IMPLICIT = new Set(['ServerlessRestApi', 'ServerlessHttpApi', 'ServerlessDeploymentApp']);

/** `generated`: what the SAM transform adds (as the loader found it), which a template may name. */
export function checkReferences(
  raw: RawTemplate,
  spec: LintSpec,
  generated: ReadonlySet<string> = new Set(),
): RawProblem[] {
  const problems: RawProblem[] = [];
  const resources = raw.resources;
  const parameters = Object.keys(raw.parameters);
  const samIds = Object.entries(resources)
    .filter(([, r]) => String(r.Type).startsWith('AWS::Serverless::'))
    .map(([id]) => id);
  const queues = new Set<string>();
  walk(raw.resources, '', (v) => {
    if (isObject(v) && typeof v.QueueLogicalId === 'string') queues.add(v.QueueLogicalId);
  });
  const isGenerated = (name: string) =>
    generated.has(name) ||
    queues.has(name) ||
    SAM_IMPLICIT.has(name) ||
    samIds.some((id) => name.startsWith(id) && name !== id);
  const names = [...Object.keys(resources), ...parameters];
  const unknownName = (name: string, resource: string, path: string, how: string) => {
    const near = nearest(name, names, 1);
    problems.push({
      id: 'lint.references',
      resource,
      path,
      message: `${how} ${name}, which is no resource or parameter of the template`,
      fix: near.length
        ? `did you mean ${near[0]}?`
        : `declare ${name} under Resources or Parameters, or remove the reference`,
    });
  };
  const getAtt = (target: string, attribute: string, resource: string, path: string) => {
    const r = resources[target];
    if (!r) {
      if (!isGenerated(target)) unknownName(target, resource, path, 'Fn::GetAtt reads');
      return;
    }
    const type = String(r.Type);
    if (CUSTOM.test(type)) return;
    if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return;
    const attributes = spec.attributes(type);
    if (!attributes || attributes.includes(attribute)) return;
    const near = nearest(attribute, attributes, 1);
    problems.push({
      id: 'lint.references',
      resource,
      path,
      message: `Fn::GetAtt reads ${target}.${attribute}, but ${type} has no attribute ${attribute}`,
      fix: attributes.length
        ? `${near.length ? `did you mean ${target}.${near[0]}? ` : ''}${type}'s attributes are ${attributes.join(', ')}`
        : `${type} has no attributes: use !Ref ${target}`,
    });
  };

  const scan = (id: string, node: unknown, path: string, locals: ReadonlySet<string>): void =>
    walk(node, path, (value, at) => {
      const fn = intrinsic(value);
      if (!fn) return true;
      const [name, arg] = fn;
      if (name === 'Ref' && typeof arg === 'string') {
        if (!arg.startsWith('AWS::') && !(arg in resources) && !parameters.includes(arg) && !isGenerated(arg))
          unknownName(arg, id, at, 'Ref names');
        return false;
      }
      if (name === 'Fn::GetAtt') {
        const [target, attribute] = Array.isArray(arg)
          ? [String(arg[0]), typeof arg[1] === 'string' ? arg[1] : undefined]
          : [String(arg).split('.')[0]!, String(arg).split('.').slice(1).join('.')];
        if (attribute !== undefined) getAtt(target, attribute, id, at);
        return false;
      }
      if (name === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        const own = new Set([...locals, ...(isObject(vars) ? Object.keys(vars) : [])]);
        if (typeof text === 'string')
          for (const v of subVariables(text)) {
            const [target = '', ...rest] = v.split('.');
            if (own.has(v) || target.startsWith('AWS::')) continue;
            if (rest.length) getAtt(target, rest.join('.'), id, at);
            else if (!(target in resources) && !parameters.includes(target) && !isGenerated(target))
              unknownName(target, id, at, 'Fn::Sub names');
          }
        if (isObject(vars)) scan(id, vars, `${at}.Fn::Sub[1]`, locals);
        return false;
      }
      return true;
    });

  for (const [id, r] of Object.entries(resources)) {
    const base = `Resources.${id}`;
    const type = typeof r.Type === 'string' ? r.Type : '';
    if (type && !CUSTOM.test(type) && !spec.resource(type)) {
      const near = nearest(type, spec.typeNames(), 1);
      problems.push({
        id: 'lint.schema',
        resource: id,
        path: `${base}.Type`,
        message: `${type} is not a resource type of CloudFormation or SAM`,
        fix: near.length ? `did you mean ${near[0]}?` : 'use a type of the CloudFormation resource reference',
      });
    }
    const definition = r as Record<string, unknown>;
    const dependsOn = definition.DependsOn;
    const deps = typeof dependsOn === 'string' ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn : [];
    deps.forEach((d, i) => {
      const at = Array.isArray(dependsOn) ? `${base}.DependsOn[${i}]` : `${base}.DependsOn`;
      if (typeof d === 'string' && !(d in resources) && !isGenerated(d)) {
        const near = nearest(d, Object.keys(resources), 1);
        problems.push({
          id: 'lint.references',
          resource: id,
          path: at,
          message: `DependsOn ${d}, which is no resource of the template`,
          fix: near.length ? `did you mean ${near[0]}?` : `remove ${d} from DependsOn`,
        });
      }
    });
    scan(id, r.Properties, `${base}.Properties`, new Set());
  }
  if (isObject(raw.root.Outputs)) scan('(template)', raw.root.Outputs, 'Outputs', new Set());
  return problems;
}

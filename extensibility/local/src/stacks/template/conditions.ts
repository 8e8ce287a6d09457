// The Conditions section: each condition evaluated once, on demand, so conditions may refer to
// each other in any order; a condition that reaches itself is reported with the whole loop.
import { type IssueCollector, type Location } from './errors.js';
import { Evaluator, INVALID, type Environment, type Invalid } from './intrinsics.js';
import { isObject } from '../../json.js';

export function evaluateConditions(
  section: unknown,
  env: Omit<Environment, 'condition' | 'resources'>,
  issues: IssueCollector,
): Record<string, boolean> {
  const definitions: Record<string, unknown> = {};
  if (section !== undefined) {
    if (isObject(section)) Object.assign(definitions, section);
    else issues.add('must be a map of condition names to condition expressions', { path: 'Conditions' });
  }
  const values = new Map<string, boolean | Invalid>();
  const evaluating: string[] = [];

  const lookup = (name: string, location: Location): boolean | Invalid => {
    const known = values.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(definitions, name)) {
      issues.add(`unknown condition '${name}'`, location);
      return INVALID;
    }
    const loopStart = evaluating.indexOf(name);
    if (loopStart >= 0) {
      issues.add(`circular condition reference: ${[...evaluating.slice(loopStart), name].join(' -> ')}`, {
        path: `Conditions.${name}`,
      });
      // Record the failure so the conditions in the loop do not report it again.
      for (const n of evaluating.slice(loopStart)) values.set(n, INVALID);
      return INVALID;
    }
    evaluating.push(name);
    const value = evaluator.condition(definitions[name], { path: `Conditions.${name}` });
    evaluating.pop();
    if (!values.has(name)) values.set(name, value);
    return values.get(name) as boolean | Invalid;
  };
  const evaluator = new Evaluator({ ...env, condition: lookup }, issues);

  const result: Record<string, boolean> = {};
  for (const name of Object.keys(definitions)) {
    const value = lookup(name, { path: `Conditions.${name}` });
    if (value !== INVALID) result[name] = value;
  }
  return result;
}

/** Condition lookup for Resources and Outputs, once every condition is known. */
export function conditionLookup(
  conditions: Readonly<Record<string, boolean>>,
  definedNames: ReadonlySet<string>,
  issues: IssueCollector,
) {
  return (name: string, location: Location): boolean | Invalid => {
    const value = conditions[name];
    if (value !== undefined) return value;
    // A defined condition missing from the result failed to evaluate, and is already reported.
    if (!definedNames.has(name)) issues.add(`unknown condition '${name}'`, location);
    return INVALID;
  };
}

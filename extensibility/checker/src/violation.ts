// A broken rule: which rule, where (file, resource, property), what, and how to fix it.
import type { Finding } from '@serverlesspresso/catalog/bus';

/**
 * 1: the extension touches nothing outside its own template; 2: it routes events of the contract
 * with at least one rule on the bus; 3: on the local cloud it deploys and deletes alone and leaves
 * the core as it found it. "template": the template does not load, so nothing else can be checked.
 */
export type RuleId = 1 | 2 | 3 | 'template';

export interface Violation extends Finding {
  rule: RuleId;
}

export const RULES: Record<RuleId, string> = {
  1: 'only its own resources',
  2: 'routes events of the contract',
  3: 'deploys and deletes alone, the core unchanged',
  template: 'the template loads',
};

/** "rule 1 (only its own resources): Fn: Properties.Policies[0]: ...", then the fix on its own line. */
export function formatViolation(v: Violation): string {
  const rule = v.rule === 'template' ? 'template' : `rule ${v.rule} (${RULES[v.rule]})`;
  const prefix = `Resources.${v.resource}.`;
  const property = v.property.startsWith(prefix) ? v.property.slice(prefix.length) : v.property;
  return `${rule}: ${v.resource}: ${property}: ${v.message}\n    fix: ${v.fix}`;
}

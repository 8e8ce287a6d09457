// A broken check: which one (its id, and the rule it belongs to), where (file, resource,
// property), what, and how to fix it.
import type { Finding } from '@serverlesspresso/catalog/bus';
import { CHECKS, type CheckId } from './checks.js';

/**
 * 1: the extension touches nothing outside its own template; 2: it routes events of the contract
 * with at least one rule on the bus; 3: on the local cloud it deploys and deletes alone and leaves
 * the core as it found it. "template": the template does not load, so nothing else can be checked.
 * "meta": what the extension says of itself (extension.json, waivers). "lint": `presso lint`, the
 * template deploys on AWS (CloudFormation's schemas, IAM's reference, hygiene), over every app.
 */
export type RuleId = 1 | 2 | 3 | 'template' | 'meta' | 'lint';

export interface Violation extends Finding {
  /** The check, e.g. `1.scoped-policy` (checks.ts; documented in the checker's README). */
  id: CheckId;
  rule: RuleId;
}

export const RULES: Record<RuleId, string> = {
  1: 'only its own resources',
  2: 'routes events of the contract',
  3: 'deploys and deletes alone, the core unchanged',
  template: 'the template loads',
  meta: 'what the extension says of itself',
  lint: 'deploys on AWS',
};

/** A violation of check `id`, its rule taken from the id. */
export const violationOf = (id: CheckId, f: Finding): Violation => ({ id, rule: CHECKS[id].rule, ...f });

/** A check waived by the template: which, on what, and why. */
export interface Waived {
  id: CheckId;
  resource: string;
  reason: string;
  /** The violations it silenced (none when the check passed anyway). */
  violations: Violation[];
  /** Whether the check ran (rule 3's run only with --isolation). */
  checked: boolean;
}

/** "1.scoped-policy (rule 1, only its own resources): Fn: Properties.Policies[0]: ...", then the fix on its own line. */
export function formatViolation(v: Violation): string {
  const rule = typeof v.rule === 'number' ? `rule ${v.rule}, ${RULES[v.rule]}` : RULES[v.rule];
  const prefix = `Resources.${v.resource}.`;
  const property = v.property.startsWith(prefix) ? v.property.slice(prefix.length) : v.property;
  return `${v.id} (${rule}): ${v.resource}: ${property}: ${v.message}\n    fix: ${v.fix}`;
}

/** "waived 1.scoped-policy on Fn: the reason (2 violations)". */
export const formatWaived = (w: Waived): string =>
  `waived ${w.id} on ${w.resource}: ${w.reason}${w.violations.length ? '' : w.checked ? ' (nothing to waive: the check passes)' : ' (the check runs with --isolation)'}`;

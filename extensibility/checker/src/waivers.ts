// Waivers: a template may waive a check by its id, with a reason, in its Metadata: on a resource
// (for that resource's violations) or at the template's top level (for all of them):
//
//   Metadata:
//     Checks:
//       Waive:
//         - { Id: 1.scoped-policy, Reason: why this extension needs it }
//
// A waived check still runs and what it found is shown as waived; a waiver naming no known check,
// a check that cannot be waived, or no reason is itself a violation (meta.waiver).
import { CHECKS, isCheckId, type CheckId, type CheckInfo } from './checks.js';
import { isObject } from '@serverlesspresso/catalog/bus';
import { type Node, type RawTemplate } from './raw.js';
import { violationOf, type Violation, type Waived } from './violation.js';

export interface Waiver {
  id: CheckId;
  /** The resource's logical id, or "(template)" for a waiver of the whole template. */
  resource: string;
  reason: string;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The template's waivers, and a violation for each malformed one. */
export function waiversOf(raw: RawTemplate, file: string): { waivers: Waiver[]; violations: Violation[] } {
  const waivers: Waiver[] = [];
  const violations: Violation[] = [];
  const places: Array<[string, string, unknown]> = [
    ['(template)', 'Metadata', raw.root.Metadata],
    ...Object.entries(raw.resources).map(([id, r]): [string, string, unknown] => [
      id,
      `Resources.${id}.Metadata`,
      r.Metadata,
    ]),
  ];
  for (const [resource, at, metadata] of places) {
    const checks = isObject(metadata) ? metadata.Checks : undefined;
    if (checks === undefined) continue;
    const waive = isObject(checks) ? checks.Waive : undefined;
    list(waive).forEach((w, i) => {
      const property = `${at}.Checks.Waive${Array.isArray(waive) ? `[${i}]` : ''}`;
      const bad = (message: string, fix: string) =>
        violations.push(violationOf('meta.waiver', { file, resource, property, message, fix }));
      const { Id: id, Reason: reason } = (isObject(w) ? w : {}) as Node;
      if (!isCheckId(id))
        return bad(
          `waives ${JSON.stringify(id)}, which is not the id of a check`,
          `use an id of the checker's README table, e.g. { Id: 1.scoped-policy, Reason: ... }`,
        );
      if (!CHECKS[id].waivable)
        return bad(`waives ${id}, which cannot be waived`, 'remove the waiver and correct what the check reports');
      if (typeof reason !== 'string' || reason.trim() === '')
        return bad(`waives ${id} without a reason`, 'say why in Reason: the reviewer reads it');
      waivers.push({ id, resource, reason: reason.trim() });
    });
  }
  return { waivers, violations };
}

/**
 * The violations no waiver covers, and each waiver with what it silenced. `isolation`: the run is
 * rule 3's, so its checks ran (and the others did not: their waivers are rules 1 and 2's to show).
 */
export function applyWaivers(
  violations: Violation[],
  waivers: Waiver[],
  isolation = false,
): { violations: Violation[]; waived: Waived[] } {
  const ranInIsolation = (id: CheckId) => (CHECKS[id] as CheckInfo).isolation === true;
  const waived: Waived[] = waivers
    .filter((w) => !isolation || ranInIsolation(w.id))
    .map((w) => ({ ...w, violations: [], checked: isolation || !ranInIsolation(w.id) }));
  const kept = violations.filter((v) => {
    const w = waived.find((x) => x.id === v.id && (x.resource === '(template)' || x.resource === v.resource));
    if (!w) return true;
    w.violations.push(v);
    return false;
  });
  return { violations: kept, waived };
}

/** Waivers of two runs over one template (rules 1 and 2, then rule 3), each once with all it silenced. */
export function mergeWaived(a: Waived[], b: Waived[]): Waived[] {
  const out = a.map((w) => ({ ...w, violations: [...w.violations] }));
  for (const w of b) {
    const same = out.find((x) => x.id === w.id && x.resource === w.resource);
    if (same) {
      same.violations.push(...w.violations);
      same.checked ||= w.checked;
    } else out.push(w);
  }
  return out;
}

// Whether a rule consumes an event of the contract exactly (it matches every event its schema
// accepts) or only under a condition on the event's fields ("when `detail.orderId` is present"),
// read from the pattern and the schema: a field the schema requires, an enum the pattern lists whole,
// `exists: true` on a required field or `exists: false` on one a closed schema cannot carry ask for
// nothing; anything else is a condition, and one on a field the schema does not declare is said so.
import type { ContractEntry } from '../contract.js';
import { compilePattern, isObject } from './local.js';
import { alternatives } from './witness.js';

type Node = Record<string, unknown>;

/** A condition of a pattern's alternative on an event of the entry. */
export interface Condition {
  /** E.g. "`detail.orderId` is present". */
  text: string;
  /** The field is not in the schema: only an event carrying an unknown field can meet it. */
  undeclared: boolean;
  /** It asks for a field (or a value) rather than its absence. */
  demands: boolean;
  /** `detail.replay` absent: live events only, not the EventPlayer's replays (its mark, in no schema's fields). */
  live?: true;
}

/** How a rule consumes an entry it matches. */
export interface Consumption {
  /** Undefined when it matches every event valid under the schema; else e.g. "when `detail.orderId` is present". */
  condition?: string;
  /** Every way it matches needs a field the schema does not declare: no event of the contract is meant for it. */
  undeclaredOnly: boolean;
  /** It takes live events only: every way it matches wants `detail.replay` absent (the EventPlayer's mark). */
  liveOnly: boolean;
}

function leaves(pattern: Node, path: string[] = []): Array<{ path: string[]; matchers: unknown[] }> {
  return Object.entries(pattern).flatMap(([key, value]) =>
    Array.isArray(value)
      ? [{ path: [...path, key], matchers: value }]
      : isObject(value)
        ? leaves(value, [...path, key])
        : [],
  );
}

interface FieldInfo {
  declared: boolean;
  required: boolean;
  /** The field cannot be on a valid event: a closed object without it. */
  impossible: boolean;
  enum?: unknown[];
}

/** What the schema says of a detail field, by path under `detail`. */
function fieldOf(schema: Node, path: string[]): FieldInfo {
  let node: Node | undefined = schema;
  let required = true;
  for (const key of path) {
    const props: Node = node && isObject(node.properties) ? node.properties : {};
    const child = props[key];
    if (!isObject(child)) {
      return { declared: false, required: false, impossible: node?.additionalProperties === false };
    }
    required &&= Array.isArray(node?.required) && (node.required as unknown[]).includes(key);
    node = child;
  }
  return { declared: true, required, impossible: false, ...(Array.isArray(node?.enum) ? { enum: node.enum } : {}) };
}

const literal = (m: unknown) => m === null || typeof m !== 'object';
const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** The condition a leaf of a pattern puts on an event of the entry; undefined when every valid event meets it. */
function leafCondition(entry: ContractEntry, path: string[], matchers: unknown[]): Condition | undefined {
  const field = fieldOf(entry.schema, path.slice(1));
  const name = `\`${path.join('.')}\``;
  const only = matchers.length === 1 && isObject(matchers[0]) ? (matchers[0] as Node) : undefined;
  if (only && 'exists' in only) {
    if (path.join('.') === 'detail.replay' && only.exists === false)
      return { text: '`detail.replay` is absent', undeclared: false, demands: false, live: true };
    if (only.exists === true && field.required) return undefined;
    if (only.exists === false && field.impossible) return undefined;
    const present = only.exists !== false;
    return {
      text: `${name} is ${present ? 'present' : 'absent'}${field.declared ? '' : ' (not a field of its schema)'}`,
      undeclared: !field.declared,
      demands: present,
    };
  }
  if (field.enum && field.required && field.enum.every((v) => matchers.some((m) => literal(m) && m === v)))
    return undefined;
  const text = matchers.every(literal)
    ? matchers.length === 1
      ? `${name} is ${show(matchers[0])}`
      : `${name} is one of ${matchers.map(show).join(', ')}`
    : `${name} matches ${JSON.stringify(matchers)}`;
  return {
    text: text + (field.declared ? '' : ' (not a field of its schema)'),
    undeclared: !field.declared,
    demands: true,
  };
}

const accepts = (path: string[], matchers: unknown[], value: unknown): boolean => {
  let pattern: unknown = matchers;
  for (const key of [...path].reverse()) pattern = { [key]: pattern };
  let event: unknown = value;
  for (const key of [...path].reverse()) event = { [key]: event };
  return compilePattern(JSON.stringify(pattern)).matches(event);
};

/**
 * The conditions of one alternative of a pattern (no $or) on events of the entry: [] when it matches
 * them all, undefined when it matches none of them (another source or detail-type).
 */
function alternativeConditions(entry: ContractEntry, alternative: Node): Condition[] | undefined {
  const conditions: Condition[] = [];
  for (const { path, matchers } of leaves(alternative)) {
    const [top] = path;
    if (path.length === 1 && top === 'source') {
      if (!accepts(path, matchers, entry.example.source)) return undefined;
    } else if (path.length === 1 && top === 'detail-type') {
      const concrete = entry.example['detail-type'];
      if (!entry.embeds) {
        if (!accepts(path, matchers, concrete)) return undefined;
        continue;
      }
      // A family: every member, or some tenants only.
      const other = entry.detailType.replace(`{${entry.embeds}}`, 'Zq9Other');
      const named = matchers.filter((m): m is string => typeof m === 'string' && entry.match(m) !== undefined);
      if (accepts(path, matchers, concrete) && accepts(path, matchers, other)) continue;
      if (named.length === 0 && !accepts(path, matchers, concrete) && !accepts(path, matchers, other)) return undefined;
      const tenants = named.map((m) => entry.match(m)!.embedded);
      conditions.push({
        text:
          tenants.length > 0
            ? `\`detail.${entry.embeds}\` is ${tenants.map(show).join(' or ')} (its detail-type names the tenant)`
            : `the detail-type matches ${JSON.stringify(matchers)}`,
        undeclared: false,
        demands: true,
      });
    } else if (top === 'detail') {
      const c = leafCondition(entry, path, matchers);
      if (c) conditions.push(c);
    } else {
      // Other envelope fields (account, region, resources, replay-name): a condition on the delivery.
      conditions.push({
        text: `\`${path.join('.')}\` matches ${JSON.stringify(matchers)}`,
        undeclared: false,
        demands: true,
      });
    }
  }
  return conditions;
}

/** How the pattern consumes the entry, which it was found to match. */
export function consumptionOf(entry: ContractEntry, pattern: unknown): Consumption {
  const all = isObject(pattern)
    ? alternatives(pattern)
        .map((alt) => alternativeConditions(entry, alt))
        .filter((c): c is Condition[] => c !== undefined)
    : [];
  const liveOnly = all.length > 0 && all.every((c) => c.some((x) => x.live));
  const relevant = all.map((c) => c.filter((x) => !x.live));
  if (relevant.length === 0 || relevant.some((c) => c.length === 0)) return { undeclaredOnly: false, liveOnly };
  const texts = [...new Set(relevant.map((c) => c.map((x) => x.text).join(' and ')))];
  return {
    condition: `when ${texts.join(', or ')}`,
    undeclaredOnly: relevant.every((c) => c.some((x) => x.undeclared && x.demands)),
    liveOnly,
  };
}

// Matching compiled sub-rules against an event, with event-ruler's semantics:
//
// - The event is seen as leaves (string, number, boolean, null) named by the dotted path of object keys
//   leading to them; arrays add no name, each element is a leaf (or object) of the same name. So a key
//   with a dot in it and a nested object are the same path ({"a.b": 1} and {"a": {"b": 1}}).
// - A field matches when any leaf of its name satisfies any of its values; exists:true wants a leaf,
//   exists:false wants none (objects, empty arrays and missing keys have no leaf).
// - Array consistency (event-ruler's rulesForJSONEvent): leaves used for different fields may not come
//   from different elements of the same array; exists:false looks only at the leaves consistent with
//   the ones used so far, fields taken in name order as event-ruler's machine takes them.
//
// The hot path reads the event by precomputed keys and short-circuits; only a sub-rule whose outcome
// depends on which array elements are used falls back to the exact array-consistent search.

import type { Alternative, FieldPattern } from './compile.js';
import type { Leaf, LeafTest } from './matchers.js';

interface Step {
  readonly key: string;
  /** Index of the first path segment after this key. */
  readonly end: number;
  /** The key names something on Object.prototype ("constructor"...): read own properties only. */
  readonly guarded: boolean;
}

interface FieldPlan {
  readonly name: string;
  readonly segments: number;
  /** steps[i]: the keys that can stand for segments i..end-1 ("a", "a.b", "a.b.c" for segment 0). */
  readonly steps: readonly (readonly Step[])[];
  /** Whether one leaf satisfies the field's values (exists:true counts as any leaf). */
  readonly test: LeafTest;
  readonly existsFalse: boolean;
  /** Lower runs first on the hot path: cheap and selective fields reject early. */
  readonly cost: number;
}

interface AlternativePlan {
  /** Hot-path order. */
  readonly byCost: readonly FieldPlan[];
  /** Name order, for the array-consistent search. */
  readonly byName: readonly FieldPlan[];
}

type Container = Record<string, unknown>;

const OP_COST: Readonly<Record<string, number>> = {
  exact: 0,
  prefix: 1,
  suffix: 1,
  numeric: 1,
  'equals-ignore-case': 2,
  'prefix-equals-ignore-case': 2,
  'suffix-equals-ignore-case': 2,
  'anything-but': 3,
  wildcard: 3,
  cidr: 4,
};

const SHARED_ENVELOPE_FIELDS = new Set(['source', 'account', 'region', 'version']);

function isLeaf(value: unknown): value is Leaf {
  const type = typeof value;
  return value === null || type === 'string' || type === 'number' || type === 'boolean';
}

function never(): boolean {
  return false;
}

function always(): boolean {
  return true;
}

/** One test for a field's list of values: any of them. */
function combineTests(patterns: readonly FieldPattern[]): LeafTest {
  if (patterns.some((p) => p.kind === 'exists' && p.exists)) return always;
  const values = patterns.flatMap((p) => (p.kind === 'value' ? [p] : []));
  if (values.length === 0) return never;
  if (values.length === 1) return (values[0] as (typeof values)[number]).test;
  if (values.every((p) => p.exactString !== undefined)) {
    const set = new Set(values.map((p) => p.exactString as string));
    return (v) => typeof v === 'string' && set.has(v);
  }
  const tests = values.map((p) => p.test);
  return (v) => {
    for (const test of tests) if (test(v)) return true;
    return false;
  };
}

function planField(name: string, patterns: readonly FieldPattern[]): FieldPlan {
  const segments = name.split('.');
  const steps = segments.map((_, i) =>
    segments.slice(i).map((__, n): Step => {
      const key = segments.slice(i, i + n + 1).join('.');
      return { key, end: i + n + 1, guarded: key in Object.prototype };
    }),
  );
  const opCost = Math.max(0, ...patterns.map((p) => (p.kind === 'value' ? (OP_COST[p.op] ?? 4) : 3)));
  return {
    name,
    segments: segments.length,
    steps,
    test: combineTests(patterns),
    existsFalse: patterns.some((p) => p.kind === 'exists' && !p.exists),
    // Every event of a bus shares these, so they rarely reject: try them after the others.
    cost: opCost + 2 * segments.length + (SHARED_ENVELOPE_FIELDS.has(name) ? 1 : 0),
  };
}

export function planAlternative(alternative: Alternative): AlternativePlan {
  const fields = [...alternative].map(([name, patterns]) => planField(name, patterns));
  return {
    byCost: [...fields].sort((a, b) => a.cost - b.cost),
    byName: [...fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

function child(node: Container, step: Step): unknown {
  if (step.guarded) return Object.hasOwn(node, step.key) ? node[step.key] : undefined;
  return node[step.key];
}

// What a scan of one field found, as bits.
const HAS_LEAF = 1; // some leaf of the field's name
const FREE_LEAF = 2; // ... outside any array
const MATCHED = 4; // some leaf satisfies the field
const FREE_MATCH = 8; // ... outside any array: the field holds whatever else is chosen

/**
 * Arrays nested deeper than this hold nothing a pattern can see. AWS refuses such events (Jackson's
 * nesting limit); here it keeps a hostile event from exhausting the stack.
 */
const MAX_ARRAY_DEPTH = 1000;

function scanLeaf(node: unknown, inArray: boolean, field: FieldPlan, depth = 0): number {
  if (typeof node === 'object' && node !== null) {
    if (!Array.isArray(node) || depth >= MAX_ARRAY_DEPTH) return 0; // an object is not a leaf
    let bits = 0;
    for (const element of node) bits |= scanLeaf(element, true, field, depth + 1);
    return bits;
  }
  if (!isLeaf(node)) return 0;
  if (inArray) return field.test(node) ? HAS_LEAF | MATCHED : HAS_LEAF;
  return field.test(node) ? HAS_LEAF | FREE_LEAF | MATCHED | FREE_MATCH : HAS_LEAF | FREE_LEAF;
}

/** What the leaves named by the field's path, from segment on, hold. */
function scan(node: unknown, segment: number, inArray: boolean, field: FieldPlan, depth = 0): number {
  if (typeof node !== 'object' || node === null) return 0;
  if (Array.isArray(node)) {
    if (depth >= MAX_ARRAY_DEPTH) return 0;
    let bits = 0;
    for (const element of node) bits |= scan(element, segment, true, field, depth + 1);
    return bits;
  }
  let bits = 0;
  const steps = field.steps[segment] as readonly Step[];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    const next = step.guarded ? child(node as Container, step) : (node as Container)[step.key];
    if (next === undefined) continue;
    bits |= step.end === field.segments ? scanLeaf(next, inArray, field) : scan(next, step.end, inArray, field);
    if (bits & FREE_MATCH) return bits;
  }
  return bits;
}

/** The array elements a leaf sits in: (array, index) pairs, outermost first. */
interface Membership {
  readonly array: readonly unknown[];
  readonly index: number;
}

interface Candidate {
  readonly value: Leaf;
  readonly membership: readonly Membership[];
}

function collect(
  node: unknown,
  segment: number,
  membership: readonly Membership[],
  field: FieldPlan,
  out: Candidate[],
): void {
  if (typeof node !== 'object' || node === null) {
    if (segment === field.segments && isLeaf(node)) out.push({ value: node, membership });
    return;
  }
  if (Array.isArray(node)) {
    if (membership.length >= MAX_ARRAY_DEPTH) return;
    node.forEach((element, index) => collect(element, segment, [...membership, { array: node, index }], field, out));
    return;
  }
  if (segment === field.segments) return;
  for (const step of field.steps[segment] as readonly Step[]) {
    const next = child(node as Container, step);
    if (next !== undefined) collect(next, step.end, membership, field, out);
  }
}

function consistent(chosen: readonly Membership[], candidate: readonly Membership[]): boolean {
  for (const c of candidate) for (const m of chosen) if (m.array === c.array && m.index !== c.index) return false;
  return true;
}

function merge(chosen: readonly Membership[], candidate: readonly Membership[]): readonly Membership[] {
  const added = candidate.filter((c) => !chosen.some((m) => m.array === c.array));
  return added.length === 0 ? chosen : [...chosen, ...added];
}

interface Pending {
  readonly field: FieldPlan;
  /** Every leaf of the field's name (for exists:false, which wants none of them). */
  readonly leaves: readonly Candidate[];
  /** The leaves that satisfy the field. */
  readonly matching: readonly Candidate[];
}

function search(pending: readonly Pending[], k: number, chosen: readonly Membership[]): boolean {
  const current = pending[k];
  if (current === undefined) return true;
  // exists:false holds when no leaf of the name sits in the array elements chosen so far.
  const absent = current.field.existsFalse && !current.leaves.some((c) => consistent(chosen, c.membership));
  if (absent && search(pending, k + 1, chosen)) return true;
  for (const candidate of current.matching) {
    if (consistent(chosen, candidate.membership) && search(pending, k + 1, merge(chosen, candidate.membership)))
      return true;
  }
  return false;
}

/** The array-consistent search, over the fields the hot path could not settle. */
function matchConsistently(root: Container, plan: AlternativePlan, settled: ReadonlySet<FieldPlan>): boolean {
  const pending: Pending[] = [];
  for (const field of plan.byName) {
    if (settled.has(field)) continue;
    const leaves: Candidate[] = [];
    collect(root, 0, [], field, leaves);
    pending.push({ field, leaves, matching: leaves.filter((c) => field.test(c.value)) });
  }
  return search(pending, 0, []);
}

/** scan from the event root; a top-level field is one property read. */
function scanRoot(root: Container, field: FieldPlan): number {
  if (field.segments !== 1) return scan(root, 0, false, field);
  const step = (field.steps[0] as readonly Step[])[0] as Step;
  const value = step.guarded ? child(root, step) : root[step.key];
  return value === undefined ? 0 : scanLeaf(value, false, field);
}

export function matchAlternative(root: Container, plan: AlternativePlan): boolean {
  let unsettled = false;
  for (const field of plan.byCost) {
    const bits = scanRoot(root, field);
    if (bits & FREE_MATCH) continue;
    if (field.existsFalse && !(bits & HAS_LEAF)) continue;
    // Nothing can satisfy it: no matching leaf, and absence is ruled out by a leaf outside arrays.
    if (!(bits & MATCHED) && !(field.existsFalse && !(bits & FREE_LEAF))) return false;
    unsettled = true;
  }
  if (!unsettled) return true;
  const settled = new Set<FieldPlan>();
  for (const field of plan.byCost) {
    const bits = scanRoot(root, field);
    if (bits & FREE_MATCH || (field.existsFalse && !(bits & HAS_LEAF))) settled.add(field);
  }
  return matchConsistently(root, plan, settled);
}

const NO_FIELDS: Container = {};

/** The event as a container of fields; anything but a JSON object has none. */
export function eventRoot(event: unknown): Container {
  return typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Container) : NO_FIELDS;
}

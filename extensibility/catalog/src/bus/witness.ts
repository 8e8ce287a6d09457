// Events of the contract a pattern may be meant for: the example of an entry, and variants of it
// carrying the pattern's own values (a family member with the tenant the pattern names, the drink
// it filters on, ...), kept only when the contract still accepts them. A rule that matches none of
// them matches no event the apps can put: a dead rule.
import type { ContractEntry, EventEnvelope } from '../contract.js';
import { validateEvent } from '../validate.js';
import { isObject } from './local.js';

type Node = Record<string, unknown>;

/** At most this many variants per entry and pattern: enough for real rules, bounded for odd ones. */
const MAX_VARIANTS = 64;

/** The pattern without $or: one pattern per combination of alternatives. */
export function alternatives(pattern: Node): Node[] {
  let result: Node[] = [{}];
  const combine = (options: Node[]) => {
    const next: Node[] = [];
    for (const base of result)
      for (const option of options) if (next.length < MAX_VARIANTS) next.push(merge(base, option));
    result = next;
  };
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) combine(value.filter(isObject).flatMap(alternatives));
    else if (isObject(value)) combine(alternatives(value).map((sub) => ({ [key]: sub })));
    else combine([{ [key]: value }]);
  }
  return result;
}

function merge(a: Node, b: Node): Node {
  const out: Node = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k]) && isObject(v) ? merge(out[k] as Node, v) : v;
  return out;
}

const KEEP = Symbol('keep');
const DELETE = Symbol('delete');
type Choice = unknown | typeof KEEP | typeof DELETE;

/** A value the matchers accept, preferring the current one; KEEP when no better guess exists. */
function choose(matchers: unknown[], current: unknown): Choice {
  for (const m of matchers) {
    if (m === null || typeof m !== 'object') return m;
    const [op, arg] = Object.entries(m as Node)[0] ?? [];
    switch (op) {
      case 'prefix':
      case 'suffix': {
        const text = isObject(arg) ? String(arg['equals-ignore-case']) : String(arg);
        if (
          typeof current === 'string' &&
          (op === 'prefix'
            ? current.toLowerCase().startsWith(text.toLowerCase())
            : current.toLowerCase().endsWith(text.toLowerCase()))
        )
          return KEEP;
        return text;
      }
      case 'equals-ignore-case':
        return arg;
      case 'wildcard':
        // Each unescaped * stands for anything, nothing included; \* is a literal star.
        return String(arg)
          .split('\\*')
          .map((part) => part.replace(/\*/g, ''))
          .join('*');
      case 'numeric':
        return Array.isArray(arg) ? numberWithin(arg) : KEEP;
      case 'exists':
        return arg === false ? DELETE : current !== undefined ? KEEP : 'x';
      default:
        return KEEP; // anything-but, cidr: the example's own value is the best guess
    }
  }
  return KEEP;
}

function numberWithin(ops: unknown[]): number {
  let lo = -Infinity;
  let hi = Infinity;
  let loOpen = false;
  for (let i = 0; i + 1 < ops.length; i += 2) {
    const [op, n] = [ops[i], Number(ops[i + 1])];
    if (op === '=') return n;
    if ((op === '>' || op === '>=') && n >= lo) [lo, loOpen] = [n, op === '>'];
    if ((op === '<' || op === '<=') && n <= hi) hi = op === '<' ? n - Number.EPSILON : n;
  }
  if (Number.isFinite(lo)) {
    const candidate = loOpen ? lo + 1 : lo;
    return candidate <= hi ? candidate : (lo + hi) / 2;
  }
  return Number.isFinite(hi) ? Math.floor(hi) : 0;
}

function fill(target: Node, pattern: Node): void {
  for (const [key, value] of Object.entries(pattern)) {
    if (Array.isArray(value)) {
      const current = target[key];
      const chosen = choose(value, Array.isArray(current) ? current[0] : current);
      if (chosen === DELETE) delete target[key];
      else if (chosen !== KEEP) target[key] = Array.isArray(current) ? [chosen] : chosen;
    } else if (isObject(value)) {
      if (!isObject(target[key])) target[key] = {};
      fill(target[key] as Node, value);
    }
  }
}

/** The entry's example, then its variants with the pattern's values that are still events of the contract. */
export function witnesses(entry: ContractEntry, pattern: unknown): EventEnvelope[] {
  const out: EventEnvelope[] = [entry.example];
  if (!isObject(pattern)) return out;
  for (const alternative of alternatives(pattern)) {
    const { 'detail-type': detailTypes, ...rest } = alternative;
    // Exact detail-types of this entry (a family member with another tenant); otherwise the example's.
    const named = (Array.isArray(detailTypes) ? detailTypes : []).filter(
      (d): d is string => typeof d === 'string' && entry.match(d) !== undefined,
    );
    for (const detailType of named.length > 0 ? named : [undefined]) {
      const variant = structuredClone(entry.example) as EventEnvelope & Node;
      if (detailType !== undefined) {
        variant['detail-type'] = detailType;
        const embedded = entry.match(detailType)?.embedded;
        if (entry.embeds && embedded !== undefined) variant.detail[entry.embeds] = embedded;
      }
      fill(variant, rest);
      if (validateEvent(variant).valid) out.push(variant);
    }
  }
  return out;
}

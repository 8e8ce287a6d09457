// "Rule is too complex": EventBridge refuses a rule whose wildcards make its byte machine too
// non-deterministic. event-ruler's MachineComplexityEvaluator measures, over every input a field could
// carry, the largest number of wildcard-pattern prefixes that match at once (repeating characters after
// a "*" keep several positions of one pattern alive, so they count too). AWS does not document the
// threshold; this module computes that measure on a position automaton of the wildcard operands of each
// field (with their JSON quotes, byte by byte, as event-ruler does) and applies COMPLEXITY_LIMIT.

import type { Alternative } from './compile.js';
import { RulerArgumentError } from './errors.js';
import { parseWildcard } from './matchers.js';

/** Largest accepted measure (calibrated: "*:stack/NAME/*" for 3 names is accepted by AWS, for 4 refused). */
export const COMPLEXITY_LIMIT = 10;
const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
/** Bound on automaton states explored per field, to keep compilation time bounded. */
const MAX_EXPLORED = 5000;

const STAR = -1;
const QUOTE = 0x22;
const encoder = new TextEncoder();

function tokensOf(operand: string): number[] {
  const tokens = [QUOTE];
  parseWildcard(operand).forEach((segment, index) => {
    if (index > 0) tokens.push(STAR);
    for (const byte of encoder.encode(segment)) tokens.push(byte);
  });
  tokens.push(QUOTE);
  return tokens;
}

/**
 * The measure for the wildcard operands sharing one field of the machine. States are "token j of
 * pattern p was just consumed" (one per byte or "*", as in event-ruler's byte machine); a set of states
 * counts one per state, plus one for each state whose next token is a "*" not itself in the set (event-
 * ruler also counts the all-bytes transition waiting there).
 */
export function wildcardComplexity(operands: readonly string[]): number {
  const patterns = operands.map(tokensOf);
  // State (p, j) is numbered base[p] + j + 1; j = -1 is "nothing consumed yet".
  const base: number[] = [];
  const owner: number[] = [];
  const index: number[] = [];
  patterns.forEach((tokens, p) => {
    base.push(owner.length);
    for (let j = -1; j < tokens.length; j++) {
      owner.push(p);
      index.push(j);
    }
  });
  const tokenOf = (state: number, offset: number): number | undefined =>
    patterns[owner[state] as number]?.[(index[state] as number) + offset];
  const measure = (states: Set<number>): number => {
    let size = states.size;
    for (const state of states) if (tokenOf(state, 1) === STAR && !states.has(state + 1)) size++;
    return size;
  };
  const alphabet = new Set<number>([0x100]); // 0x100 stands for every byte no operand names
  for (const tokens of patterns) for (const t of tokens) if (t !== STAR) alphabet.add(t);

  const seen = new Set<string>();
  const queue: Set<number>[] = [new Set(base)];
  let max = 0;
  while (queue.length > 0 && seen.size < MAX_EXPLORED) {
    const current = queue.pop() as Set<number>;
    for (const byte of alphabet) {
      const next = new Set<number>();
      for (const state of current) {
        if (tokenOf(state, 0) === STAR) next.add(state); // inside a "*": any byte stays there
        const ahead = tokenOf(state, 1);
        if (ahead === STAR) {
          next.add(state + 1); // any byte enters the "*"
          if (tokenOf(state, 2) === byte) next.add(state + 2); // or the "*" matches nothing
        } else if (ahead === byte) next.add(state + 1);
      }
      if (next.size === 0) continue;
      max = Math.max(max, measure(next));
      if (max > COMPLEXITY_LIMIT) return max;
      const key = [...next].sort((a, b) => a - b).join(',');
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
  }
  return max;
}

/**
 * Refuses a pattern whose wildcards are too complex. Wildcards of one field share a byte machine when
 * the sub-rules reach that field through the same earlier fields and values, as in event-ruler's
 * machine, whose fields are taken in name order.
 */
export function checkWildcardComplexity(alternatives: readonly Alternative[]): void {
  const machines = new Map<string, Set<string>>();
  for (const alternative of alternatives) {
    let before = '';
    for (const name of [...alternative.keys()].sort()) {
      const patterns = alternative.get(name) ?? [];
      for (const pattern of patterns) {
        if (pattern.kind !== 'value' || pattern.wildcard === undefined) continue;
        const key = `${before}\u0000${name}`;
        const operands = machines.get(key) ?? new Set<string>();
        operands.add(pattern.wildcard);
        machines.set(key, operands);
      }
      const ids = patterns.map((p) => (p.kind === 'exists' ? `exists:${p.exists}` : p.id)).sort();
      before += `\u0001${name}=${ids.join('\u0002')}`;
    }
  }
  for (const operands of machines.values()) {
    if (wildcardComplexity([...operands]) > COMPLEXITY_LIMIT) throw new RulerArgumentError(TOO_COMPLEX);
  }
}

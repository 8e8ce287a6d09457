// "Did you mean": the contract's detail-types nearest to what a dead rule names, so a typo
// (`OrderManager.OrderCompleted`) is answered with the rule that works
// (`{"wildcard": "OrderManager.Order*-COMPLETED"}`), not only with "see the catalog".
import { contract, type ContractEntry } from '../contract.js';

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/** The detail-type values a pattern names literally: strings, and prefix / wildcard / equals-ignore-case operands. */
export function namedDetailTypes(pattern: unknown): string[] {
  const field = (pattern as { 'detail-type'?: unknown } | null)?.['detail-type'];
  if (!Array.isArray(field)) return [];
  return field.flatMap((v: unknown) => {
    if (typeof v === 'string') return [v];
    if (v && typeof v === 'object')
      return Object.entries(v as Record<string, unknown>)
        .filter(
          ([op, operand]) => ['prefix', 'wildcard', 'equals-ignore-case'].includes(op) && typeof operand === 'string',
        )
        .map(([, operand]) => (operand as string).replace(/\*/g, ''));
    return [];
  });
}

/** How a rule names the entry: the detail-type itself, or a family's wildcard. */
export const patternFor = (entry: ContractEntry): string =>
  entry.embeds ? `{"wildcard": "${entry.detailType.replace(/\{[^}]+\}/g, '*')}"}` : `"${entry.detailType}"`;

/** Up to three entries of the contract nearest to the detail-types the pattern names, as rules write them. */
export function suggestDetailTypes(pattern: unknown, entries: readonly ContractEntry[] = contract): string[] {
  const scored = namedDetailTypes(pattern).flatMap((named) =>
    entries.map((entry) => {
      // A family compares by its name without the embedded part: "OrderManager.Order-COMPLETED".
      const distance = editDistance(named, entry.detailType.replace(/\{[^}]+\}/g, ''));
      return { entry, distance, limit: Math.max(3, Math.floor(named.length * 0.3)) };
    }),
  );
  const near = scored.filter((s) => s.distance <= s.limit).sort((a, b) => a.distance - b.distance);
  return [...new Set(near.map((s) => patternFor(s.entry)))].slice(0, 3);
}

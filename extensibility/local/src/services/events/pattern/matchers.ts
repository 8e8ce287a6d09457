// Value tests, built once per pattern value. Each takes one leaf of the event (string, number, boolean
// or null) and answers whether that leaf satisfies the pattern value.
//
// event-ruler matches a value against the JSON text of the leaf, which is why string operators
// (prefix, suffix, wildcard, equals-ignore-case) never match a number, a boolean or null: their compiled
// form carries the opening or closing quote of a JSON string.

import { RulerSyntaxError } from './errors.js';

export type Leaf = string | number | boolean | null;
export type LeafTest = (value: Leaf) => boolean;

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/-]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIALS, '\\$&');
}

/** UTF-8 length as Java's String.getBytes counts it (an unpaired surrogate becomes one '?'). */
function javaUtf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdfff) bytes += 1;
    else bytes += 3;
  }
  return bytes;
}

/**
 * The literal runs between the unescaped "*" of a wildcard operand. Refuses what event-ruler's
 * WildcardParser refuses; positions are byte offsets into the operand with its JSON quotes around it.
 */
export function parseWildcard(text: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '*') {
      if (text[i + 1] === '*')
        throw new RulerSyntaxError(`Consecutive wildcard characters at pos ${1 + javaUtf8Length(text.slice(0, i))}`);
      segments.push(current);
      current = '';
    } else if (ch === '\\') {
      const next = text[i + 1];
      // A trailing backslash would escape the closing quote: also invalid.
      if (next !== '*' && next !== '\\')
        throw new RulerSyntaxError(`Invalid escape character at pos ${1 + javaUtf8Length(text.slice(0, i))}`);
      current += next;
      i++;
    } else current += ch;
  }
  segments.push(current);
  return segments;
}

/** Glob match with "*" only: the first and last runs anchor, the middle ones are found leftmost-first. */
export function wildcardTest(segments: readonly string[]): (value: string) => boolean {
  if (segments.length === 1) {
    const only = segments[0] as string;
    return (value) => value === only;
  }
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  const minLength = segments.reduce((n, s) => n + s.length, 0);
  return (value) => {
    if (value.length < minLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    let pos = first.length;
    const end = value.length - last.length;
    for (const run of middle) {
      const at = value.indexOf(run, pos);
      if (at === -1 || at + run.length > end) return false;
      pos = at + run.length;
    }
    return true;
  };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * equals-ignore-case as event-ruler compiles it: each character of the operand stands for its lower-
 * and its upper-case form (Locale.ROOT), and the event value must spell one of them at each position.
 * The value itself is not case-folded, so this is not value.toLowerCase() === operand.toLowerCase().
 */
function ignoreCaseSource(operand: string): { source: string; flags: string } {
  // For ASCII operands, a non-unicode /i regex is exactly that rule (it never maps a non-ASCII
  // character such as the Kelvin sign onto an ASCII letter).
  if (isAscii(operand)) return { source: escapeRegex(operand), flags: 'i' };
  let source = '';
  for (const ch of operand) {
    const forms = [...new Set([ch.toLowerCase(), ch.toUpperCase()])];
    source += forms.length === 1 ? escapeRegex(forms[0] as string) : `(?:${forms.map(escapeRegex).join('|')})`;
  }
  return { source, flags: '' };
}

export function equalsIgnoreCaseTest(operand: string, anchor: 'whole' | 'start' | 'end'): (value: string) => boolean {
  const { source, flags } = ignoreCaseSource(operand);
  const regex = new RegExp((anchor === 'end' ? '' : '^') + `(?:${source})` + (anchor === 'start' ? '' : '$'), flags);
  return (value) => regex.test(value);
}

/**
 * A number operand as event-ruler's ComparableNumber takes it: any finite double, refused when the
 * double would not be the number written (an integer past 2^53, or an overflow to infinity).
 */
export function comparableNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || (/^-?[0-9]+$/.test(text) && BigInt(text) !== BigInt(value))) {
    throw new RulerSyntaxError(`Cannot compare number : ${text}`);
  }
  return value;
}

export function stringTest(test: (value: string) => boolean): LeafTest {
  return (value) => typeof value === 'string' && test(value);
}

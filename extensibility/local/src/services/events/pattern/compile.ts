// Pattern JSON -> sub-rules, the way event-ruler (the engine EventBridge runs) compiles it.
//
// A pattern becomes a list of sub-rules ("alternatives"), each a map from a dotted field path
// ("detail.drinkOrder.drink") to the values any of which may match there. "$or" forks the sub-rules
// built so far, one copy per member, and later fields are written into every copy; a path written twice
// keeps the last write in document order (event-ruler's rule overriding).
//
// The walk mirrors event-ruler's JsonRuleCompiler token by token, so refusals come out in the same order
// and with the same texts. EventBridge compiles with that $or-aware compiler first and, when it refuses,
// retries with the pre-$or compiler, which reads "$or" as a plain field name (see compileAlternatives).

import { ipKey, looksLikeIp, parseCidr, parseIp, inRange } from './cidr.js';
import { RulerArgumentError, RulerSyntaxError } from './errors.js';
import { JsonTokens, isNumberToken, type Token } from './json.js';
import {
  comparableNumber,
  equalsIgnoreCaseTest,
  parseWildcard,
  stringTest,
  wildcardTest,
  type LeafTest,
} from './matchers.js';

/** The operator a value came from; drives evaluation order and the wildcard complexity check. */
export type Operator =
  | 'exact'
  | 'prefix'
  | 'suffix'
  | 'equals-ignore-case'
  | 'prefix-equals-ignore-case'
  | 'suffix-equals-ignore-case'
  | 'wildcard'
  | 'numeric'
  | 'cidr'
  | 'anything-but';

export type FieldPattern =
  | { readonly kind: 'exists'; readonly exists: boolean }
  | {
      readonly kind: 'value';
      readonly op: Operator;
      /** Identity of the value, for grouping equal values (the complexity check). */
      readonly id: string;
      readonly test: LeafTest;
      /** The string an exact value must equal, when a plain string comparison is the whole test. */
      readonly exactString?: string;
      /** The operand of a (positive) wildcard. */
      readonly wildcard?: string;
    };

export type Alternative = Map<string, readonly FieldPattern[]>;

/** Limit on sub-rules after $or expansion: a guard against patterns that expand exponentially. */
export const MAX_ALTERNATIVES = 1000;

const ONLY_ONE_KEY = 'Only one key allowed in match expression';
const TOO_MANY_ELEMENTS = 'Too many elements in numeric expression';

/** Names event-ruler reserves inside a $or member (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function barf(reason: string): never {
  throw new RulerSyntaxError(reason);
}

function value(
  op: Operator,
  operand: unknown,
  test: LeafTest,
  extra?: { exactString?: string; wildcard?: string },
): FieldPattern {
  return { kind: 'value', op, id: `${op}:${JSON.stringify(operand)}`, test, ...extra };
}

function exactString(text: string, ipAware: boolean): FieldPattern {
  // event-ruler compiles a string that reads as an IP address into an IP range, so "::1" also
  // matches "0:0:0:0:0:0:0:1".
  const address = ipAware && looksLikeIp(text) ? parseIp(text) : undefined;
  if (address === undefined) return value('exact', text, (v) => v === text, { exactString: text });
  const key = ipKey(address);
  return value('exact', text, (v) => {
    if (v === text) return true;
    if (typeof v !== 'string' || !looksLikeIp(v)) return false;
    const other = parseIp(v);
    return other !== undefined && ipKey(other) === key;
  });
}

function exactLiteral(literal: boolean | null): FieldPattern {
  return value('exact', literal, (v) => v === literal);
}

function exactNumber(text: string): FieldPattern {
  // Numbers compare as numbers: [5] matches 5, 5.0 and 5e0, never the string "5".
  const n = Number(text);
  return value('exact', n, (v) => v === n);
}

function numericTest(low: number, lowOpen: boolean, high: number, highOpen: boolean): LeafTest {
  return (v) => typeof v === 'number' && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
}

type AnythingButKind = 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

/** anything-but: any leaf, except the ones of the excluded kind that the excluded values match. */
function anythingButStrings(kind: AnythingButKind, operands: readonly string[]): FieldPattern {
  let excluded: (s: string) => boolean;
  switch (kind) {
    case 'plain': {
      const set = new Set(operands);
      excluded = (s) => set.has(s);
      break;
    }
    case 'prefix':
      excluded = (s) => operands.some((p) => s.startsWith(p));
      break;
    case 'suffix':
      excluded = (s) => operands.some((p) => s.endsWith(p));
      break;
    case 'equals-ignore-case': {
      const tests = operands.map((o) => equalsIgnoreCaseTest(o, 'whole'));
      excluded = (s) => tests.some((t) => t(s));
      break;
    }
    case 'wildcard': {
      const tests = operands.map((o) => wildcardTest(parseWildcard(o)));
      excluded = (s) => tests.some((t) => t(s));
      break;
    }
  }
  return value('anything-but', { [kind]: operands }, (v) => typeof v !== 'string' || !excluded(v));
}

function anythingButNumbers(numbers: readonly number[]): FieldPattern {
  const set = new Set(numbers);
  return value('anything-but', { numbers }, (v) => typeof v !== 'number' || !set.has(v));
}

class PatternCompiler {
  private readonly tokens: JsonTokens;
  private readonly rules: Alternative[] = [];

  constructor(
    source: string,
    /** false: the pre-$or compiler, where "$or" is an ordinary field name. */
    private readonly orAware: boolean,
  ) {
    this.tokens = new JsonTokens(source);
  }

  compile(): Alternative[] {
    if (this.next().type !== 'start-object') barf('Filter is not an object');
    // Anything after the closing brace is never read, as with event-ruler.
    this.parseObject(this.rules, [], false);
    return this.rules.length > 0 ? this.rules : [new Map()];
  }

  private next(): Token {
    return this.tokens.next();
  }

  private endObject(reason: string): void {
    if (this.next().type !== 'end-object') barf(reason);
  }

  private parseObject(rules: Alternative[], path: string[], insideOr: boolean): void {
    let fieldsPresent = false;
    for (;;) {
      const token = this.next();
      if (token.type === 'end-object') break;
      fieldsPresent = true;
      const name = token.text;
      if (this.orAware && name === '$or') {
        this.parseOr(rules, path);
        continue;
      }
      if (insideOr && RESERVED_IN_OR.has(name))
        barf(`${name} is Ruler reserved fieldName which cannot be used inside $or.`);
      const body = this.next();
      if (body.type === 'start-object') {
        path.push(name);
        this.parseObject(rules, path, insideOr);
        path.pop();
      } else if (body.type === 'start-array') {
        this.writeRules(rules, path.length === 0 ? name : `${path.join('.')}.${name}`);
      } else {
        barf(`"${name}" must be an object or an array`);
      }
    }
    if (!fieldsPresent) barf('Empty objects are not allowed');
  }

  private parseOr(rules: Alternative[], path: string[]): void {
    const before = rules.map((rule) => new Map(rule));
    rules.length = 0;
    if (this.next().type !== 'start-array') barf('It must be an Array followed with $or.');
    let members = 0;
    for (;;) {
      const token = this.next();
      if (token.type === 'end-array') break;
      members++;
      if (token.type !== 'start-object') barf('Only JSON object is allowed in array of $or relationship.');
      const forked =
        before.length > 0 ? before.map((rule) => new Map(rule)) : [new Map<string, readonly FieldPattern[]>()];
      this.parseObject(forked, path, true);
      rules.push(...forked);
      if (rules.length > MAX_ALTERNATIVES) {
        throw new RulerArgumentError(`Event pattern contains more than ${MAX_ALTERNATIVES} rule combinations`);
      }
    }
    if (members < 2) barf('There must have at least 2 Objects in $or relationship.');
  }

  private writeRules(rules: Alternative[], name: string): void {
    const values: FieldPattern[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === 'end-array') break;
      switch (token.type) {
        case 'start-object':
          values.push(this.matchExpression());
          break;
        case 'string':
          values.push(exactString(token.text, true));
          break;
        case 'int':
        case 'float':
          values.push(exactNumber(token.text));
          break;
        case 'true':
        case 'false':
          values.push(exactLiteral(token.type === 'true'));
          break;
        case 'null':
          values.push(exactLiteral(null));
          break;
        default:
          barf('Match value must be String, number, true, false, or null');
      }
    }
    if (values.length === 0) barf('Empty arrays are not allowed');
    if (rules.length === 0) rules.push(new Map());
    for (const rule of rules) rule.set(name, values);
  }

  private matchExpression(): FieldPattern {
    const nameToken = this.next();
    if (nameToken.type !== 'field-name') barf('Match expression name not found');
    const op = nameToken.text;
    switch (op) {
      case 'exactly': {
        const operand = this.next();
        if (operand.type !== 'string') barf('exact match pattern must be a string');
        this.endObject(ONLY_ONE_KEY);
        return exactString(operand.text, false);
      }
      case 'prefix':
      case 'suffix': {
        const operand = this.next();
        if (operand.type === 'start-object') return this.affixIgnoreCase(op);
        if (operand.type !== 'string') barf(`${op} match pattern must be a string`);
        this.endObject(ONLY_ONE_KEY);
        const text = operand.text;
        return op === 'prefix'
          ? value(
              'prefix',
              text,
              stringTest((s) => s.startsWith(text)),
            )
          : value(
              'suffix',
              text,
              stringTest((s) => s.endsWith(text)),
            );
      }
      case 'numeric': {
        if (this.next().type !== 'start-array') barf('Value of numeric must be an array.');
        const pattern = this.numeric();
        this.endObject(TOO_MANY_ELEMENTS);
        return pattern;
      }
      case 'anything-but':
        return this.anythingBut();
      case 'exists': {
        const operand = this.next();
        if (operand.type !== 'true' && operand.type !== 'false')
          barf('exists match pattern must be either true or false.');
        this.endObject(ONLY_ONE_KEY);
        return { kind: 'exists', exists: operand.type === 'true' };
      }
      case 'cidr': {
        const operand = this.next();
        // event-ruler's own wording for a non-string cidr operand.
        if (operand.type !== 'string') barf('prefix match pattern must be a string');
        const range = parseCidr(operand.text);
        this.endObject(ONLY_ONE_KEY);
        return value(
          'cidr',
          operand.text,
          stringTest((s) => {
            const address = looksLikeIp(s) ? parseIp(s) : undefined;
            return address !== undefined && inRange(range, address);
          }),
        );
      }
      case 'equals-ignore-case': {
        const operand = this.next();
        if (operand.type !== 'string') barf('equals-ignore-case match pattern must be a string');
        this.endObject(ONLY_ONE_KEY);
        return value('equals-ignore-case', operand.text, stringTest(equalsIgnoreCaseTest(operand.text, 'whole')));
      }
      case 'wildcard': {
        const operand = this.next();
        if (operand.type !== 'string') barf('wildcard match pattern must be a string');
        const segments = parseWildcard(operand.text);
        this.endObject(ONLY_ONE_KEY);
        return value('wildcard', operand.text, stringTest(wildcardTest(segments)), { wildcard: operand.text });
      }
      default:
        barf(`Unrecognized match type ${op}`);
    }
  }

  private affixIgnoreCase(op: 'prefix' | 'suffix'): FieldPattern {
    const inner = this.next();
    if (inner.type !== 'field-name') barf(`${op === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
    if (inner.text !== 'equals-ignore-case') barf(`Unsupported ${op} pattern: ${inner.text}`);
    const operand = this.next();
    if (operand.type !== 'string') barf('equals-ignore-case match pattern must be a string');
    this.endObject(ONLY_ONE_KEY);
    this.endObject(ONLY_ONE_KEY);
    return value(
      op === 'prefix' ? 'prefix-equals-ignore-case' : 'suffix-equals-ignore-case',
      operand.text,
      stringTest(equalsIgnoreCaseTest(operand.text, op === 'prefix' ? 'start' : 'end')),
    );
  }

  /** The tokens after "numeric": [ op, n ] or [ ">"|">=", n, "<"|"<=", m ]. */
  private numeric(): FieldPattern {
    const opToken = this.next();
    if (opToken.type !== 'string') barf(`Invalid member in numeric match: ${opToken.text}`);
    const op = opToken.text;
    const operand = this.next();
    switch (op) {
      case '=': {
        if (!isNumberToken(operand)) barf('Value of equals must be numeric');
        if (this.next().type !== 'end-array') barf(TOO_MANY_ELEMENTS);
        const n = comparableNumber(operand.text);
        return value('numeric', ['=', n], (v) => v === n);
      }
      case '>':
      case '>=': {
        if (!isNumberToken(operand)) barf(`Value of ${op} must be numeric`);
        const after = this.next();
        if (after.type === 'end-array') {
          const low = comparableNumber(operand.text);
          return value('numeric', [op, low], numericTest(low, op === '>', Infinity, false));
        }
        return this.numericRange(after, operand.text, op === '>');
      }
      case '<':
      case '<=': {
        if (!isNumberToken(operand)) barf(`Value of ${op} must be numeric`);
        if (this.next().type !== 'end-array') barf(TOO_MANY_ELEMENTS);
        const high = comparableNumber(operand.text);
        return value('numeric', [op, high], numericTest(-Infinity, false, high, op === '<'));
      }
      default:
        barf(`Unrecognized numeric range operator: ${op}`);
    }
  }

  private numericRange(opToken: Token, lowText: string, lowOpen: boolean): FieldPattern {
    if (opToken.type !== 'string') barf(`Bad value in numeric range: ${opToken.text}`);
    const op = opToken.text;
    if (op !== '<' && op !== '<=') barf(`Bad numeric range operator: ${op}`);
    const operand = this.next();
    if (!isNumberToken(operand)) barf(`Value of ${op} must be numeric`);
    if (this.next().type !== 'end-array') barf('Too many terms in numeric range expression');
    const low = comparableNumber(lowText);
    const high = comparableNumber(operand.text);
    if (low >= high) barf('Bottom must be less than top');
    return value('numeric', [lowOpen ? '>' : '>=', low, op, high], numericTest(low, lowOpen, high, op === '<'));
  }

  private anythingBut(): FieldPattern {
    let kind: AnythingButKind = 'plain';
    let operand = this.next();
    if (operand.type === 'start-object') {
      const inner = this.next();
      if (inner.type !== 'field-name') barf('Anything-But expression name not found');
      switch (inner.text) {
        case 'equals-ignore-case':
        case 'prefix':
        case 'suffix':
        case 'wildcard':
          kind = inner.text;
          break;
        default:
          barf(`Unsupported anything-but pattern: ${inner.text}`);
      }
      operand = this.next();
    }
    if (operand.type !== 'start-array' && operand.type !== 'string' && !isNumberToken(operand)) {
      barf('Value of anything-but must be an array or single string/number value.');
    }
    let pattern: FieldPattern;
    if (kind === 'plain')
      pattern = operand.type === 'start-array' ? this.anythingButList() : this.anythingButSingle(operand);
    else {
      const operands =
        operand.type === 'start-array' ? this.anythingButOperands(kind) : [this.anythingButOperand(operand, kind)];
      if (kind === 'wildcard') for (const text of operands) parseWildcard(text);
      pattern = anythingButStrings(kind, operands);
    }
    this.endObject(TOO_MANY_ELEMENTS);
    if (kind !== 'plain') this.endObject(TOO_MANY_ELEMENTS);
    return pattern;
  }

  private anythingButSingle(operand: Token): FieldPattern {
    if (operand.type === 'string') return anythingButStrings('plain', [operand.text]);
    try {
      return anythingButNumbers([comparableNumber(operand.text)]);
    } catch (error) {
      // Unlike the list form, event-ruler does not catch this one: it escapes without the $or retry.
      if (error instanceof RulerSyntaxError) throw new RulerArgumentError(error.reason);
      throw error;
    }
  }

  private anythingButList(): FieldPattern {
    const strings: string[] = [];
    const numbers: number[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === 'end-array') break;
      if (token.type === 'string') strings.push(token.text);
      else if (isNumberToken(token)) numbers.push(comparableNumber(token.text));
      else barf('Inside anything but list, start|null|boolean is not supported.');
    }
    if (strings.length > 0 === numbers.length > 0) {
      barf('Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    return strings.length > 0 ? anythingButStrings('plain', strings) : anythingButNumbers(numbers);
  }

  private anythingButOperands(kind: Exclude<AnythingButKind, 'plain'>): string[] {
    const operands: string[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === 'end-array') return operands;
      operands.push(this.anythingButOperand(token, kind));
    }
  }

  private anythingButOperand(token: Token, kind: Exclude<AnythingButKind, 'plain'>): string {
    if (token.type === 'string') {
      if ((kind === 'prefix' || kind === 'suffix') && token.text === '') barf('Null prefix/suffix not allowed');
      return token.text;
    }
    if (kind === 'equals-ignore-case')
      barf('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
    if (kind === 'wildcard') barf('wildcard match pattern must be a string');
    barf('prefix/suffix match pattern must be a string');
  }
}

/**
 * The sub-rules of a pattern, or the refusal. Like EventBridge's event-ruler machine, a refusal by the
 * $or-aware compiler is retried with the pre-$or compiler; only if that one refuses too is the pattern
 * invalid, and it is that second refusal that is reported.
 */
export function compileAlternatives(source: string): Alternative[] {
  try {
    return new PatternCompiler(source, true).compile();
  } catch (error) {
    if (!(error instanceof RulerSyntaxError)) throw error;
    return new PatternCompiler(source, false).compile();
  }
}

// A pull tokenizer over JSON text, shaped like Jackson's JsonParser because event-ruler compiles a
// pattern straight off Jackson's token stream: refusals come in document order (a grammar error before
// a syntax error further on wins), duplicate keys are seen one by one, and messages quote the raw token
// text ("Invalid member in numeric match: 5.0", "... : ]"). JSON.parse would lose all three.
// Syntax-error texts follow Jackson's wording, without its " at [Source: ...; line, column]" suffix.

import { RulerSyntaxError } from './errors.js';

export type TokenType =
  | 'start-object'
  | 'end-object'
  | 'start-array'
  | 'end-array'
  | 'field-name'
  | 'string'
  | 'int'
  | 'float'
  | 'true'
  | 'false'
  | 'null'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Jackson's getText(): the decoded string, the field name, the number as written, or the punctuation. */
  readonly text: string;
}

const MAX_NESTING_DEPTH = 1000;

const PUNCTUATION: Readonly<Record<string, TokenType>> = {
  '{': 'start-object',
  '}': 'end-object',
  '[': 'start-array',
  ']': 'end-array',
};
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z0-9_$]+/y;
const EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/**
 * The same string as a flat, internalized V8 string: a slice of the pattern source would keep the whole
 * source alive and compare slower on every event.
 */
function internalize(text: string): string {
  return Object.keys({ [text]: 0 })[0] ?? text;
}

/** No backslash and no control character: the string needs no decoding. */
function isPlain(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c === 0x5c) return false;
  }
  return true;
}

export function isNumberToken(token: Token): boolean {
  return token.type === 'int' || token.type === 'float';
}

/** Jackson's way of naming a character in a message. */
function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `(CTRL-CHAR, code ${code})`;
  if (code > 255) return `'${ch}' (code ${code} / 0x${code.toString(16)})`;
  return `'${ch}' (code ${code})`;
}

type Mode = 'value' | 'key' | 'separator' | 'done';

export class JsonTokens {
  private pos = 0;
  private mode: Mode = 'value';
  /** Whether the container just opened may close at once ("{}" / "[]"). */
  private mayClose = false;
  private readonly containers: Array<'object' | 'array'> = [];

  constructor(private readonly src: string) {}

  next(): Token {
    this.skipWhitespace();
    switch (this.mode) {
      case 'separator':
        return this.afterSeparator();
      case 'key':
        return this.fieldName();
      case 'value':
        return this.value();
      case 'done':
        return { type: 'eof', text: '' };
    }
  }

  private fail(message: string): never {
    throw new RulerSyntaxError(message);
  }

  private endOfInput(): never {
    const open = this.containers[this.containers.length - 1];
    if (open === undefined) this.fail('No content to map due to end-of-input');
    this.fail(`Unexpected end-of-input: expected close marker for ${open === 'object' ? 'OBJECT' : 'ARRAY'}`);
  }

  private skipWhitespace(): void {
    const src = this.src;
    let pos = this.pos;
    for (;;) {
      const c = src.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  private close(type: 'end-object' | 'end-array'): Token {
    this.pos++;
    this.containers.pop();
    this.mode = this.containers.length === 0 ? 'done' : 'separator';
    this.mayClose = false;
    return { type, text: type === 'end-object' ? '}' : ']' };
  }

  private afterSeparator(): Token {
    const open = this.containers[this.containers.length - 1];
    if (this.pos >= this.src.length) this.endOfInput();
    const ch = this.src[this.pos] as string;
    if (open === 'object') {
      if (ch === '}') return this.close('end-object');
      if (ch !== ',')
        this.fail(`Unexpected character (${describeChar(ch)}): was expecting comma to separate Object entries`);
      this.pos++;
      this.mode = 'key';
      this.mayClose = false;
      this.skipWhitespace();
      return this.fieldName();
    }
    if (ch === ']') return this.close('end-array');
    if (ch !== ',')
      this.fail(`Unexpected character (${describeChar(ch)}): was expecting comma to separate Array entries`);
    this.pos++;
    this.mode = 'value';
    this.mayClose = false;
    this.skipWhitespace();
    return this.value();
  }

  private fieldName(): Token {
    if (this.pos >= this.src.length) this.endOfInput();
    const ch = this.src[this.pos] as string;
    if (ch === '}' && this.mayClose) return this.close('end-object');
    if (ch !== '"')
      this.fail(`Unexpected character (${describeChar(ch)}): was expecting double-quote to start field name`);
    const name = this.readString();
    this.skipWhitespace();
    if (this.pos >= this.src.length) this.endOfInput();
    const colon = this.src[this.pos] as string;
    if (colon !== ':')
      this.fail(
        `Unexpected character (${describeChar(colon)}): was expecting a colon to separate field name and value`,
      );
    this.pos++;
    this.mode = 'value';
    this.mayClose = false;
    return { type: 'field-name', text: name };
  }

  private open(type: 'start-object' | 'start-array'): Token {
    if (this.containers.length >= MAX_NESTING_DEPTH) {
      this.fail(
        `Document nesting depth (${MAX_NESTING_DEPTH + 1}) exceeds the maximum allowed (${MAX_NESTING_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
      );
    }
    this.pos++;
    this.containers.push(type === 'start-object' ? 'object' : 'array');
    this.mode = type === 'start-object' ? 'key' : 'value';
    this.mayClose = true;
    return { type, text: type === 'start-object' ? '{' : '[' };
  }

  private scalarDone(): void {
    this.mode = this.containers.length === 0 ? 'done' : 'separator';
    this.mayClose = false;
  }

  private value(): Token {
    if (this.pos >= this.src.length) {
      if (this.containers.length === 0) return { type: 'eof', text: '' };
      this.endOfInput();
    }
    const ch = this.src[this.pos] as string;
    const punctuation = PUNCTUATION[ch];
    if (punctuation === 'start-object' || punctuation === 'start-array') return this.open(punctuation);
    if (punctuation === 'end-array' && this.mayClose) return this.close('end-array');
    if (ch === '"') {
      const text = this.readString();
      this.scalarDone();
      return { type: 'string', text };
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.number();
    if (/[A-Za-z_$]/.test(ch)) {
      WORD.lastIndex = this.pos;
      const word = WORD.exec(this.src)?.[0] ?? ch;
      if (word !== 'true' && word !== 'false' && word !== 'null')
        this.fail(`Unrecognized token '${word}': was expecting ${EXPECTED_VALUE}`);
      this.pos += word.length;
      this.scalarDone();
      return { type: word, text: word };
    }
    if (punctuation !== undefined) this.fail(`Unexpected character (${describeChar(ch)}): expected a value`);
    this.fail(`Unexpected character (${describeChar(ch)}): expected a valid value ${EXPECTED_VALUE}`);
  }

  private number(): Token {
    const src = this.src;
    const start = this.pos;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(src);
    const text = match?.[0] ?? '';
    const end = start + text.length;
    const after = src[end];
    // Name the first place the JSON number grammar breaks, as Jackson does.
    if (text === '' || text === '-') {
      const bad = src[start + 1];
      if (bad === undefined) this.fail('Unexpected end-of-input in numeric value');
      this.fail(
        `Unexpected character (${describeChar(bad)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
      );
    }
    if (after !== undefined && after >= '0' && after <= '9')
      this.fail('Invalid numeric value: Leading zeroes not allowed');
    if (after === '.') {
      const bad = src[end + 1];
      this.fail(
        `Unexpected character (${bad === undefined ? 'EOF' : describeChar(bad)}) in numeric value: Decimal point not followed by a digit`,
      );
    }
    if (after === 'e' || after === 'E') {
      const bad = src[end + 1];
      this.fail(
        `Unexpected character (${bad === undefined ? 'EOF' : describeChar(bad)}) in numeric value: Exponent indicator not followed by a digit`,
      );
    }
    this.pos = end;
    this.scalarDone();
    return { type: /[.eE]/.test(text) ? 'float' : 'int', text };
  }

  private readString(): string {
    const src = this.src;
    const start = this.pos + 1;
    const close = src.indexOf('"', start);
    // Fast path: no escapes and no control characters before the closing quote.
    if (close !== -1) {
      const raw = src.slice(start, close);
      if (isPlain(raw)) {
        this.pos = close + 1;
        return internalize(raw);
      }
    }
    let out = '';
    let pos = start;
    for (;;) {
      if (pos >= src.length) this.fail('Unexpected end-of-input: was expecting closing quote for a string value');
      const ch = src[pos] as string;
      const code = ch.charCodeAt(0);
      if (ch === '"') break;
      if (code < 0x20)
        this.fail(
          `Illegal unquoted character (${describeChar(ch)}): has to be escaped using backslash to be included in string value`,
        );
      if (ch !== '\\') {
        out += ch;
        pos++;
        continue;
      }
      const esc = src[pos + 1];
      if (esc === undefined) this.fail('Unexpected end-of-input in character escape sequence');
      pos += 2;
      switch (esc) {
        case '"':
        case '\\':
        case '/':
          out += esc;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = src.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            const bad = [...hex].find((c) => !/[0-9a-fA-F]/.test(c));
            if (bad === undefined) this.fail('Unexpected end-of-input in character escape sequence');
            this.fail(
              `Unexpected character (${describeChar(bad)}): expected a hex-digit for character escape sequence`,
            );
          }
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          this.fail(`Unrecognized character escape ${describeChar(esc)}`);
      }
    }
    this.pos = pos + 1;
    return internalize(out);
  }
}

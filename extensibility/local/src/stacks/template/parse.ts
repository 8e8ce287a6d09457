// Template text to data: JSON by extension, otherwise YAML with CloudFormation's short-form tags
// (!Ref, !Sub, !GetAtt ...) turned into their long form ({ Ref: ... }, { 'Fn::Sub': ... }).
import { yamlParse } from 'yaml-cfn';
import { messageOf, TemplateError } from './errors.js';

export function parseTemplateText(text: string, file: string): unknown {
  try {
    if (file.toLowerCase().endsWith('.json')) return JSON.parse(text) as unknown;
    return yamlParse(text) as unknown;
  } catch (error) {
    throw new TemplateError([{ file, message: `cannot parse template: ${parseErrorMessage(error)}` }]);
  }
}

function parseErrorMessage(error: unknown): string {
  // js-yaml errors carry a position; report it the way an editor shows it (1-based).
  const { mark, reason } = (typeof error === 'object' && error !== null ? error : {}) as {
    mark?: { line: number; column: number };
    reason?: string;
  };
  if (mark && reason) return `${reason} (line ${mark.line + 1}, column ${mark.column + 1})`;
  return messageOf(error);
}

/**
 * Parses `--parameter-overrides` as the AWS and SAM CLIs accept it: `Key=Value` pairs, or SAM's
 * `ParameterKey=Key,ParameterValue=Value`. A string is split on whitespace outside quotes (as a
 * shell or samconfig.toml would pass it); an array is taken as already split, one pair per item.
 * A value may contain `=`; a later pair for the same key wins.
 */
export function parseParameterOverrides(input: string | readonly string[]): Record<string, string> {
  const tokens = typeof input === 'string' ? splitShellWords(input) : [...input];
  const result: Record<string, string> = {};
  const problems: string[] = [];
  for (const token of tokens) {
    const pair = parsePair(token);
    if (typeof pair === 'string') problems.push(pair);
    else result[pair[0]] = pair[1];
  }
  if (problems.length > 0)
    throw new TemplateError(problems.map((message) => ({ file: '--parameter-overrides', message })));
  return result;
}

const PARAMETER_NAME = /^[A-Za-z0-9]+$/;

function parsePair(token: string): [string, string] | string {
  const samForm = /^ParameterKey=([^,]*),ParameterValue=(.*)$/s.exec(token);
  const [key, value] = samForm ? [samForm[1] ?? '', samForm[2] ?? ''] : splitOnce(token);
  if (value === undefined) return `'${token}' is not Key=Value`;
  if (!PARAMETER_NAME.test(key)) return `'${key}' in '${token}' is not a parameter name (letters and digits only)`;
  return [key, value];
}

function splitOnce(token: string): [string, string | undefined] {
  const i = token.indexOf('=');
  return i < 0 ? [token, undefined] : [token.slice(0, i), token.slice(i + 1)];
}

/** Shell-style word splitting: whitespace separates, quotes group, backslash escapes (not inside ''). */
function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new TemplateError([{ file: '--parameter-overrides', message: `unterminated ${quote} quote` }]);
  if (inWord) words.push(word);
  return words;
}

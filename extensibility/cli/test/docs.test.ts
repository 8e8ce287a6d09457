// The author's documents name only what exists: every `presso` command in PUBLISHING.md and the
// READMEs is one presso has, and every function of @serverlesspresso/testing named with its
// parameters in the testing README or PUBLISHING.md is exported with those parameters.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import ts from 'typescript';
import { presso } from './presso.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const TESTING_SRC = join(ROOT, 'extensibility', 'testing', 'src');
const DOCS = [
  'PUBLISHING.md',
  'README.md',
  'extensions/README.md',
  '_extension_model/README.md',
  ...['catalog', 'checker', 'cli', 'EventPlayer', 'local', 'testing']
    .map((dir) => `extensibility/${dir}/README.md`)
    .filter((file) => readdirSync(join(ROOT, file, '..')).includes('README.md')),
];
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** `presso CMD [SUB]` as the documents write it: in code, after npx or a backtick. */
function commandsIn(markdown: string): string[] {
  return [...markdown.matchAll(/(?:npx |`|^)presso ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/gm)].map((m) =>
    m[2] ? `${m[1]} ${m[2]}` : m[1]!,
  );
}

/** Command names in presso's help (the part under "Commands:"). */
const helpCommands = (help: string): string[] =>
  [...(help.split(/^Commands:$/m)[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!);

it('every presso command the documents name exists', async () => {
  const top = helpCommands((await presso(['--help'])).stdout);
  expect(top).toEqual(expect.arrayContaining(['up', 'check', 'test', 'catalog', 'play', 'dlq', 'users']));
  const groups = new Map<string, string[]>();
  for (const group of ['dlq', 'users']) groups.set(group, helpCommands((await presso([group, '--help'])).stdout));
  const unknown: string[] = [];
  for (const file of DOCS)
    for (const named of commandsIn(text(file))) {
      const [command, sub] = named.split(' ');
      if (!top.includes(command!)) unknown.push(`${file}: presso ${command}`);
      else if (sub && groups.has(command!) && !groups.get(command!)!.includes(sub) && !/^[a-z]+-[a-z]/.test(sub))
        unknown.push(`${file}: presso ${named}`);
    }
  expect(unknown).toEqual([]);
}, 120_000);

/** Exported functions of the testing package's sources, with their parameters as written. */
function exportedFunctions(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const name of readdirSync(TESTING_SRC).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(name, readFileSync(join(TESTING_SRC, name), 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name) continue;
      if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      found.set(
        statement.name.text,
        statement.parameters.map((p) => p.name.getText(source)),
      );
    }
  }
  return found;
}

/** `name(a, b, { c })` as the documents write a function: its name and its parameters. */
function signaturesIn(markdown: string): { name: string; params: string[] }[] {
  return [...markdown.matchAll(/`(?:await )?([a-z][A-Za-z]*)\(([^`()]*)\)`/g)].map((m) => ({
    name: m[1]!,
    params: m[2]!.trim() === '' ? [] : m[2]!.split(/,(?![^{]*})/).map((p) => p.trim()),
  }));
}

it('every function of @serverlesspresso/testing the documents name has the parameters they give', () => {
  const exported = exportedFunctions();
  const testingDocs = ['extensibility/testing/README.md', 'PUBLISHING.md'];
  const checked: string[] = [];
  const wrong: string[] = [];
  for (const file of testingDocs)
    for (const { name, params } of signaturesIn(text(file))) {
      const declared = exported.get(name);
      if (!declared) continue; // not a function of the testing package (e.g. a handler named in prose)
      checked.push(name);
      // A destructured option in the documents ({ ms, detail }) stands for the declared options parameter.
      const same =
        declared.length >= params.length &&
        params.every((p, i) => p.startsWith('{') || p === declared[i]) &&
        declared.slice(params.length).every((_, i) => !isRequired(name, params.length + i));
      if (!same) wrong.push(`${file}: ${name}(${params.join(', ')}) is declared ${name}(${declared.join(', ')})`);
    }
  expect(wrong).toEqual([]);
  expect(checked).toEqual(
    expect.arrayContaining(['startLocal', 'until', 'coreApi', 'orderThroughCore', 'tokenRequest']),
  );
});

/** Whether a parameter of an exported function must be given (no default, not optional). */
function isRequired(fn: string, index: number): boolean {
  for (const name of readdirSync(TESTING_SRC).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(name, readFileSync(join(TESTING_SRC, name), 'utf8'), ts.ScriptTarget.Latest);
    for (const s of source.statements)
      if (ts.isFunctionDeclaration(s) && s.name?.text === fn) {
        const p = s.parameters[index]!;
        return !p.questionToken && !p.initializer;
      }
  }
  return true;
}

// The author's documents name only what exists: every `presso` command in PUBLISHING.md and the
// READMEs is one presso has, with the options they give it, and every function of the packages an
// author uses (@serverlesspresso/testing, the catalog, the checker, the model's bus adapter) named
// with its parameters in them is exported with those parameters.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import ts from 'typescript';
import { presso } from './presso.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const TESTING_SRC = join(ROOT, 'extensibility', 'testing', 'src');
/** The sources whose exported functions the documents may name with their parameters. */
const SOURCES = [
  TESTING_SRC,
  join(ROOT, 'extensibility', 'catalog', 'src'),
  join(ROOT, 'extensibility', 'catalog', 'src', 'bus'),
  join(ROOT, 'extensibility', 'checker', 'src'),
  join(ROOT, '_extension_model', 'src', 'adapters'),
];
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

/** Exported functions of the sources (the testing package's by default), with their parameters as written. */
function exportedFunctions(dirs: string[] = [TESTING_SRC]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [dir, name] of dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [d, f] as const),
  )) {
    const source = ts.createSourceFile(name, readFileSync(join(dir, name), 'utf8'), ts.ScriptTarget.Latest);
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

/** `presso CMD [SUB] ... --option` as the documents write a command line (up to a pipe, && or a comment). */
const GROUPS = ['dlq', 'users'];
function optionsIn(markdown: string): { command: string; sub?: string; options: string[] }[] {
  return [...markdown.matchAll(/(?:npx |`|^)presso ([a-z][a-z-]*)((?: [^`\n|&#]*)?)/gm)].map((m) => ({
    command: m[1]!,
    ...(/^ ([a-z][a-z-]*)/.exec(m[2]!) ? { sub: /^ ([a-z][a-z-]*)/.exec(m[2]!)![1]! } : {}),
    options: [...m[2]!.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((o) => o[0]),
  }));
}

it('every option the documents give a presso command is one it takes', async () => {
  const help = new Map<string, string>();
  const wrong: string[] = [];
  for (const file of DOCS)
    for (const { command, sub, options } of optionsIn(text(file))) {
      if (options.length === 0) continue;
      // A group's options are its subcommand's: `presso users list --user-pool P`.
      const args = sub && GROUPS.includes(command) ? [command, sub] : [command];
      const key = args.join(' ');
      if (!help.has(key)) help.set(key, (await presso([...args, '--help'])).stdout);
      const known = help.get(key)!;
      for (const option of options)
        if (option !== '--help' && !new RegExp(`(^|[\\s,])${option}(?![\\w-])`, 'm').test(known))
          wrong.push(`${file}: presso ${key} ${option}`);
    }
  expect(wrong).toEqual([]);
  expect([...help.keys()]).toEqual(expect.arrayContaining(['new-extension', 'check']));
}, 240_000);

it('every exported function of the catalog, the checker and the bus adapter the documents name has the parameters they give', () => {
  const exported = exportedFunctions(SOURCES.slice(1));
  const checked: string[] = [];
  const wrong: string[] = [];
  for (const file of DOCS)
    for (const { name, params } of signaturesIn(text(file))) {
      const declared = exported.get(name);
      if (!declared) continue;
      checked.push(name);
      const same =
        declared.length >= params.length &&
        params.every(
          (p, i) => p.startsWith('{') || p === '...' || p === declared[i] || p.split(' ')[0] === declared[i],
        );
      if (!same) wrong.push(`${file}: ${name}(${params.join(', ')}) is declared ${name}(${declared.join(', ')})`);
    }
  expect(wrong).toEqual([]);
  expect(checked).toEqual(
    expect.arrayContaining([
      'validateEvent',
      'detailTypeOf',
      'mayPut',
      'conventionProblems',
      'putEvents',
      'checkIsolation',
    ]),
  );
});

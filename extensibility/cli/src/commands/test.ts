// presso test [DIR]: what a pull request of one extension needs, and only that: its type-check, lint
// and format, its tests, the checker's three rules (rule 3 on a local cloud of its own) and the
// catalog's staleness (an extension's rules and events are in the committed catalog). The full
// `npm test` is CI's; this is the author's loop (`npm test -w extensions/<Name>`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface TestStep {
  name: string;
  /** The command line, for the report (what to run again by hand). */
  command: string[];
}

export interface StepResult extends TestStep {
  code: number;
  ms: number;
  output: string;
}

const PRESSO = fileURLToPath(new URL('../../bin/presso.js', import.meta.url));

/** The steps for an extension folder, in the order they run; the first two groups run side by side. */
export function testSteps(root: string, dir: string): TestStep[][] {
  const bin = (name: string) => join(root, 'node_modules', '.bin', name);
  const folder = relative(root, dir) || '.';
  const node = process.execPath;
  const checks: TestStep[] = [
    ...(existsSync(join(dir, 'tsconfig.json'))
      ? [{ name: 'type-check', command: [bin('tsc'), '--noEmit', '-p', folder] }]
      : []),
    { name: 'lint', command: [bin('eslint'), folder, '--max-warnings', '0'] },
    { name: 'format', command: [bin('prettier'), '--check', folder, '--log-level', 'warn'] },
  ];
  return [
    checks,
    // Its tests, and the contract's (every schema and example, the catalog's conventions).
    [{ name: 'tests', command: [node, join(root, '.ci', 'jest.js'), folder, 'extensibility/catalog'] }],
    [
      { name: 'rules 1-3', command: [node, PRESSO, 'check', folder, '--isolation', '--root', root] },
      { name: 'catalog', command: [node, PRESSO, 'catalog', '--check', '--root', root] },
    ],
  ];
}

function runStep(root: string, step: TestStep): Promise<StepResult> {
  const started = Date.now();
  return new Promise((done) => {
    let output = '';
    const [command, ...args] = step.command;
    const child = spawn(command!, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (e) => (output += `${e.message}\n`));
    child.on('close', (code) => done({ ...step, code: code ?? 1, ms: Date.now() - started, output }));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A command line as a person would type it in the repo. */
const shown = (root: string, command: string[]) =>
  command
    .map((c) => (c.startsWith(`${root}/`) ? relative(root, c) : c === process.execPath ? basename(c) : c))
    .join(' ');

/** Runs every step (a failed one does not stop the others: the author sees everything to fix at once). */
export async function testCommand(
  dirArg: string,
  options: { root: string },
  out: Writable,
): Promise<{ code: number; results: StepResult[] }> {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, 'template.yaml')))
    throw new Error(`${dirArg} has no template.yaml: give the folder of an extension, e.g. extensions/TipJar`);
  const started = Date.now();
  const results: StepResult[] = [];
  const groups = testSteps(options.root, dir);
  const total = groups.flat().length;
  out.write(
    `presso test ${relative(options.root, dir)}: ${total} steps (${groups
      .flat()
      .map((s) => s.name)
      .join(', ')})\n`,
  );
  for (const group of groups) {
    const finished = await Promise.all(
      group.map(async (step) => {
        const result = await runStep(options.root, step);
        out.write(
          `[${results.length + 1}/${total}] ${result.code === 0 ? 'ok    ' : 'FAILED'} ${step.name} (${seconds(result.ms)})\n`,
        );
        results.push(result);
        return result;
      }),
    );
    for (const failed of finished.filter((r) => r.code !== 0))
      out.write(
        `\n--- ${failed.name} failed: ${shown(options.root, failed.command)}\n${failed.output.trimEnd()}\n---\n\n`,
      );
  }
  const failed = results.filter((r) => r.code !== 0);
  out.write(
    failed.length === 0
      ? `presso test: all ${total} steps passed in ${seconds(Date.now() - started)}: ready for a pull request\n`
      : `presso test: ${failed.length} of ${total} steps failed (${failed.map((r) => r.name).join(', ')}) in ${seconds(Date.now() - started)}\n`,
  );
  return { code: failed.length === 0 ? 0 : 1, results };
}

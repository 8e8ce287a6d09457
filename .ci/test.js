// `npm test`: type-check and lint (side by side: each is one process on one core), then every test.
// Prints each phase's time; jest's reporter then prints the time per workspace and, last, the
// closing line CI reads.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const bin = (name) => resolve(root, 'node_modules/.bin', name);

/** Runs a command, its output kept for later (checks) or passed through (jest); resolves with its exit code and time. */
function run(name, command, args, { buffered }) {
  const started = Date.now();
  return new Promise((done) => {
    let output = '';
    const child = spawn(command, args, { cwd: root, stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (buffered) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.on('error', (e) => (output += `${e.message}\n`));
    child.on('close', (code) => done({ name, code: code ?? 1, output, ms: Date.now() - started }));
  });
}

const checks = await Promise.all([
  run('typecheck', process.execPath, [resolve(root, '.ci/typecheck.js')], { buffered: true }),
  run('eslint', bin('eslint'), ['.', '--max-warnings', '0'], { buffered: true }),
  run('prettier', bin('prettier'), ['--check', '.', '--log-level', 'warn'], { buffered: true }),
]);
for (const check of checks) {
  process.stdout.write(check.output);
  console.log(`${check.name}: ${check.code === 0 ? 'ok' : 'FAILED'} in ${(check.ms / 1000).toFixed(1)} s`);
}
if (checks.some((c) => c.code !== 0)) process.exit(1);

// Nothing left behind: every temporary folder a test or a local cloud makes (presso-*) is removed by
// it. The screenshot folders are kept on purpose (CI keeps them for review).
const scratch = () =>
  new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('presso-') && !name.endsWith('-screenshots')));
const before = scratch();
const jest = await run('jest', process.execPath, [resolve(root, '.ci/jest.js'), ...process.argv.slice(2)], {
  buffered: false,
});
const left = [...scratch()].filter((name) => !before.has(name));
if (left.length > 0) {
  console.log(
    `left behind: ${left.length} temporary folder(s) the tests made and did not remove (remove each in the test's afterAll, or close its local cloud):\n${left.map((name) => `  ${join(tmpdir(), name)}`).join('\n')}`,
  );
  process.exit(jest.code || 1);
}
console.log(`left behind: no temporary folder (${tmpdir()}/presso-*)`);
process.exit(jest.code);

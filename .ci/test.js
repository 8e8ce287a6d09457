// `npm test`: type-check and lint (side by side: each is one process on one core), then every test.
// Prints each phase's time; jest's reporter then prints the time per workspace and, last, the
// closing line CI reads.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

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

const jest = await run('jest', process.execPath, [resolve(root, '.ci/jest.js'), ...process.argv.slice(2)], {
  buffered: false,
});
process.exit(jest.code);

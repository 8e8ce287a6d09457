// The extension author's loop (issue 20: under 90 s on two cores): `presso test` on the model and on
// each extension, one after the other, with the time of each step and of the whole.
// Run: npm run bench -w @serverlesspresso/cli (or npx tsx extensibility/cli/bench/author-loop.bench.ts).
import { PassThrough } from 'node:stream';
import { defaultApps, repoRoot } from '../src/apps.js';
import { testCommand } from '../src/commands/test.js';

const root = repoRoot()!;
const folders = ['_extension_model', ...defaultApps(root).filter((dir) => dir.includes('/extensions/'))];
const TARGET_MS = 90_000;
let over = false;
console.log('extension            total  steps (s)');
for (const dir of folders) {
  const started = performance.now();
  const { code, results } = await testCommand(dir, { root }, new PassThrough());
  const total = performance.now() - started;
  over ||= total > TARGET_MS || code !== 0;
  const name = dir.split('/').pop()!;
  const steps = results.map((r) => `${r.name} ${(r.ms / 1000).toFixed(1)}${r.code === 0 ? '' : ' FAILED'}`).join(', ');
  console.log(`${name.padEnd(18)} ${(total / 1000).toFixed(1).padStart(6)} s  ${steps}`);
}
console.log(`target: each under ${TARGET_MS / 1000} s on two cores (steps run side by side where they can)`);
if (over) process.exitCode = 1;

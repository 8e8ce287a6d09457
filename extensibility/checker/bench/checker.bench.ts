// Contract checker benchmark: `presso check` on the extension model, rules 1 and 2 (reading the
// template) and rule 3 (a local cloud with DynamoDB Local and the core, then the model beside it).
// Run: npx tsx extensibility/checker/bench/checker.bench.ts (or npm run bench). Bounded to a minute.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import { checkExtension, IsolationBench } from '../src/index.js';

const model = join(REPO_ROOT, '_extension_model');
const line = (label: string, ms: number, runs = 1) =>
  console.log(`${label.padEnd(62)} ${ms.toFixed(1).padStart(8)} ms${runs > 1 ? ` per run (${runs} runs)` : ''}`);

checkExtension(model); // warm: modules, esbuild
let start = performance.now();
for (let i = 0; i < 20; i++) checkExtension(model);
line('rules 1 and 2 on the model', (performance.now() - start) / 20, 20);

start = performance.now();
const bench = await IsolationBench.start({ root: REPO_ROOT, speed: 1000 });
line('rule 3 set-up: local cloud, DynamoDB Local, the core', performance.now() - start);
console.log(`  (${bench.notes.join('; ')})`);
try {
  for (const run of ['first (builds the function)', 'second (build cached)']) {
    start = performance.now();
    const report = await bench.check(model);
    line(`rule 3 on the model, ${run}${report.violations.length ? ' - VIOLATIONS' : ''}`, performance.now() - start);
  }
} finally {
  await bench.close();
}

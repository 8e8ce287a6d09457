// Benchmark of the SAM/CloudFormation template loader (run: npx tsx extensibility/local/bench/template.bench.ts).
// Prints the time to load the core app's template (read, parse, Globals, intrinsics, SAM events)
// and the one of the template tests, each loaded for about a second. Every deploy and redeploy
// pays one load per stack.
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../src/stacks/template/index.js';

const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };
const templates = {
  'core/template.yaml': fileURLToPath(new URL('../../../core/template.yaml', import.meta.url)),
  'test fixture core.yaml': fileURLToPath(new URL('../test/stacks/template/fixtures/core.yaml', import.meta.url)),
};

for (const [label, file] of Object.entries(templates)) {
  const first = performance.now();
  const loaded = loadTemplate(file, STACK);
  const coldMs = performance.now() - first;
  const started = performance.now();
  let loads = 0;
  while (performance.now() - started < 1000) {
    loadTemplate(file, STACK);
    loads++;
  }
  const ms = (performance.now() - started) / loads;
  console.log(
    `${label} (${loaded.resources.length} resources): first load ${coldMs.toFixed(1)} ms, then ${ms.toFixed(2)} ms a load (${Math.round(1000 / ms)} loads/s)`,
  );
}

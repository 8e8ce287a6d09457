// presso lint benchmark: loading CloudFormation's schemas once, then linting every app's template of
// the repo (the core, the EventPlayer, the model, every extension, the web apps). The lint itself
// must take under 5 s once the schemas are loaded (issue 17).
// Run: npx tsx extensibility/checker/bench/lint.bench.ts (or npm run bench).
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import { deployableApps, lintApp, loadLintSpec } from '../src/index.js';

const line = (label: string, ms: number) => console.log(`${label.padEnd(62)} ${ms.toFixed(1).padStart(8)} ms`);

let start = performance.now();
const spec = await loadLintSpec();
line('load the schemas (@aws-cdk/aws-service-spec)', performance.now() - start);

const apps = deployableApps(REPO_ROOT);
for (const run of ['first', 'second']) {
  start = performance.now();
  const found = apps.map((app) => lintApp(app, spec)).reduce((n, r) => n + r.errors.length + r.warnings.length, 0);
  const ms = performance.now() - start;
  line(`lint ${apps.length} templates of the repo, ${run} run${found ? ` - ${found} FINDINGS` : ''}`, ms);
  if (ms > 5000) {
    console.error(`presso lint took ${ms.toFixed(0)} ms after the schemas loaded: the bound is 5000 ms`);
    process.exitCode = 1;
  }
}

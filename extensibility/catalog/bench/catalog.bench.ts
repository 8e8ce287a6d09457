// Catalog benchmark: how long `presso catalog` takes to read the repo's apps and render both pages,
// and how long judging one rule against the whole contract takes (witnesses included).
// Run: npx tsx extensibility/catalog/bench/catalog.bench.ts [REPO] (or npm run bench). Bounded to seconds.
import { performance } from 'node:perf_hooks';
import { judgeRule, type App, type BusRule } from '../src/bus/index.js';
import { generateCatalog, REPO_ROOT } from '../src/page/index.js';

function measure(label: string, runs: number, fn: () => unknown): void {
  fn(); // warm: module loading, esbuild's service, compiled patterns
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const ms = (performance.now() - start) / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2).padStart(9)} ms per run (${runs} runs)`);
}

const app: App = {
  name: 'bench',
  kind: 'extension',
  dir: REPO_ROOT,
  templateFile: `${REPO_ROOT}/template.yaml`,
  path: 'template.yaml',
};
const rule = (pattern: unknown): BusRule => ({
  app,
  logicalId: 'R',
  resource: 'R',
  property: 'Pattern',
  busAsWritten: 'Serverlesspresso',
  bus: 'Serverlesspresso',
  pattern,
  state: 'ENABLED',
  targets: [],
});
const SOURCE = 'awsserverlessda.serverlesspresso';

const root = process.argv[2] ?? REPO_ROOT;
const { page, scan } = generateCatalog(root);
console.log(
  `repo: ${page.apps.length} app(s), ${scan.rules.length} rule(s) on the bus, ${scan.producers.length} producer(s)`,
);
measure('presso catalog: read every app, render Markdown and HTML', 20, () => generateCatalog(root));
measure('judge a rule on the source alone (13 entries match)', 200, () => judgeRule(rule({ source: [SOURCE] })));
measure('judge a content-filtering rule with $or (witnesses built)', 200, () =>
  judgeRule(
    rule({
      source: [SOURCE],
      $or: [
        { 'detail-type': ['OrderManager.WaitingCompletion'], detail: { drinkOrder: { drink: ['Latte'] } } },
        { 'detail-type': ['OrderManager.OrderBCN-COMPLETED'] },
      ],
    }),
  ),
);

// Test levels. A test file is an *integration* test when it, or a helper it imports from outside a
// src/ folder, starts a local cloud, DynamoDB Local (Java) or a browser: it names one of the markers
// below. Every other test file is a *unit* test, which `npm run test:unit` runs alone, and which the
// unit guard (PRESSO_TEST_LEVEL=unit, see unit-guard.js) stops loudly if it starts one after all.
// No file moves: the rule reads what a file uses. A test that starts one in a way no marker names
// says so on a comment line of its own, as the `presso up` helper does (extensibility/cli/test/up.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const MARKERS = [
  /@serverlesspresso\/testing(?!\/until)/, // an extension's tests on the local cloud (startLocal, ...); its `until` imports nothing
  /\bstartLocalCloud\b/,
  /@serverlesspresso\/core\/harness/, // the core on a local cloud (the recorder, the core's own integration tests)
  /\bstartEngine\b/, // DynamoDB Local, a Java process
  /\b(?:IsolationBench|checkIsolation)\b/, // the checker's rule 3 runs a local cloud of its own
  /\bplaywright\b/, // a browser
  /^\s*(?:\/\/|\/?\*+)\s*@level\s+integration\b/m, // a comment that says so, on a line of its own
];

const root = resolve(new URL('..', import.meta.url).pathname);

/** True when the test file (or a helper it imports from outside a src/ folder, transitively) names a marker. */
export function isIntegration(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (MARKERS.some((marker) => marker.test(text))) return true;
  // Helpers (test/, recorder/, ...), not sources: a module under src/ that starts a cloud is called by a marked name.
  for (const spec of relativeImports(text)) {
    const named = resolve(dirname(file), spec);
    // Sources import siblings as './x.js' (NodeNext style), meaning x.ts.
    const target = [named.replace(/\.js$/, '.ts'), named].find((f) => existsSync(f));
    if (!target || relative(root, target).split(sep).includes('src')) continue;
    if (isIntegration(target, seen)) return true;
  }
  return false;
}

/** What a module imports by relative path, type-only imports left out (they run nothing). */
function relativeImports(text) {
  const statics = [...text.matchAll(/^\s*(?:import|export)\s+(type\s)?[^;]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm)]
    .filter((m) => !m[1])
    .map((m) => m[2]);
  const bare = [...text.matchAll(/\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return [...statics, ...bare];
}

/** 'unit' when PRESSO_TEST_LEVEL=unit (npm run test:unit), else every test runs. */
export const selectedLevel = () => (process.env.PRESSO_TEST_LEVEL === 'unit' ? 'unit' : 'all');

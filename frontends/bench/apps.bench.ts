// What each app costs a phone: the production build (frontends/build/build.ts, into a temporary
// folder so dist/ is left alone), each app's app.js and app.css raw and gzipped, against issue 13's
// budget of 80 KB of gzipped JavaScript per app (first load, and with every lazy chunk loaded).
// Run: npm run bench -w @serverlesspresso/frontends (or npx tsx frontends/bench/apps.bench.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildApps } from '../build/build.js';

const BUDGET = 80 * 1024;
const out = mkdtempSync(join(tmpdir(), 'presso-apps-bench-'));
const started = performance.now();
const built = await buildApps(out);
const buildMs = performance.now() - started;
const kb = (n: number): string => `${(n / 1024).toFixed(1).padStart(6)} KB`;
const gzip = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

console.log(
  `${'app'.padEnd(8)} ${'js raw'.padStart(9)} ${'js gzip'.padStart(9)} ${'css gzip'.padStart(9)} ${'lazy gzip'.padStart(10)}  budget (80 KB gzip JS)`,
);
let over = false;
for (const { app, js, chunks } of built) {
  const jsGzip = gzip(join(out, app, 'app.js'));
  const cssGzip = gzip(join(out, app, 'app.css'));
  // Chunks load on first use (the order app's jsQR, only where the browser has no BarcodeDetector).
  const lazyGzip = chunks.reduce((sum, chunk) => sum + gzip(join(out, app, chunk.file)), 0);
  over ||= jsGzip + lazyGzip > BUDGET;
  console.log(
    `${app.padEnd(8)} ${kb(js)} ${kb(jsGzip)} ${kb(cssGzip)} ${kb(lazyGzip).padStart(10)}  ${jsGzip + lazyGzip <= BUDGET ? 'within' : 'OVER'} (${Math.round((jsGzip / BUDGET) * 100)}% at first load, ${Math.round(((jsGzip + lazyGzip) / BUDGET) * 100)}% with chunks)`,
  );
}
console.log(`build of the three apps: ${Math.round(buildMs)} ms`);
rmSync(out, { recursive: true, force: true });
if (over) process.exitCode = 1;

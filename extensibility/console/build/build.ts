// Builds the console into dist/ (index.html, app.js, app.css): esbuild bundles app/main.tsx with
// Preact and dagre, minified for browsers, as frontends/build does for the bar's apps. `presso up`
// builds it when dist/ is missing or older than a source (ensureBuilt).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The console workspace's folder. */
export const CONSOLE = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(CONSOLE, 'dist');

const SOURCES = [join(CONSOLE, 'app'), join(CONSOLE, 'build', 'build.ts')];
const STAMP = '.built';

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** True when dist/ is missing or older than any source. */
export function isStale(outDir = DIST): boolean {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(outDir, 'app.js'))) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((source) => existsSync(source) && newest(source) > built);
}

const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Local console</title>
    <link rel="stylesheet" href="app.css" />
    <script type="module" src="app.js"></script>
  </head>
  <body>
    <div id="app"><p>Loading…</p></div>
  </body>
</html>
`;

export interface BuiltConsole {
  /** Bytes of app.js and app.css, and app.js gzipped (the budget: 250 KB). */
  js: number;
  css: number;
  jsGzip: number;
}

/** Builds into outDir (default dist/), beside it first and moved in whole (parallel `presso up`s). */
export async function buildConsole(outDir = DIST): Promise<BuiltConsole> {
  const staging = `${outDir}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(staging, { recursive: true });
    await build({
      entryPoints: { app: join(CONSOLE, 'app', 'main.tsx') },
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
      platform: 'browser',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      outdir: staging,
      logLevel: 'warning',
      legalComments: 'none',
    });
    writeFileSync(join(staging, 'index.html'), HTML);
    writeFileSync(join(staging, STAMP), new Date().toISOString());
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (e) {
      if (!existsSync(join(outDir, STAMP))) throw e;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return sizes(outDir);
}

export function sizes(outDir = DIST): BuiltConsole {
  const js = readFileSync(join(outDir, 'app.js'));
  const css = join(outDir, 'app.css');
  return { js: js.length, css: existsSync(css) ? statSync(css).size : 0, jsGzip: gzipSync(js).length };
}

/** Builds when dist/ is missing or stale; true when it built. */
export async function ensureBuilt(outDir = DIST): Promise<boolean> {
  if (!isStale(outDir)) return false;
  await buildConsole(outDir);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { js, jsGzip, css } = await buildConsole();
  console.log(
    `console dist/app.js ${(js / 1024).toFixed(1)} KB (${(jsGzip / 1024).toFixed(1)} KB gzipped), app.css ${(css / 1024).toFixed(1)} KB`,
  );
}

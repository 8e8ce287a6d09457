// Builds the three web apps into dist/<app>/ (index.html, app.js, app.css): esbuild bundles each
// app's main.tsx with Preact and the shared module, minified for browsers. Each app reads its
// settings from the config.json served beside it, so the same build runs in AWS and locally.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const APPS = ['order', 'barista', 'display'] as const;
export type AppName = (typeof APPS)[number];

/** The frontends workspace's folder. */
export const FRONTENDS = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(FRONTENDS, 'dist');

const TITLES: Record<AppName, string> = {
  order: 'Order a coffee',
  barista: 'Barista queue',
  display: 'Coffee bar board',
};

/** What the build reads: a change to any of it makes the build stale. */
const SOURCES = [join(FRONTENDS, 'apps'), join(FRONTENDS, 'src', 'shared'), join(FRONTENDS, 'build', 'build.ts')];
const STAMP = '.built';

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** True when dist/ is missing an app or is older than any source. */
export function isStale(outDir = DIST): boolean {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp) || APPS.some((app) => !existsSync(join(outDir, app, 'app.js')))) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((source) => existsSync(source) && newest(source) > built);
}

const html = (app: AppName) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="theme-color" content="#3b2314" />
    <title>${TITLES[app]}</title>
    <link rel="stylesheet" href="app.css" />
    <script type="module" src="app.js"></script>
  </head>
  <body class="app-${app}">
    <main id="app"><p class="loading">Loading…</p></main>
  </body>
</html>
`;

export interface BuiltApp {
  app: AppName;
  /** Bytes of app.js (what the first screen loads) and app.css. */
  js: number;
  css: number;
  /** Chunks loaded later, on first use (paths under the app's folder). */
  chunks: { file: string; bytes: number }[];
}

/**
 * Builds every app into outDir (default dist/), replacing what was there. Built beside it first and
 * moved in whole: several `presso up` (parallel tests) may build at once, and none sees half a build.
 */
export async function buildApps(outDir = DIST): Promise<BuiltApp[]> {
  const staging = `${outDir}.${process.pid}.${Date.now()}.tmp`;
  try {
    const built = await buildInto(staging);
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (e) {
      // Another build moved its own in meanwhile: it is as fresh as this one.
      if (!existsSync(join(outDir, STAMP))) throw e;
    }
    return built;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildInto(outDir: string): Promise<BuiltApp[]> {
  mkdirSync(outDir, { recursive: true });
  // One build per app, split: what an app imports lazily (the order app's jsQR, needed only where the
  // browser has no BarcodeDetector) is a chunk of its own in <app>/chunks/, loaded when first used.
  await Promise.all(
    APPS.map((app) =>
      build({
        entryPoints: { app: join(FRONTENDS, 'apps', app, 'main.tsx') },
        bundle: true,
        splitting: true,
        minify: true,
        format: 'esm',
        target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
        platform: 'browser',
        jsx: 'automatic',
        jsxImportSource: 'preact',
        outdir: join(outDir, app),
        chunkNames: 'chunks/[name]-[hash]',
        logLevel: 'warning',
        legalComments: 'none',
      }),
    ),
  );
  const built = APPS.map((app) => {
    writeFileSync(join(outDir, app, 'index.html'), html(app));
    const size = (file: string) => (existsSync(join(outDir, app, file)) ? statSync(join(outDir, app, file)).size : 0);
    const chunks = existsSync(join(outDir, app, 'chunks'))
      ? readdirSync(join(outDir, app, 'chunks')).map((name) => `chunks/${name}`)
      : [];
    return {
      app,
      js: size('app.js'),
      css: size('app.css'),
      chunks: chunks.map((file) => ({ file, bytes: size(file) })),
    };
  });
  writeFileSync(join(outDir, STAMP), new Date().toISOString());
  return built;
}

/** Builds when dist/ is missing or stale; true when it built. */
export async function ensureBuilt(outDir = DIST): Promise<boolean> {
  if (!isStale(outDir)) return false;
  await buildApps(outDir);
  return true;
}

/** A built file's content (for the benchmark and the server). */
export const builtFile = (app: AppName, file: string, outDir = DIST): Buffer => readFileSync(join(outDir, app, file));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildApps();
  for (const { app, js, css } of built)
    console.log(
      `${app.padEnd(8)} dist/${app}/app.js ${(js / 1024).toFixed(1)} KB, app.css ${(css / 1024).toFixed(1)} KB`,
    );
}

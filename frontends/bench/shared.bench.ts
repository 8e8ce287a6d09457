// What the shared browser module costs a phone: each part and the whole, bundled for browsers as an
// app's build would (esbuild, minified, ES2022), raw and gzipped. Issue 13 gives each app 80 KB of
// gzipped JavaScript; this is the part every app pays.
// Run: npm run bench -w @serverlesspresso/frontends (or npx tsx frontends/bench/shared.bench.ts).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const shared = (file: string): string => fileURLToPath(new URL(`../src/shared/${file}`, import.meta.url));

async function size(entry: string): Promise<{ raw: number; gzip: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1).padStart(6)} KB`;
console.log(`${'bundle (minified, ES2022)'.padEnd(34)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)}`);
for (const [label, file] of [
  ['config.ts', 'config.ts'],
  ['auth.ts (with pkce.ts)', 'auth.ts'],
  ['api.ts', 'api.ts'],
  ['realtime.ts', 'realtime.ts'],
  ['channels.ts', 'channels.ts'],
  ['index.ts (the whole module)', 'index.ts'],
] as const) {
  const { raw, gzip } = await size(shared(file));
  console.log(`${label.padEnd(34)} ${kb(raw)} ${kb(gzip)}`);
}

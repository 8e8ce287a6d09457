// The build matches `sam build`'s esbuild (aws-lambda-builders): its defaults, where the artifact
// puts the handler's module, and a cache that rebuilds only when an input changed; artifacts are
// immutable, each in a folder named by its content.
import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { buildFunction, esbuildOptions, parseHandler, pruneBuilds } from '../../src/services/lambda/runtime/index.js';

const app = new URL('./fixtures/fn-app', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'presso-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('esbuild options', () => {
  it("uses aws-lambda-builders' defaults when BuildProperties say nothing", () => {
    const o = esbuildOptions(app, '/out', 'src/echo');
    expect(o).toMatchObject({
      entryPoints: ['src/echo.ts'],
      bundle: true,
      platform: 'node',
      target: 'es2020',
      format: 'cjs',
      minify: true,
      outdir: '/out',
    });
  });

  it('maps BuildProperties to esbuild options', () => {
    const o = esbuildOptions(app, '/out', 'echo', {
      EntryPoints: ['src/echo.ts'],
      Format: 'esm',
      Target: 'es2022',
      Minify: false,
      External: ['@aws-sdk/*'],
      OutExtension: ['.js=.mjs'],
      Banner: ['js=// hi'],
      Loader: ['.txt=text'],
      MainFields: 'module,main',
    });
    expect(o).toMatchObject({
      format: 'esm',
      target: 'es2022',
      minify: false,
      external: ['@aws-sdk/*'],
      outExtension: { '.js': '.mjs' },
      banner: { js: '// hi' },
      loader: { '.txt': 'text' },
      mainFields: ['module', 'main'],
    });
  });

  it('names a bad property', () => {
    expect(() => esbuildOptions(app, '/out', 'echo', { EntryPoints: 'src/echo.ts' })).toThrow(
      'BuildProperties.EntryPoints must be a list of strings',
    );
    expect(() => esbuildOptions(app, '/out', 'echo', { EntryPoints: ['src/echo.ts'], OutExtension: ['.mjs'] })).toThrow(
      "OutExtension item '.mjs' must be of the form KEY=VALUE",
    );
    expect(() => parseHandler('handler')).toThrow("'handler' is not of the form module.export");
  });
});

describe('buildFunction', () => {
  it('says where SAM puts a single entry point when the Handler names another path', async () => {
    await expect(
      buildFunction({
        name: 'f',
        codeUri: app,
        handler: 'src/echo.handler',
        outDir: join(work, 'nested'),
        metadata: { BuildMethod: 'esbuild', BuildProperties: { EntryPoints: ['src/echo.ts'] } },
      }),
    ).rejects.toThrow(
      "'src/echo.handler' names src/echo.js, which the esbuild build does not produce (it wrote echo.js). SAM's esbuild puts a single entry point at the root of the artifact: use Handler: echo.handler",
    );
  });

  it('without BuildMethod esbuild, asks for it when only TypeScript is there', async () => {
    await expect(
      buildFunction({ name: 'f', codeUri: app, handler: 'src/echo.handler', outDir: join(work, 'plain') }),
    ).rejects.toThrow("there is a src/echo.ts: TypeScript needs 'Metadata: BuildMethod: esbuild'");
  });

  it('reuses the previous bundle until an input changes; a rebuild leaves the previous artifact as it was', async () => {
    const code = join(work, 'app');
    cpSync(join(app, 'src'), join(code, 'src'), { recursive: true });
    const outDir = join(work, 'out');
    const request = {
      name: 'f',
      codeUri: code,
      handler: 'echo.handler',
      outDir,
      metadata: { BuildMethod: 'esbuild', BuildProperties: { EntryPoints: ['src/echo.ts'] } },
    };
    const first = await buildFunction(request);
    expect(first.cached).toBe(false);
    expect(first.bundleFile).toMatch(new RegExp(`^${outDir}/v-[0-9a-f]{16}/echo\\.js$`));
    expect(await buildFunction(request)).toEqual({ ...first, cached: true });
    const before = readFileSync(first.bundleFile, 'utf8');
    writeFileSync(join(code, 'src', 'echo.ts'), 'export const handler = async () => 1;\n');
    utimesSync(join(code, 'src', 'echo.ts'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await buildFunction(request);
    expect(rebuilt).toMatchObject({ cached: false, exportName: 'handler' });
    expect(dirname(rebuilt.bundleFile)).not.toBe(dirname(first.bundleFile));
    // What a running function loads is never rewritten: a rollback can go back to it.
    expect(readFileSync(first.bundleFile, 'utf8')).toBe(before);
    expect(readFileSync(join(dirname(rebuilt.bundleFile), 'package.json'), 'utf8')).toBe('{}\n');

    // Pruning keeps what is named and what the cache would reuse (the latest build), nothing else.
    pruneBuilds(outDir, [first.bundleFile]);
    expect(
      readdirSync(outDir)
        .filter((e) => e.startsWith('v-'))
        .sort(),
    ).toEqual([basename(dirname(first.bundleFile)), basename(dirname(rebuilt.bundleFile))].sort());
    pruneBuilds(outDir, []);
    expect(readdirSync(outDir).filter((e) => !e.startsWith('.'))).toEqual([basename(dirname(rebuilt.bundleFile))]);
    expect(await buildFunction(request)).toEqual({ ...rebuilt, cached: true });
  });
});

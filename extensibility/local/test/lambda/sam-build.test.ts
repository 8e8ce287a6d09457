// @level integration (installs each app's dependencies from the registry)
// `sam build` proven without SAM CLI: each app folder is copied alone to a temporary folder, as SAM's
// esbuild builder copies it; only its own package.json's production dependencies are installed from
// the registry (`npm install` with aws-lambda-builders' arguments); each function is bundled with its
// template's Metadata.BuildProperties by the esbuild command line the builder runs; each bundle is
// loaded by a fresh Node process outside the repo, as Lambda's runtime loads it: the handler is
// found, every import resolves, and no workspace package is needed at run time. This guards the
// decision that handlers import the contract for types only. One install per app's package.json (npm's
// own cache makes it quick), in a temporary folder removed at the end.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import {
  loadTemplate,
  parseHandler,
  SAM_COPY_EXCLUDES,
  SAM_NPM_INSTALL_ARGS,
  samEsbuildArgs,
} from '../../src/tooling.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const APPS = [
  'core',
  'extensibility/EventPlayer',
  '_extension_model',
  ...readdirSync(join(root, 'extensions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'extensions', d.name, 'template.yaml')))
    .map((d) => `extensions/${d.name}`),
];
const cacheRoot = mkdtempSync(join(tmpdir(), 'presso-sam-build-'));
afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

interface SamFunction {
  logicalId: string;
  codeUri: string;
  handler: string;
  buildProperties: Record<string, unknown>;
  environment: Record<string, string>;
}

function functionsOf(appDir: string): SamFunction[] {
  const template = loadTemplate(join(appDir, 'template.yaml'), {
    stackName: `sam-build-${basename(appDir).replace(/[^A-Za-z0-9-]/g, '')}`,
    region: 'us-east-1',
    accountId: '123456789012',
  });
  return template.resources
    .filter((r) => r.type === 'AWS::Serverless::Function')
    .map((r) => {
      const p = r.properties as { CodeUri?: string; Handler?: string; Environment?: { Variables?: object } };
      expect(r.metadata?.BuildMethod).toBe('esbuild');
      return {
        logicalId: r.logicalId,
        codeUri: p.CodeUri ?? '.',
        handler: String(p.Handler),
        buildProperties: (r.metadata?.BuildProperties ?? {}) as Record<string, unknown>,
        environment: Object.fromEntries(
          Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : 'x']),
        ),
      };
    });
}

/** The app's CodeUri folder copied alone, with its production dependencies installed (once per package.json). */
function scratchOf(appDir: string, key: string, codeUri: string): string {
  const source = resolve(appDir, codeUri);
  const manifest = readFileSync(join(source, 'package.json'));
  const hash = createHash('sha256').update(manifest).digest('hex').slice(0, 12);
  const scratch = join(cacheRoot, `${key}-${hash}`);
  mkdirSync(scratch, { recursive: true });
  for (const entry of readdirSync(scratch))
    if (entry !== 'node_modules') rmSync(join(scratch, entry), { recursive: true });
  for (const entry of readdirSync(source)) {
    if ((SAM_COPY_EXCLUDES as readonly string[]).includes(entry)) continue;
    cpSync(join(source, entry), join(scratch, entry), { recursive: true });
  }
  if (!existsSync(join(scratch, 'node_modules', '.installed'))) {
    rmSync(join(scratch, 'node_modules'), { recursive: true, force: true });
    execFileSync('npm', [...SAM_NPM_INSTALL_ARGS], {
      cwd: scratch,
      stdio: 'pipe',
      // The npm cache first: the registry only for what it lacks.
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_fund: 'false' },
    });
    mkdirSync(join(scratch, 'node_modules'), { recursive: true });
    writeFileSync(join(scratch, 'node_modules', '.installed'), '');
  }
  return scratch;
}

/** esbuild as the builder finds it: the app's own, else the one on the PATH (the repo's, as an operator's global one). */
function esbuildIn(scratch: string): string {
  const own = join(scratch, 'node_modules', '.bin', 'esbuild');
  return existsSync(own) ? own : join(root, 'node_modules', '.bin', 'esbuild');
}

/** Loads the bundle in a fresh Node process, cwd the artifact folder, as Lambda's runtime does: the export's type, or the error. */
function load(artifacts: string, fn: SamFunction): { ok: boolean; output: string } {
  const { module, exportName } = parseHandler(fn.handler);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(artifacts, module + ext)).find(existsSync);
  if (!file) return { ok: false, output: `no ${module}.js, .mjs or .cjs in ${readdirSync(artifacts).join(', ')}` };
  const script = `const m = await import(${JSON.stringify(`file://${file}`)}); const h = m[${JSON.stringify(exportName)}]; if (typeof h !== 'function') { console.error('export ${exportName} is ' + typeof h); process.exit(1); }`;
  const run = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: artifacts,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: '/usr/bin:/bin',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      LAMBDA_TASK_ROOT: artifacts,
      _HANDLER: fn.handler,
      ...fn.environment,
    },
  });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `sam build` of every function of the app folder, then a load of each bundle: what failed, one line each. */
function samBuild(appDir: string): { functions: number; failures: string[] } {
  const key = relative(root, appDir).replace(/\W/g, '_');
  const functions = functionsOf(appDir);
  const failures: string[] = [];
  for (const fn of functions) {
    const scratch = scratchOf(appDir, key, fn.codeUri);
    const artifacts = join(cacheRoot, 'artifacts', key, fn.logicalId);
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const bundled = spawnSync(esbuildIn(scratch), samEsbuildArgs(fn.buildProperties, artifacts), {
      cwd: scratch,
      encoding: 'utf8',
    });
    if (bundled.status !== 0) {
      failures.push(`${fn.logicalId}: esbuild failed: ${bundled.stderr.trim()}`);
      continue;
    }
    const loaded = load(artifacts, fn);
    if (!loaded.ok) failures.push(`${fn.logicalId} (${fn.handler}): ${loaded.output}`);
  }
  return { functions: functions.length, failures };
}

describe('sam build of each app, alone', () => {
  it.each(APPS)(
    '%s: every function bundles from the folder alone and its handler loads outside the repo',
    (app) => {
      const { functions, failures } = samBuild(join(root, app));
      expect(functions).toBeGreaterThan(0);
      expect(failures).toEqual([]);
    },
    600_000,
  );

  it('fails a handler that imports a value from a workspace package, and passes one that imports its types', () => {
    const { functions, failures } = samBuild(new URL('./fixtures/workspace-import-app', import.meta.url).pathname);
    expect(functions).toBe(2);
    expect(failures).toEqual([
      expect.stringMatching(/^ValueImport: esbuild failed: .*Could not resolve "@serverlesspresso\/catalog"/s),
    ]);
  }, 120_000);
});

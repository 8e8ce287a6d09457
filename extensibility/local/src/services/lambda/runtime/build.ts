// Builds a function's code the way `sam build` does, so the bundle that runs locally is the one
// that would run in AWS: with `Metadata: BuildMethod: esbuild`, esbuild with SAM's defaults and the
// template's BuildProperties (aws-lambda-builders' NodejsNpmEsbuildBuilder); without it, the CodeUri
// folder as it is. Builds are cached: an unchanged input set reuses the previous bundle.
//
// Each artifact is immutable, in a folder of its own named by its content (`<outDir>/v-<hash>/`), as
// each Lambda version's code is: a rebuild never changes the files a running function loads, and a
// failed update can roll back to the previous artifact. pruneBuilds removes the ones no longer used.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { build, type BuildOptions, type Loader, type Metafile } from 'esbuild';

export interface BuildMetadata {
  BuildMethod?: string;
  BuildProperties?: Record<string, unknown>;
}

export interface BuildRequest {
  /** The function's name, for messages. */
  name: string;
  /** Absolute CodeUri folder. */
  codeUri: string;
  /** `module/path.export`, relative to the built artifact. */
  handler: string;
  /** Where the artifact goes (a folder of its own). */
  outDir: string;
  metadata?: BuildMetadata;
}

export interface BuiltFunction {
  /** The module Lambda would load for the handler. */
  bundleFile: string;
  exportName: string;
  /** True when the previous build was reused. */
  cached: boolean;
}

/** A build problem: the property of the template it is about, and what to do. */
export class BuildError extends Error {
  constructor(
    readonly property: 'Handler' | 'CodeUri' | 'Metadata',
    message: string,
  ) {
    super(message);
  }
}

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const MANIFEST = '.presso-build.json';
const VERSION_PREFIX = 'v-';

/** "src/app.handler" → { module: "src/app", exportName: "handler" } (Lambda splits at the last dot). */
export function parseHandler(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1)
    throw new BuildError('Handler', `'${handler}' is not of the form module.export (e.g. app.handler)`);
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

const list = (value: unknown, key: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new BuildError('Metadata', `BuildProperties.${key} must be a list of strings`);
  return value as string[];
};

/** `KEY=VALUE` pairs of a multi-value property (Loader, OutExtension, Banner), as esbuild's CLI reads them. */
const pairs = (value: unknown, key: string): Record<string, string> =>
  Object.fromEntries(
    list(value, key).map((item) => {
      const eq = item.indexOf('=');
      if (eq <= 0)
        throw new BuildError('Metadata', `BuildProperties.${key} item '${item}' must be of the form KEY=VALUE`);
      return [item.slice(0, eq), item.slice(eq + 1)];
    }),
  );

/** esbuild options equal to what aws-lambda-builders passes for these BuildProperties. */
export function esbuildOptions(
  codeUri: string,
  outDir: string,
  handlerModule: string,
  properties: Record<string, unknown> = {},
): BuildOptions {
  const p = properties;
  const entryPoints = list(p.EntryPoints, 'EntryPoints');
  // SAM's default entry point is the handler's module.
  const entries = (entryPoints.length ? entryPoints : [handlerModule]).map((entry) => {
    const candidates = extname(entry) ? [entry] : [`${entry}.ts`, `${entry}.js`];
    const found = candidates.find((c) => existsSync(join(codeUri, c)));
    if (!found)
      throw new BuildError(
        entryPoints.length ? 'Metadata' : 'Handler',
        `entry point ${join(codeUri, candidates[0]!)} does not exist`,
      );
    return found;
  });
  const bool = (key: string) => p[key] === true || p[key] === 'true';
  return {
    absWorkingDir: codeUri,
    entryPoints: entries,
    bundle: true,
    platform: 'node',
    outdir: outDir,
    target: typeof p.Target === 'string' ? p.Target : 'es2020',
    format: p.Format === 'esm' ? 'esm' : p.Format === 'iife' ? 'iife' : 'cjs',
    minify: p.Minify === undefined ? true : bool('Minify'),
    // Always: stack traces of local invocations point at the TypeScript source. Without the
    // sources' text (the whole SDK's) the map is a third of the size, and every sandbox's cold
    // start parses it: about 40 ms less CPU each; traces only need the mappings.
    sourcemap: 'inline',
    sourcesContent: false,
    ...(typeof p.MainFields === 'string' ? { mainFields: p.MainFields.split(',') } : {}),
    external: list(p.External, 'External'),
    loader: pairs(p.Loader, 'Loader') as Record<string, Loader>,
    outExtension: pairs(p.OutExtension, 'OutExtension'),
    banner: pairs(p.Banner, 'Banner'),
    metafile: true,
    logLevel: 'silent',
  };
}

function optionsKey(options: BuildOptions): string {
  return createHash('sha256').update(JSON.stringify(options)).digest('hex');
}

type Fingerprint = Record<string, string>;

function fingerprint(codeUri: string, inputs: Iterable<string>): Fingerprint {
  const out: Fingerprint = {};
  for (const input of inputs) {
    const path = resolve(codeUri, input);
    try {
      const s = statSync(path);
      out[input] = `${s.size}:${s.mtimeMs}`;
    } catch {
      out[input] = 'missing';
    }
  }
  return out;
}

interface Manifest {
  key: string;
  inputs: Fingerprint;
  bundleFile: string;
}

function reusable(outDir: string, key: string, codeUri: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as Manifest;
    if (manifest.key !== key || !existsSync(manifest.bundleFile)) return undefined;
    const now = fingerprint(codeUri, Object.keys(manifest.inputs));
    return Object.entries(manifest.inputs).every(([k, v]) => now[k] === v) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** The handler's module file inside the artifact, as Lambda's runtime looks for it. */
function moduleFile(dir: string, module: string): string | undefined {
  return MODULE_EXTENSIONS.map((ext) => join(dir, module + ext)).find((f) => existsSync(f));
}

export async function buildFunction(request: BuildRequest): Promise<BuiltFunction> {
  const { module, exportName } = parseHandler(request.handler);
  if (!existsSync(request.codeUri) || !statSync(request.codeUri).isDirectory())
    throw new BuildError('CodeUri', `folder ${request.codeUri} does not exist`);
  const method = request.metadata?.BuildMethod;
  if (method === undefined || method === 'nodejs' || method === 'makefile') {
    // No esbuild: SAM ships CodeUri as it is, so the handler's .js file must already be there.
    const file = moduleFile(request.codeUri, module);
    if (!file) {
      const ts = existsSync(join(request.codeUri, `${module}.ts`))
        ? ` (there is a ${module}.ts: TypeScript needs 'Metadata: BuildMethod: esbuild')`
        : '';
      throw new BuildError('Handler', `handler module ${join(request.codeUri, module)}.js does not exist${ts}`);
    }
    return { bundleFile: file, exportName, cached: true };
  }
  if (method !== 'esbuild')
    throw new BuildError('Metadata', `BuildMethod '${method}' is not supported locally (use esbuild)`);
  // The cache key: the options as they would be for the build folder itself (staging folders differ).
  const key = optionsKey(esbuildOptions(request.codeUri, request.outDir, module, request.metadata?.BuildProperties));
  const previous = reusable(request.outDir, key, request.codeUri);
  if (previous) return { bundleFile: previous.bundleFile, exportName, cached: true };

  // Built beside the artifacts (same depth, so the source map's relative paths hold), then moved
  // to its content's name.
  mkdirSync(request.outDir, { recursive: true });
  const staging = join(request.outDir, `.staging-${randomUUID()}`);
  const options = esbuildOptions(request.codeUri, staging, module, request.metadata?.BuildProperties);
  let metafile: Metafile;
  try {
    metafile = (await build(options)).metafile!;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    const errors = (
      e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }
    ).errors;
    const text = errors?.length
      ? errors
          .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
          .join('; ')
      : (e as Error).message;
    throw new BuildError('Handler', `esbuild failed: ${text}`);
  }
  // Like Lambda's /var/task, the artifact has no package.json of the app: a .js bundle is CommonJS.
  writeFileSync(join(staging, 'package.json'), '{}\n');
  const outputs = Object.keys(metafile.outputs)
    .map((o) => relative(staging, resolve(request.codeUri, o)))
    .sort();
  if (!moduleFile(staging, module)) {
    rmSync(staging, { recursive: true, force: true });
    const produced = outputs.filter((o) => !o.endsWith('.map'));
    throw new BuildError(
      'Handler',
      `'${request.handler}' names ${module}.js, which the esbuild build does not produce (it wrote ${produced.join(', ')}). ` +
        `SAM's esbuild puts a single entry point at the root of the artifact: use Handler: ${basename(produced[0] ?? module).replace(/\.[cm]?js$/, '')}.${exportName}`,
    );
  }
  const hash = createHash('sha256');
  for (const output of outputs)
    hash
      .update(output)
      .update('\0')
      .update(readFileSync(join(staging, output)));
  const artifact = join(request.outDir, `${VERSION_PREFIX}${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(artifact)) {
    rmSync(staging, { recursive: true, force: true }); // the same artifact as an earlier build
  } else {
    try {
      renameSync(staging, artifact);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(artifact)) throw e; // otherwise another build made the same artifact first
    }
  }
  const bundleFile = moduleFile(artifact, module)!;
  const manifest: Manifest = { key, inputs: fingerprint(request.codeUri, Object.keys(metafile.inputs)), bundleFile };
  writeFileSync(join(request.outDir, MANIFEST), JSON.stringify(manifest));
  return { bundleFile, exportName, cached: false };
}

/**
 * Removes the artifacts of a build folder except those of the given bundle files and the one the
 * cache would reuse: what runs stays, and so does what a rollback may go back to.
 */
export function pruneBuilds(outDir: string, keepBundleFiles: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return;
  }
  const keep = new Set(keepBundleFiles.map((f) => dirname(f)));
  try {
    keep.add(dirname((JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as Manifest).bundleFile));
  } catch {
    // no manifest: nothing cached to keep
  }
  for (const entry of entries) {
    const path = join(outDir, entry);
    if (entry.startsWith(VERSION_PREFIX) && !keep.has(path)) rmSync(path, { recursive: true, force: true });
  }
}

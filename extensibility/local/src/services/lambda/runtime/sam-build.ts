// What `sam build` runs for a function with `Metadata: BuildMethod: esbuild`, as command lines, so a
// test can run the same commands in a copy of the app folder alone (no SAM CLI needed). Read from
// aws-lambda-builders' nodejs_npm_esbuild workflow (workflow.py, esbuild.py) and nodejs_npm's install
// action (actions.py), and SAM CLI's normalisation of BuildProperties (PascalCase keys to snake_case):
// 1. the CodeUri folder is copied to a scratch folder, without `.aws-sam`, `.git` and `node_modules`;
// 2. `npm install -q --no-audit --no-save --unsafe-perm --omit=dev` runs there (the production
//    dependencies of the folder's own package.json: no workspace, no lock of the repo's);
// 3. esbuild (the scratch folder's `node_modules/.bin/esbuild`, else the one on the PATH) runs in the
//    scratch folder with `samEsbuildArgs(...)`.

/** The folders SAM's esbuild workflow leaves out of the copy. */
export const SAM_COPY_EXCLUDES = ['.aws-sam', '.git', 'node_modules'] as const;

/** The npm arguments of aws-lambda-builders' NodejsNpmInstallAction. */
export const SAM_NPM_INSTALL_ARGS = [
  'install',
  '-q',
  '--no-audit',
  '--no-save',
  '--unsafe-perm',
  '--omit=dev',
] as const;

/** Values the builder sets itself, and keys it takes for itself (not esbuild flags). */
const NON_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
const IGNORED = new Set(['use_npm_ci', 'entry_points']);

/** SAM CLI's PascalCase → snake_case of a BuildProperties key (`OutExtension` → `out_extension`). */
export function snakeCase(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();
}

/**
 * esbuild's arguments for these BuildProperties, in aws-lambda-builders' order: entry points (as
 * written, relative to the scratch folder), the defaults (`--bundle --platform=node --outdir=OUT`,
 * and `--target=es2020`, `--format=cjs`, `--minify` when not configured), then every property: a
 * boolean `--key` when true, a string `--key=value`, a list `--key:item` per item.
 */
export function samEsbuildArgs(buildProperties: Record<string, unknown>, outdir: string): string[] {
  const config = Object.fromEntries(Object.entries(buildProperties).map(([k, v]) => [snakeCase(k), v]));
  const entryPoints = config.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0 || entryPoints.some((e) => typeof e !== 'string'))
    throw new Error(
      'BuildProperties.EntryPoints must be a non-empty list of paths: sam build refuses a function without one.',
    );
  const args = [...(entryPoints as string[]), '--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  for (const [key, value] of Object.entries(config)) {
    if (NON_CONFIGURABLE.has(key) || IGNORED.has(key)) continue;
    const flag = `--${key.replace(/_/g, '-')}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') args.push(`${flag}=${value}`);
    else if (Array.isArray(value)) for (const item of value) args.push(`${flag}:${String(item)}`);
    else
      throw new Error(
        `BuildProperties.${key}: sam build takes a boolean, a string or a list, not ${JSON.stringify(value)}.`,
      );
  }
  return args;
}

// Writes each built app's config.json for AWS from the core stack's outputs, before the upload:
//   aws cloudformation describe-stacks --stack-name serverlesspresso-core --query 'Stacks[0].Outputs' > core-outputs.json
//   npx tsx frontends/build/write-config.ts core-outputs.json https://d111111abcdef8.cloudfront.net/
// The apps are then at <base>/order/, <base>/barista/, <base>/display/ (the core's CallbackURLs and LogoutURLs).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, DIST } from './build.js';
import { appConfig, CORE_OUTPUTS, coreOutputsOf } from './serve.js';

/** The outputs as describe-stacks lists them ([{OutputKey, OutputValue}]) or as a plain object. */
export function outputsOf(json: unknown): Record<string, string> {
  if (Array.isArray(json))
    return Object.fromEntries(
      json.map((o: { OutputKey?: string; OutputValue?: string }) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
  return json as Record<string, string>;
}

export function writeConfigs(outputs: Record<string, string>, base: string, dist = DIST): string[] {
  const core = coreOutputsOf(outputs);
  if (!core)
    throw new Error(
      `the core's outputs lack ${CORE_OUTPUTS.filter((k) => !outputs[k]).join(', ')}: pass the core stack's outputs (describe-stacks --query 'Stacks[0].Outputs')`,
    );
  const root = base.replace(/\/+$/, '');
  return APPS.map((app) => {
    if (!existsSync(join(dist, app)))
      throw new Error(`no build of ${app} in ${dist}: run npm run build -w @serverlesspresso/frontends first`);
    const file = join(dist, app, 'config.json');
    writeFileSync(file, `${JSON.stringify(appConfig(core, `${root}/${app}/`), null, 2)}\n`);
    return file;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [outputsFile, base] = process.argv.slice(2);
  if (!outputsFile || !base || !/^https:\/\//.test(base)) {
    console.error('usage: write-config.ts <core-outputs.json> <https://apps-domain/>');
    process.exit(2);
  }
  for (const file of writeConfigs(outputsOf(JSON.parse(readFileSync(outputsFile, 'utf8'))), base))
    console.log(`wrote ${file}`);
}

// npm run new-extension -- <Name>: copies _extension_model/ to extensions/<Name>/ with its names
// changed (template description, package name, README, extension.json, stack names, paths to the repo
// root one level deeper), then runs `npm install` so the lock file registers the new workspace and `npm ci` keeps working.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { addEmission, emittableEntry } from './new-extension-emits.js';

export const MODEL_DIR = '_extension_model';
const MODEL_NAME = 'ExtensionModel';
const MODEL_PACKAGE = '@serverlesspresso/extension-model';
const SKIP = new Set(['node_modules', '.aws-sam', 'coverage']);

/** "OrderMetrics" -> "order-metrics". */
export const kebab = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/** Why the name cannot be an extension's, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
    return `"${name}" must be PascalCase: a capital letter, then letters and digits (e.g. OrderMetrics)`;
  if (name.length > 40) return `"${name}" is longer than 40 characters`;
  if (name === MODEL_NAME) return `"${name}" is the model's own name`;
  return undefined;
}

function packageNames(root: string): Map<string, string> {
  const names = new Map<string, string>();
  const dirs = [
    'core',
    MODEL_DIR,
    ...['extensibility', 'extensions'].flatMap((d) =>
      existsSync(join(root, d)) ? readdirSync(join(root, d)).map((x) => join(d, x)) : [],
    ),
  ];
  for (const dir of dirs) {
    const file = join(root, dir, 'package.json');
    if (existsSync(file)) names.set((JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name, dir);
  }
  return names;
}

/** The model's text with the extension's names, paths one level deeper, and the model-only notes removed. */
export function renamed(text: string, name: string): string {
  const k = kebab(name);
  return (
    text
      .replace(/<!-- model-only:start -->[\s\S]*?<!-- model-only:end -->\n*/g, '')
      // A path that climbs to the repo root (any number of ../, from any file of the model) climbs one more.
      .replace(
        /(^|[^./\w])((?:\.\.\/)+)(?=tsconfig\.base\.json|samconfig\.toml|PUBLISHING\.md|README\.md|extensibility\/|core\/|extensions\/|\.ci\/)/gm,
        '$1../$2',
      )
      .replaceAll(MODEL_DIR, `extensions/${name}`)
      .replaceAll(MODEL_PACKAGE, `@serverlesspresso/extension-${k}`)
      .replaceAll('extension-model', k)
      .replaceAll(MODEL_NAME, name)
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (SKIP.has(entry)) return [];
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export interface NewExtensionResult {
  dir: string;
  packageName: string;
  files: string[];
}

/** Copies the model; throws with what to do when the name is not usable. Installs nothing. */
export function createExtension(
  root: string,
  name: string,
  author?: string,
  options: { emits?: string } = {},
): NewExtensionResult {
  const problem = nameProblem(name);
  if (problem) throw new Error(problem);
  const emitted = options.emits !== undefined ? emittableEntry(name, options.emits) : undefined;
  const model = join(root, MODEL_DIR);
  if (!existsSync(join(model, 'template.yaml')))
    throw new Error(`${model} has no template.yaml: run this from the Serverlesspresso repo (or pass --root)`);
  const dir = join(root, 'extensions', name);
  if (existsSync(dir)) throw new Error(`extensions/${name} already exists: pick another name, or delete it first`);
  const packageName = `@serverlesspresso/extension-${kebab(name)}`;
  const taken = packageNames(root).get(packageName);
  if (taken) throw new Error(`the package name ${packageName} is taken by ${taken}: pick another name`);

  cpSync(model, dir, { recursive: true, filter: (src) => !SKIP.has(src.split(/[\\/]/).pop() ?? '') });
  const files = filesUnder(dir);
  for (const file of files) {
    let text = renamed(readFileSync(file, 'utf8'), name);
    if (author && file.endsWith('README.md'))
      text = text.replace(/^\| author \|.*\|$/m, `| author | ${author.replace(/\|/g, '/')} |`);
    if (author && relative(dir, file) === 'extension.json')
      text = JSON.stringify({ ...(JSON.parse(text) as object), author }, null, 2) + '\n';
    if (relative(dir, file) === 'package.json') {
      // Its own description, from what extension.json says it does (edit both together).
      const meta = JSON.parse(readFileSync(join(model, 'extension.json'), 'utf8')) as { description: string };
      const pkg = JSON.parse(text) as { description: string };
      pkg.description = `Serverlesspresso extension ${name}: ${meta.description}`;
      text = JSON.stringify(pkg, null, 2) + '\n';
    }
    writeFileSync(file, text);
  }
  const added = emitted ? addEmission(dir, name, emitted).map((f) => join(dir, f)) : [];
  return { dir, packageName, files: [...files, ...added].map((f) => relative(root, f)) };
}

export function newExtensionCommand(
  name: string,
  options: { root: string; install: boolean; author?: string; emits?: string },
  out: NodeJS.WritableStream,
): number {
  let result: NewExtensionResult;
  try {
    result = createExtension(options.root, name, options.author, { emits: options.emits });
  } catch (e) {
    out.write(`new-extension: ${(e as Error).message}\n`);
    return 2;
  }
  out.write(
    `created extensions/${name} (${result.packageName}) from ${MODEL_DIR}:\n${result.files.map((f) => `  ${f}`).join('\n')}\n`,
  );
  if (options.install) {
    // The workspace glob extensions/* already covers the folder; npm install records the new
    // workspace in package-lock.json, without which `npm ci` refuses to run.
    out.write('registering the workspace: npm install\n');
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: options.root, stdio: 'inherit' });
    if (npm.status !== 0) {
      out.write(`npm install failed: run it yourself in ${options.root}, then commit package-lock.json\n`);
      return 1;
    }
  }
  out.write(
    [
      '',
      'next:',
      `  1. edit extensions/${name}/extension.json (what it does, author, events consumed and produced, AWS services) and the README's meta`,
      `  2. change the rule, the function and the table in extensions/${name}/template.yaml and src/ (domain/, adapters/, handlers/)${
        options.emits
          ? `; fill in the TODOs of the ${options.emits} detail in src/domain/ (EventBridge delivers at least once: PUBLISHING.md#at-least-once-delivery)`
          : ''
      }`,
      `  3. npx presso check extensions/${name} && npm run jest -- extensions/${name}`,
      `  4. npx presso catalog (the catalog and extensions/README.md's table), then commit them with extensions/${name} and package-lock.json; see PUBLISHING.md`,
      '',
    ].join('\n'),
  );
  return 0;
}

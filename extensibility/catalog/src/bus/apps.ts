// The apps of the repo that talk through the bus, each one SAM template: the core, the EventPlayer,
// the extension model and every extension. A folder without a template yet contributes nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_ACCOUNT, loadTemplate, type LoadedTemplate } from './local.js';

export type AppKind = 'core' | 'player' | 'model' | 'extension';

export interface App {
  /** Short name for people: "core", "EventPlayer", "_extension_model", or the extension's folder name. */
  name: string;
  kind: AppKind;
  /** The app folder, absolute. */
  dir: string;
  /** The template file, absolute. */
  templateFile: string;
  /** The template file relative to the repo root, with forward slashes (stable in generated pages). */
  path: string;
}

const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

/** The app's template file, or undefined when the folder has none (yet). */
export function templateIn(dir: string): string | undefined {
  for (const name of TEMPLATE_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

export const repoPath = (root: string, file: string): string => relative(root, file).split(sep).join('/');

/** The monorepo's root: the nearest folder up from `from` whose package.json lists workspaces and has core/. */
export function findRepoRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'core'))) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every app of the repo with a template, in a stable order: core, player, model, extensions by name. */
export function discoverApps(root: string): App[] {
  const candidates: Array<{ name: string; kind: AppKind; dir: string }> = [
    { name: 'core', kind: 'core', dir: join(root, 'core') },
    { name: 'EventPlayer', kind: 'player', dir: join(root, 'extensibility', 'EventPlayer') },
    { name: '_extension_model', kind: 'model', dir: join(root, '_extension_model') },
  ];
  const extensions = join(root, 'extensions');
  if (existsSync(extensions)) {
    for (const d of readdirSync(extensions, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()) {
      candidates.push({ name: d, kind: 'extension', dir: join(extensions, d) });
    }
  }
  return candidates.flatMap((c) => {
    const templateFile = templateIn(c.dir);
    return templateFile ? [{ ...c, templateFile, path: repoPath(root, templateFile) }] : [];
  });
}

/** An app folder given on a command line (any folder with a template), named by its folder. */
export function appAt(dir: string, root: string = dir): App {
  const templateFile = templateIn(dir);
  if (!templateFile) throw new Error(`${dir} has no ${TEMPLATE_NAMES.join(', ')}`);
  const name = dir.split(sep).filter(Boolean).pop() ?? 'app';
  return { name, kind: 'extension', dir, templateFile, path: repoPath(root, templateFile) };
}

/** A stack name CloudFormation accepts, from the app's name. */
export const stackNameOf = (app: App): string =>
  app.name.replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '') || 'app';

export interface LoadAppOptions {
  parameterOverrides?: Record<string, string>;
  /** Values for Fn::ImportValue by export name (the checker loads templates that import, to report it). */
  exports?: Record<string, string>;
}

/** Loads an app's template with its parameters' defaults, as `sam deploy` would without overrides. */
export function loadApp(app: App, options: LoadAppOptions = {}): LoadedTemplate {
  return loadTemplate(app.templateFile, {
    stackName: stackNameOf(app),
    region: DEFAULT_ACCOUNT.region,
    accountId: DEFAULT_ACCOUNT.accountId,
    ...options,
  });
}

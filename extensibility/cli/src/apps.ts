// The apps of the repository, in the order `presso up` deploys them: the core (it creates the bus),
// the EventPlayer, then every extension. Folders without a template yet are skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];
const hasTemplate = (dir: string) => TEMPLATE_NAMES.some((name) => existsSync(join(dir, name)));

/** The monorepo's root: the nearest folder up from `from` whose package.json lists workspaces and has core/. */
export function repoRoot(from = process.cwd()): string | undefined {
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

export function defaultApps(root: string): string[] {
  const extensions = join(root, 'extensions');
  const extensionDirs = existsSync(extensions)
    ? readdirSync(extensions, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(extensions, d.name)).sort()
    : [];
  return [join(root, 'core'), join(root, 'extensibility', 'EventPlayer'), ...extensionDirs].filter(hasTemplate);
}

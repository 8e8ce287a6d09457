// The repo's workspaces, as the root package.json lists them ("extensions/*" expanded to each folder
// that has a package.json): one list for jest's projects, the type-check and the lint rule that keeps
// imports inside their workspace.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(new URL('..', import.meta.url).pathname);

/** Each workspace's folder relative to the repo root, e.g. 'core', 'extensions/OrderRobot'. */
export function workspaceDirs() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces
    .flatMap((pattern) => {
      if (!pattern.endsWith('/*')) return [pattern];
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) return [];
      return readdirSync(join(root, parent), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${parent}/${d.name}`);
    })
    .filter((dir) => existsSync(join(root, dir, 'package.json')));
}

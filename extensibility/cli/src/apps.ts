// The apps of the repository, in the order `presso up` deploys them: the core (it creates the bus),
// the EventPlayer, then every extension (the model is a folder to copy, not an app to run). Folders
// without a template yet are skipped. The catalog reads the same apps.
import { discoverApps, findRepoRoot } from '@serverlesspresso/catalog/bus';

/** The monorepo's root: the nearest folder up from `from` whose package.json lists workspaces and has core/. */
export const repoRoot = (from = process.cwd()): string | undefined => findRepoRoot(from);

export function defaultApps(root: string): string[] {
  return discoverApps(root).filter((app) => app.kind !== 'model').map((app) => app.dir);
}

// Where an extension sits: its app, and the repo around it (whose core it must leave alone).
import { findRepoRoot } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';

export { appAt, scanApp, type App } from '@serverlesspresso/catalog/bus';

/** The Serverlesspresso repo containing `dir`, else the one this checker belongs to. */
export function repoRootOf(dir: string): string {
  return findRepoRoot(dir) ?? REPO_ROOT;
}

// Where an extension sits: its app, and the repo around it (whose core it must leave alone).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';

export { appAt, scanApp, type App } from '@serverlesspresso/catalog/bus';

/** The Serverlesspresso repo containing `dir` (the nearest folder with the contract), else the one this checker belongs to. */
export function repoRootOf(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'extensibility', 'catalog', 'schemas'))) return d;
  }
  return REPO_ROOT;
}

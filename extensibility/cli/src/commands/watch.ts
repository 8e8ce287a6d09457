// presso up --watch: an app whose files change is deployed again (its stack updated in place: tables
// keep their items; a failed update rolls back and the previous deployment keeps running).
import { watch, type FSWatcher } from 'node:fs';
import type { LocalCloud } from '@serverlesspresso/local';
import { printStack } from './stacks.js';

/** Build output, dependencies and dotfiles change without being the app's source. */
const IGNORED = /(^|\/)(\.aws-sam|node_modules|\.[^/]+)(\/|$)/;
const SETTLE_MS = 300;

export function watchApps(
  cloud: LocalCloud,
  apps: Array<{ dir: string; stackName: string; parameterOverrides?: Record<string, string> }>,
  out: NodeJS.WritableStream = process.stdout,
): () => void {
  const watchers: FSWatcher[] = [];
  // With the parameters of its first deploy: a stack update does not keep the previous values.
  for (const { dir, stackName, parameterOverrides } of apps) {
    let timer: NodeJS.Timeout | undefined;
    let changed = '';
    watchers.push(
      watch(dir, { recursive: true }, (_event, filename) => {
        if (!filename || IGNORED.test(filename)) return;
        changed = filename;
        clearTimeout(timer);
        // Editors write a file in several steps: deploy once they are done.
        timer = setTimeout(() => {
          out.write(`redeploying ${stackName} (${changed} changed)\n`);
          cloud.stacks.deploy({ path: dir, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }).then(
            (record) => printStack(record, out),
            (e: unknown) =>
              out.write(
                `presso up: redeploying ${stackName} failed, the previous deployment keeps running:\n  ${(e as Error).message}\n`,
              ),
          );
        }, SETTLE_MS);
      }),
    );
  }
  return () => watchers.forEach((w) => w.close());
}

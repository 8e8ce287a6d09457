#!/usr/bin/env node
// The repo runs on one Node: the release the root package.json pins (node-<platform> packages, which
// `npm ci` installs as node_modules/.bin/node where the registry has one for this platform). Anything
// else would type-check, test and emulate Lambda on the wrong Node, so presso, `npm test` and
// `npm run bench` stop here with what to do. Plain JavaScript: it must run on any Node.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));

/** The pinned release and the platforms npm installs it on, e.g. 24.21.0, ['linux-x64', ...]. */
export function pinnedNode() {
  const pins = Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) => name.startsWith('node-'));
  return { version: pins[0]?.[1] ?? '', platforms: pins.map(([name]) => name.slice('node-'.length)) };
}

/** Why this Node cannot run the repo, or undefined when it is of the pinned major. */
export function wrongNode(version = process.versions.node, execPath = process.execPath) {
  const pinned = pinnedNode();
  const major = pinned.version.split('.')[0];
  if (version.split('.')[0] === major) return undefined;
  const platform = `${process.platform}-${process.arch}`;
  const from = pinned.platforms.includes(platform)
    ? `\`npm ci\` installs it for ${platform} (node_modules/.bin/node); run through npm (npm start, npm test, npx presso)`
    : `npm has no Node ${major} for ${platform} in this registry (it does for ${pinned.platforms.join(', ')}): install Node ${major} and put it first on the PATH`;
  return `Serverlesspresso runs on Node ${major} (${pinned.version}), not on this Node v${version} (${execPath}): ${from}.`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = wrongNode();
  if (why) {
    console.error(why);
    process.exit(1);
  }
}

// Runs jest with the repo's config in native ESM mode. From the repo root: every workspace (or what
// the arguments select). From a workspace's folder (`npm test -w extensions/<Name>` runs there): that
// workspace's tests alone. PRESSO_TEST_LEVEL=unit runs the unit tests only (see levels.js).
import { spawn } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const here = relative(root, process.cwd());
const select = here && !here.startsWith('..') ? ['--selectProjects', here.split(sep).join('/')] : [];

const child = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    resolve(root, 'node_modules/jest/bin/jest.js'),
    '--config',
    resolve(root, 'jest.config.js'),
    ...select,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// A Ctrl-C reaches jest too (same process group); pass a plain kill on, and exit as jest does.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => {});
child.on('exit', (code) => process.exit(code ?? 1));

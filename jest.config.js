// One jest run over every workspace: a project per workspace that has tests, TypeScript through
// @swc/jest (fast, and it leaves ES modules as ES modules: jest runs in native ESM mode, which is
// what @middy/core, being ESM-only, needs). Test levels (unit, integration): .ci/levels.js.
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isIntegration, selectedLevel } from './.ci/levels.js';
import { root, workspaceDirs } from './.ci/workspaces.js';

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2024', experimental: { keepImportAttributes: true } },
    module: { type: 'es6' },
  },
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === 'node_modules' || d.name === '.aws-sam') return [];
    if (d.isDirectory()) return testFiles(join(dir, d.name));
    return d.name.endsWith('.test.ts') ? [join(dir, d.name)] : [];
  });
}

/** Under PRESSO_TEST_LEVEL=unit, a workspace's integration test files, as patterns jest ignores. */
function levelIgnores(dir) {
  if (selectedLevel() !== 'unit') return [];
  return testFiles(join(root, dir))
    .filter((file) => isIntegration(file))
    .map((file) => `^${escape(file)}$`);
}

const projects = workspaceDirs().map((dir) => ({
  displayName: dir,
  rootDir: join(root, dir),
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // Sources import siblings as './x.js' (NodeNext style); jest resolves them to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.aws-sam/', ...levelIgnores(dir)],
  setupFilesAfterEnv: [join(root, '.ci/unit-guard.js')],
}));

export default {
  projects,
  reporters: ['default', '<rootDir>/.ci/summary-reporter.js'],
  testTimeout: 30000,
  // One test file per core, not jest's default of one fewer (one on two cores): most of a test's time
  // is spent waiting on the local cloud, Java and child processes, not computing. More than one per
  // core starved them on a shared two-core machine (Lambda init and hook timeouts).
  maxWorkers: availableParallelism(),
};

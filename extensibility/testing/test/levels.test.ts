// The test levels (README, "Test levels"): how a test file is classified, and the guard that stops a
// unit test from starting a local cloud. This file is itself a unit test: the names the rule looks
// for are spelled in pieces below, so that it does not classify this file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import * as local from '@serverlesspresso/local';

const repo = new URL('../../../', import.meta.url).pathname;
const { isIntegration } = (await import(join(repo, '.ci/levels.js'))) as {
  isIntegration: (file: string) => boolean;
};

const START_CLOUD = 'start' + 'LocalCloud';
const TESTING = '@serverlesspresso/' + 'testing';

const scratch = mkdtempSync(join(tmpdir(), 'presso-levels-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes the files (path relative to a scratch workspace: text) and returns the scratch folder. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('a test file is an integration test', () => {
  it('when it imports the testing package or names a local cloud, DynamoDB Local or a browser', () => {
    const dir = workspace({
      'test/a.test.ts': `import { startLocal } from '${TESTING}';`,
      'test/b.test.ts': `const cloud = await ${START_CLOUD}({ port: 0 });`,
      'test/c.test.ts': `const engine = await start${'Engine'}();`,
      'test/d.test.ts': `import { chromium } from '${'play' + 'wright'}';`,
      'test/e.test.ts': `// ${'@level'} integration: spawns presso up\nit('x', () => {});`,
    });
    for (const f of ['a', 'b', 'c', 'd', 'e'])
      expect([f, isIntegration(join(dir, `test/${f}.test.ts`))]).toEqual([f, true]);
  });

  it('when a helper it imports (from outside src/, at any depth) does', () => {
    const dir = workspace({
      'test/a.test.ts': `import { core } from './harness.js';`,
      'test/harness.ts': `export { core } from '../recorder/core.js';`,
      'recorder/core.ts': `export const core = () => ${START_CLOUD}();`,
    });
    expect(isIntegration(join(dir, 'test/a.test.ts'))).toBe(true);
  });

  it('and not otherwise: type-only imports, sources, a mention that is not a comment line of its own', () => {
    const dir = workspace({
      'test/a.test.ts': [
        `import type { Core } from './harness.js';`,
        `import { pure } from '../src/index.js';`,
        `// unlike the ${'@level'} integration tests, this one is pure`,
        `it('x', () => pure());`,
      ].join('\n'),
      'test/harness.ts': `export const core = () => ${START_CLOUD}();`,
      'src/index.ts': `export const pure = () => 1; export const up = () => ${START_CLOUD}();`,
    });
    expect(isIntegration(join(dir, 'test/a.test.ts'))).toBe(false);
  });

  it("classifies the repo's own tests", () => {
    const level = (file: string) => (isIntegration(join(repo, file)) ? 'integration' : 'unit');
    expect({
      domain: level('core/test/domain/order.test.ts'),
      coreThroughHarness: level('core/test/integration/lifecycle.test.ts'),
      cliThroughUpHelper: level('extensibility/cli/test/play.test.ts'),
      modelExtension: level('_extension_model/test/extension.test.ts'),
      modelUnit: level('_extension_model/test/domain/completed-order.test.ts'),
    }).toEqual({
      domain: 'unit',
      coreThroughHarness: 'integration',
      cliThroughUpHelper: 'integration',
      modelExtension: 'integration',
      modelUnit: 'unit',
    });
  });
});

describe('the unit guard', () => {
  it('runs this unit test file with PRESSO_TEST_LEVEL=unit', () => {
    expect(process.env.PRESSO_TEST_LEVEL).toBe('unit');
  });

  it('makes the local cloud refuse to start, saying what to do', async () => {
    // Called by a name the rule cannot see, as a misfiled test might.
    const start = (local as unknown as Record<string, () => Promise<{ close(): Promise<void> }>>)[START_CLOUD]!;
    await expect(start()).rejects.toThrow(/refused: this is a unit test .*"Test levels" in the README/s);
  });
});

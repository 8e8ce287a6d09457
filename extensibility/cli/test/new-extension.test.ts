// npm run new-extension -- <Name>: the model copied with its names changed, every path it names still
// pointing at a file, and the copy passes the checker and its own tests.
// @level integration: the copy's own tests deploy it on a local cloud.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkExtension, formatViolation } from '@serverlesspresso/checker';
import { createExtension, kebab, nameProblem, renamed } from '../src/commands/new-extension.js';
import { presso } from './presso.js';

const repo = new URL('../../../', import.meta.url).pathname;
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/**
 * A scratch repo with what the model needs around it: the model, the shared tsconfig and samconfig,
 * and the repo's core, extensibility/ and node_modules (linked), so that the copy's paths and tests
 * find what they would in the repo.
 */
function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'presso-new-extension-'));
  scratch.push(root);
  cpSync(join(repo, '_extension_model'), join(root, '_extension_model'), {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.aws-sam)$/.test(src),
  });
  for (const f of [
    'tsconfig.base.json',
    'samconfig.toml',
    'PUBLISHING.md',
    'README.md',
    'package.json',
    'jest.config.js',
  ])
    cpSync(join(repo, f), join(root, f));
  cpSync(join(repo, '.ci'), join(root, '.ci'), { recursive: true });
  for (const d of ['core', 'extensibility', 'node_modules']) symlinkSync(join(repo, d), join(root, d));
  mkdirSync(join(root, 'extensions'));
  return root;
}

/**
 * Every relative path a file names, as written: imports, `new URL(...)`, links, `extends`, paths in
 * shell commands (run from the extension's folder, which is where its README is).
 */
function relativePaths(text: string): string[] {
  const paths = [...text.matchAll(/(?<![\w./-])(?:\.{1,2}\/)+[\w@./-]*/g)].map((m) => m[0].replace(/\.+$/, ''));
  const bare = [...text.matchAll(/(?<=['"`])\.{1,2}(?=['"`])/g)].map((m) => m[0]);
  return [...new Set([...paths, ...bare])];
}

/** The relative paths of the files under `dir` that lead nowhere, as "file: path". */
function danglingPaths(dir: string, files: string[], root: string): string[] {
  return files.flatMap((file) => {
    const abs = join(root, file);
    return relativePaths(readFileSync(abs, 'utf8'))
      .filter((p) => {
        const target = resolve(dirname(abs), p);
        // TypeScript imports name the .js the .ts compiles to.
        return !existsSync(target) && !(target.endsWith('.js') && existsSync(target.replace(/\.js$/, '.ts')));
      })
      .map((p) => `${relative(dir, abs)}: ${p}`);
  });
}

const run = promisify(execFile);

/** `npm test` in the copy's folder: its own test script, which runs its tests alone with the repo's jest config. */
/** The extension's own jest suite, as `presso test` (its `npm test`) runs it, from its folder. */
async function ownTests(root: string, dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, '.ci', 'jest.js'), '--ci'], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, output: err.stdout + err.stderr };
  }
}

describe('names', () => {
  it('turns PascalCase into the kebab case of package and stack names', () => {
    expect(kebab('OrderMetrics')).toBe('order-metrics');
    expect(kebab('WaitTimes2')).toBe('wait-times2');
    expect(kebab('QRAudit')).toBe('qr-audit');
  });

  it("refuses names that are not PascalCase, and the model's own", () => {
    expect(nameProblem('OrderMetrics')).toBeUndefined();
    expect(nameProblem('order-metrics')).toContain('must be PascalCase');
    expect(nameProblem('Order Metrics')).toContain('must be PascalCase');
    expect(nameProblem('ExtensionModel')).toContain("the model's own name");
  });

  it('rewrites names and paths to the repo root, and drops the model-only notes', () => {
    const text = [
      '# ExtensionModel',
      '<!-- model-only:start -->',
      'copy me',
      '<!-- model-only:end -->',
      '',
      '[guide](../PUBLISHING.md) "extends": "../tsconfig.base.json"',
      'cd _extension_model && sam deploy --config-file ../samconfig.toml --stack-name serverlesspresso-extension-model',
      '"name": "@serverlesspresso/extension-model"',
      "new URL('../../extensibility/EventPlayer', import.meta.url); import x from '../src/handler.js';",
    ].join('\n');
    expect(renamed(text, 'OrderMetrics')).toBe(
      [
        '# OrderMetrics',
        '[guide](../../PUBLISHING.md) "extends": "../../tsconfig.base.json"',
        'cd extensions/OrderMetrics && sam deploy --config-file ../../samconfig.toml --stack-name serverlesspresso-order-metrics',
        '"name": "@serverlesspresso/extension-order-metrics"',
        "new URL('../../../extensibility/EventPlayer', import.meta.url); import x from '../src/handler.js';",
      ].join('\n'),
    );
  });

  it('finds the relative paths a file names', () => {
    expect(
      relativePaths(
        [
          "import { x } from './completed-order.js'; new URL('..', import.meta.url); new URL('../../extensibility/EventPlayer', import.meta.url)",
          '[guide](../PUBLISHING.md). See ../samconfig.toml... and so on.',
          '"extends": "../tsconfig.base.json"',
        ].join('\n'),
      ),
    ).toEqual([
      './completed-order.js',
      '../../extensibility/EventPlayer',
      '../PUBLISHING.md',
      '../samconfig.toml',
      '../tsconfig.base.json',
      '..',
    ]);
  });
});

describe('createExtension', () => {
  it('copies the model into extensions/<Name> with its names changed; the copy passes the checker', () => {
    const root = scratchRepo();
    const result = createExtension(root, 'TipJar', 'Ana Diaz (@anadiaz)');
    expect(result.dir).toBe(join(root, 'extensions', 'TipJar'));
    expect(result.packageName).toBe('@serverlesspresso/extension-tip-jar');
    expect(result.files).toEqual(
      expect.arrayContaining([
        'extensions/TipJar/template.yaml',
        'extensions/TipJar/README.md',
        'extensions/TipJar/package.json',
        'extensions/TipJar/extension.json',
        'extensions/TipJar/src/domain/completed-order.ts',
        'extensions/TipJar/src/adapters/bus.ts',
        'extensions/TipJar/src/handlers/record.ts',
      ]),
    );

    const read = (f: string) => readFileSync(join(result.dir, f), 'utf8');
    for (const f of result.files)
      expect(readFileSync(join(root, f), 'utf8')).not.toMatch(
        /ExtensionModel|extension-model|_extension_model|model-only/,
      );
    expect(JSON.parse(read('package.json'))).toMatchObject({
      name: '@serverlesspresso/extension-tip-jar',
      // Its own description (what extension.json says it does), not the model's "the folder to copy".
      description: `Serverlesspresso extension TipJar: ${(JSON.parse(read('extension.json')) as { description: string }).description}`,
    });
    expect(read('template.yaml')).toContain('Serverlesspresso extension TipJar:');
    expect(read('README.md')).toMatch(/^# TipJar\n/);
    expect(read('README.md')).toContain('| name | TipJar |');
    expect(read('README.md')).toContain('| author | Ana Diaz (@anadiaz) |');
    expect(read('README.md')).toContain('--stack-name serverlesspresso-tip-jar');
    expect(JSON.parse(read('extension.json'))).toMatchObject({ name: 'TipJar', author: 'Ana Diaz (@anadiaz)' });
    // The bus adapter stays the model's, byte for byte (a test compares every copy with it).
    expect(read('src/adapters/bus.ts')).toBe(readFileSync(join(root, '_extension_model/src/adapters/bus.ts'), 'utf8'));
    const extendsPath = (JSON.parse(read('tsconfig.json')) as { extends: string }).extends;
    expect(existsSync(resolve(result.dir, extendsPath))).toBe(true);
    expect(existsSync(resolve(result.dir, '../../PUBLISHING.md'))).toBe(true);

    const report = checkExtension(result.dir, { root });
    expect(report.violations.map(formatViolation)).toEqual([]);
    expect(report.consumes).toEqual(['OrderManager.Order{eventId}-COMPLETED']);
  });

  it('leaves no path of the copy pointing nowhere: imports, URLs, links, commands', () => {
    const root = scratchRepo();
    const result = createExtension(root, 'TipJar');
    const model = join(root, '_extension_model');
    // The model's own paths lead somewhere, and the copy's still do one folder deeper.
    const modelFiles = result.files.map((f) => relative(root, join(model, relative(result.dir, join(root, f)))));
    expect(danglingPaths(model, modelFiles, root)).toEqual([]);
    expect(
      result.files.flatMap((f) => relativePaths(readFileSync(join(root, f), 'utf8'))).length,
    ).toBeGreaterThanOrEqual(5);
    expect(danglingPaths(result.dir, result.files, root)).toEqual([]);
  });

  it("passes its own tests: the copy's jest suite, the extension deployed on the local cloud beside the player", async () => {
    const root = scratchRepo();
    const { dir } = createExtension(root, 'TipJar');
    const { code, output } = await ownTests(root, dir);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/) });
    expect(output).toContain('test/extension.test.ts');
  }, 120_000);

  it('refuses an existing folder and a taken package name', () => {
    const root = scratchRepo();
    createExtension(root, 'TipJar');
    expect(() => createExtension(root, 'TipJar')).toThrow('extensions/TipJar already exists');
    renameSync(join(root, 'extensions', 'TipJar'), join(root, 'extensions', 'Tips'));
    expect(() => createExtension(root, 'TipJar')).toThrow(
      'the package name @serverlesspresso/extension-tip-jar is taken by extensions/Tips',
    );
    expect(existsSync(join(root, 'extensions', 'TipJar'))).toBe(false);
  });
});

describe('npx presso new-extension', () => {
  it('creates the folder and prints the next steps; exits 2 on a bad name', async () => {
    const root = scratchRepo();
    const { code, stdout } = await presso(['new-extension', 'TipJar', '--root', root, '--no-install']);
    expect(code).toBe(0);
    expect(stdout).toContain('created extensions/TipJar (@serverlesspresso/extension-tip-jar) from _extension_model');
    expect(stdout).toContain('npx presso check extensions/TipJar');
    expect(stdout).toContain('edit extensions/TipJar/extension.json');
    expect(existsSync(join(root, 'extensions', 'TipJar', 'template.yaml'))).toBe(true);
    expect(await presso(['new-extension', 'tip-jar', '--root', root, '--no-install'])).toMatchObject({
      code: 2,
      stdout: expect.stringContaining('must be PascalCase'),
    });
  });
});

describe('npx presso new-extension --emits', () => {
  it('refuses an event not in the contract, a family, and an event of another app', () => {
    const root = scratchRepo();
    expect(() => createExtension(root, 'FreeRefill', undefined, { emits: 'FreeRefill.RefillEarned' })).toThrow(
      'FreeRefill.RefillEarned is not an event of the contract: add it first with npx presso new-event FreeRefill.RefillEarned --owner FreeRefill',
    );
    expect(() =>
      createExtension(root, 'TipJar', undefined, { emits: 'OrderManager.Order{eventId}-COMPLETED' }),
    ).toThrow('is a family');
    expect(() => createExtension(root, 'TipJar', undefined, { emits: 'WaitTimes.WaitTimeChanged' })).toThrow(
      "WaitTimes.WaitTimeChanged belongs to WaitTimes (its schema's x-owner)",
    );
    expect(existsSync(join(root, 'extensions', 'TipJar'))).toBe(false);
  });

  it('declares, allows and puts the event; the copy passes presso check and its own tests, which see the emission', async () => {
    // An event of the contract the new extension owns: LoyaltyCard's, in a scratch repo without it.
    const root = scratchRepo();
    const { stdout, code } = await presso([
      'new-extension',
      'LoyaltyCard',
      '--emits',
      'LoyaltyCard.RewardEarned',
      '--root',
      root,
      '--no-install',
    ]);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining('extensions/LoyaltyCard/src/domain/reward-earned.ts'),
    });
    const dir = join(root, 'extensions', 'LoyaltyCard');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(read('template.yaml')).toContain('Emits: [LoyaltyCard.RewardEarned]');
    expect(read('template.yaml')).toContain('events:detail-type: [LoyaltyCard.RewardEarned]');
    expect(JSON.parse(read('extension.json'))).toMatchObject({ events: { produced: ['LoyaltyCard.RewardEarned'] } });
    expect(JSON.parse(read('package.json'))).toMatchObject({
      description: expect.stringMatching(
        /^Serverlesspresso extension LoyaltyCard: Keeps a log .*; puts LoyaltyCard.RewardEarned on the bus\.$/,
      ),
      dependencies: { '@aws-sdk/client-eventbridge': expect.any(String) },
    });
    expect(read('src/handlers/record.ts')).toContain("import { putEvents } from '../adapters/bus.js';");
    expect(read('src/adapters/bus.ts')).toBe(readFileSync(join(root, '_extension_model/src/adapters/bus.ts'), 'utf8'));

    const check = await presso(['check', dir, '--root', root]);
    expect({ code: check.code, stdout: check.stdout }).toEqual({ code: 0, stdout: expect.any(String) });
    const report = checkExtension(dir, { root });
    expect(report.violations.map(formatViolation)).toEqual([]);
    expect(report.emits).toEqual(['LoyaltyCard.RewardEarned']);

    const own = await ownTests(root, dir);
    expect({ code: own.code, output: own.output }).toEqual({
      code: 0,
      output: expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/),
    });
    expect(own.output).toContain('test/domain/reward-earned.test.ts');
    // Its test on the local cloud asserts the emission (and passed above).
    expect(read('test/extension.test.ts')).toContain(
      "it('puts LoyaltyCard.RewardEarned for every completed order of the replayed session, valid under the contract'",
    );
  }, 180_000);
});

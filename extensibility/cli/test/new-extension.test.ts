// npm run new-extension -- <Name>: the model copied with its names changed, and the copy passes the checker.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkExtension, formatViolation } from '@serverlesspresso/checker';
import { createExtension, kebab, nameProblem, renamed } from '../src/commands/new-extension.js';
import { presso } from './presso.js';

const repo = new URL('../../../', import.meta.url).pathname;

/** A scratch repo with what the model needs around it: the model, the shared tsconfig and samconfig. */
function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'presso-new-extension-'));
  cpSync(join(repo, '_extension_model'), join(root, '_extension_model'), { recursive: true, filter: (src) => !src.includes('node_modules') });
  for (const f of ['tsconfig.base.json', 'samconfig.toml', 'PUBLISHING.md']) cpSync(join(repo, f), join(root, f));
  mkdirSync(join(root, 'extensions'));
  return root;
}

describe('names', () => {
  it('turns PascalCase into the kebab case of package and stack names', () => {
    expect(kebab('OrderMetrics')).toBe('order-metrics');
    expect(kebab('WaitTimes2')).toBe('wait-times2');
    expect(kebab('QRAudit')).toBe('qr-audit');
  });

  it('refuses names that are not PascalCase, and the model\'s own', () => {
    expect(nameProblem('OrderMetrics')).toBeUndefined();
    expect(nameProblem('order-metrics')).toContain('must be PascalCase');
    expect(nameProblem('Order Metrics')).toContain('must be PascalCase');
    expect(nameProblem('ExtensionModel')).toContain("the model's own name");
  });

  it('rewrites names and paths to the repo root, and drops the model-only notes', () => {
    const text = [
      '# ExtensionModel', '<!-- model-only:start -->', 'copy me', '<!-- model-only:end -->', '',
      '[guide](../PUBLISHING.md) "extends": "../tsconfig.base.json"',
      'cd _extension_model && sam deploy --config-file ../samconfig.toml --stack-name serverlesspresso-extension-model',
      '"name": "@serverlesspresso/extension-model"',
    ].join('\n');
    expect(renamed(text, 'OrderMetrics')).toBe([
      '# OrderMetrics',
      '[guide](../../PUBLISHING.md) "extends": "../../tsconfig.base.json"',
      'cd extensions/OrderMetrics && sam deploy --config-file ../../samconfig.toml --stack-name serverlesspresso-order-metrics',
      '"name": "@serverlesspresso/extension-order-metrics"',
    ].join('\n'));
  });
});

describe('createExtension', () => {
  it('copies the model into extensions/<Name> with its names changed; the copy passes the checker', () => {
    const root = scratchRepo();
    const result = createExtension(root, 'TipJar', 'Ana Diaz (@anadiaz)');
    expect(result.dir).toBe(join(root, 'extensions', 'TipJar'));
    expect(result.packageName).toBe('@serverlesspresso/extension-tip-jar');
    expect(result.files).toEqual(expect.arrayContaining(['extensions/TipJar/template.yaml', 'extensions/TipJar/README.md', 'extensions/TipJar/package.json', 'extensions/TipJar/src/handler.ts']));

    const read = (f: string) => readFileSync(join(result.dir, f), 'utf8');
    for (const f of result.files) expect(readFileSync(join(root, f), 'utf8')).not.toMatch(/ExtensionModel|extension-model|_extension_model|model-only/);
    expect(JSON.parse(read('package.json'))).toMatchObject({ name: '@serverlesspresso/extension-tip-jar' });
    expect(read('template.yaml')).toContain('Serverlesspresso extension TipJar:');
    expect(read('README.md')).toMatch(/^# TipJar\n/);
    expect(read('README.md')).toContain('| name | TipJar |');
    expect(read('README.md')).toContain('| author | Ana Diaz (@anadiaz) |');
    expect(read('README.md')).toContain('--stack-name serverlesspresso-tip-jar');
    const extendsPath = (JSON.parse(read('tsconfig.json')) as { extends: string }).extends;
    expect(existsSync(resolve(result.dir, extendsPath))).toBe(true);
    expect(existsSync(resolve(result.dir, '../../PUBLISHING.md'))).toBe(true);

    const report = checkExtension(result.dir, { root });
    expect(report.violations.map(formatViolation)).toEqual([]);
    expect(report.consumes).toEqual(['OrderManager.Order{eventId}-COMPLETED']);
  });

  it('refuses an existing folder and a taken package name', () => {
    const root = scratchRepo();
    createExtension(root, 'TipJar');
    expect(() => createExtension(root, 'TipJar')).toThrow('extensions/TipJar already exists');
    renameSync(join(root, 'extensions', 'TipJar'), join(root, 'extensions', 'Tips'));
    expect(() => createExtension(root, 'TipJar')).toThrow('the package name @serverlesspresso/extension-tip-jar is taken by extensions/Tips');
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
    expect(existsSync(join(root, 'extensions', 'TipJar', 'template.yaml'))).toBe(true);
    expect(await presso(['new-extension', 'tip-jar', '--root', root, '--no-install'])).toEqual({ code: 2, stdout: expect.stringContaining('must be PascalCase') });
  });
});

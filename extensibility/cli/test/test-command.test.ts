// `presso test DIR`, the extension author's loop (npm test -w extensions/<Name>), run for real on the
// extension model: every step of a pull request's checks, each reported with its time, then a verdict.
// @level integration (rule 3 and the model's tests start local clouds)
import { expect, it } from '@jest/globals';
import { presso } from './presso.js';

it('runs type-check, lint, format, the tests, rules 1-3 and the catalog check for one extension', async () => {
  const { code, stdout } = await presso(['test', '_extension_model']);
  expect(stdout).toContain(
    'presso test _extension_model: 6 steps (type-check, lint, format, tests, rules 1-3, catalog)',
  );
  const steps = [...stdout.matchAll(/^\[(\d)\/6\] (ok {4}|FAILED) (.+) \(\d+\.\d s\)$/gm)].map((m) => [
    m[2]!.trim(),
    m[3],
  ]);
  expect(steps.map(([, name]) => name).sort()).toEqual(
    ['catalog', 'format', 'lint', 'rules 1-3', 'tests', 'type-check'].sort(),
  );
  expect(steps.filter(([verdict]) => verdict !== 'ok')).toEqual([]);
  expect(stdout).toMatch(/^presso test: all 6 steps passed in \d+\.\d s: ready for a pull request$/m);
  expect(code).toBe(0);
}, 400_000);

it('refuses a folder that is not an extension, saying what to give', async () => {
  const { code, stdout, stderr } = await presso(['test', 'extensibility/cli/test']);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr.trim()).toBe(
    'presso: extensibility/cli/test has no template.yaml: give the folder of an extension, e.g. extensions/TipJar',
  );
});

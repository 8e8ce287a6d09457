// presso lint, as a user runs it: the repo's templates lint clean (exit 0, one verdict per template
// and a summary with the times), a broken one exits 1 with the error, its fix and its file.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { presso } from './presso.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'extensibility', 'checker', 'test', 'fixtures', 'lint');

describe('npx presso lint', () => {
  it('lints every app of the repo clean by default, with the times', async () => {
    const { code, stdout } = await presso(['lint'], { cwd: ROOT });
    expect(stdout).toContain('core/template.yaml: ok\n');
    expect(stdout).toContain('frontends/template.yaml: ok\n');
    expect(stdout).toMatch(
      /presso lint: \d+ templates, 0 errors, 0 warnings \(schemas loaded in \d+ ms, linted in \d+ ms\)/,
    );
    expect(code).toBe(0);
  }, 120_000);

  it('exits 1 on a template with an error, naming file, resource, property and the fix', async () => {
    const { code, stdout } = await presso(['lint', join(FIXTURES, 'iam-action'), '--root', FIXTURES], { cwd: ROOT });
    expect(stdout).toContain(
      'iam-action/template.yaml: error lint.iam-action: Role: Properties.Policies[0].PolicyDocument.Statement[0].Action: dynamodb:PutItems: dynamodb has no action PutItems',
    );
    expect(stdout).toContain('fix: did you mean dynamodb:PutItem?');
    expect(stdout).toContain('1 templates, 1 errors, 0 warnings');
    expect(code).toBe(1);
  }, 120_000);

  it('refuses a folder without a template, saying what to give', async () => {
    const { code, stdout } = await presso(['lint', FIXTURES], { cwd: ROOT });
    expect(stdout).toMatch(/presso lint: .* has no template\.yaml.*: give app folders, each with its template\.yaml/);
    expect(code).toBe(2);
  }, 120_000);
});

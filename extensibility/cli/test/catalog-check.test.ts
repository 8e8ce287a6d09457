// presso catalog and presso check, as a user runs them: the real binary in a child process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { contract } from '@serverlesspresso/catalog';
import { presso as run } from './presso.js';

const repo = new URL('../../../', import.meta.url).pathname;
const catalogFixture = join(repo, 'extensibility/catalog/test/fixtures/repo');
const checkerFixture = join(repo, 'extensibility/checker/test/fixtures/repo');
const presso = (...args: string[]) => run(args, { cwd: repo });

/** Temporary folders of this file, removed after its tests. */
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('npx presso catalog', () => {
  it('says the committed catalog is current', async () => {
    const { code, stdout } = await presso('catalog', '--check');
    // Every event of the contract, however many extensions have added.
    expect(stdout).toMatch(
      new RegExp(
        `^the catalog is current: ${contract.length} events \\(\\d+ with a producer, \\d+ with a consumer\\), \\d+ rules? on the bus, from \\d+ apps?$`,
        'm',
      ),
    );
    expect(code).toBe(0);
  });

  it('writes CATALOG.md and catalog.html, and --check tells when they are stale', async () => {
    const out = mkdtempSync(join(tmpdir(), 'presso-catalog-'));
    scratch.push(out);
    const written = await presso('catalog', '--root', catalogFixture, '--out', out);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(
      `${contract.length} events (5 with a producer, 5 with a consumer), 4 rules on the bus, from 3 apps`,
    );
    expect(readFileSync(join(out, 'CATALOG.md'), 'utf8')).toContain('# Serverlesspresso events catalog');
    expect(readFileSync(join(out, 'catalog.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect((await presso('catalog', '--check', '--root', catalogFixture, '--out', out)).code).toBe(0);

    writeFileSync(join(out, 'catalog.html'), 'old');
    const stale = await presso('catalog', '--check', '--root', catalogFixture, '--out', out);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('catalog.html');
    expect(stale.stdout).toContain('the catalog is stale: run `npx presso catalog` and commit the result');
  });
});

describe('npx presso check', () => {
  it('passes the extension model and says what it consumes', async () => {
    const { code, stdout } = await presso('check', '_extension_model');
    expect(stdout).toContain('consumes: OrderManager.Order{eventId}-COMPLETED');
    expect(stdout).toContain('passed rules 1 (only its own resources) and 2 (routes events of the contract)');
    expect(code).toBe(0);
  });

  it('prints each violation with its check id, rule, resource, property and fix, and exits 1', async () => {
    const { code, stdout } = await presso(
      'check',
      join(checkerFixture, 'extensions/r1-broad-policies'),
      '--root',
      checkerFixture,
    );
    expect(code).toBe(1);
    expect(stdout).toContain(
      "1.scoped-policy (rule 1, only its own resources): Fn: Properties.Policies[0]: the managed policy AmazonDynamoDBFullAccess is not scoped to this extension's resources\n    fix: ",
    );
    expect(stdout).toContain('3 violations');
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await presso(
      'check',
      join(checkerFixture, 'extensions/r2-dead-rule'),
      '--root',
      checkerFixture,
      '--json',
    );
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as {
      passed: boolean;
      violations: Array<{ id: string; rule: number; resource: string; property: string }>;
    };
    expect(report.passed).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        id: '2.routes-contract-event',
        rule: 2,
        resource: 'Fn',
        property: 'Resources.Fn.Properties.Events.Made.Properties.Pattern',
      }),
    ]);
  });

  it('shows what a waiver sets aside, and passes; in --json too', async () => {
    const dir = join(checkerFixture, 'extensions/waived-policy');
    const text = await presso('check', dir, '--root', checkerFixture);
    expect(text.stdout).toContain(
      'waived 1.scoped-policy on Fn: reads the orders table of a sister app during a migration\n',
    );
    expect(text.code).toBe(0);
    const json = await presso('check', dir, '--root', checkerFixture, '--json');
    const report = JSON.parse(json.stdout) as { passed: boolean; waived: Array<{ id: string; violations: unknown[] }> };
    expect(report.passed).toBe(true);
    expect(report.waived).toEqual([expect.objectContaining({ id: '1.scoped-policy', violations: expect.any(Array) })]);
    expect(report.waived[0]!.violations).toHaveLength(3);
  });

  it('exits 2 on a folder without a template', async () => {
    const { code, stdout } = await presso('check', 'nowhere');
    expect(code).toBe(2);
    expect(stdout).toContain('presso check: ');
    expect(stdout).toContain('has no template.yaml');
  });
});

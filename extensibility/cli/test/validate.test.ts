import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { contract } from '@serverlesspresso/catalog';
import { presso } from './presso.js';

const dir = mkdtempSync(join(tmpdir(), 'presso-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npx presso validate', () => {
  it('accepts a JSON array of valid envelopes', async () => {
    const file = join(dir, 'all.json');
    writeFileSync(file, JSON.stringify(contract.map((e) => e.example)));
    const { code, stdout } = await presso(['validate', file]);
    expect(stdout).toContain(`${contract.length} events: ${contract.length} valid, 0 invalid`);
    expect(code).toBe(0);
  });

  it('prints a verdict per JSON Lines event and exits 1 on an invalid or unknown one', async () => {
    const good = contract[0]!.example;
    const missing = { ...good, detail: { ...good.detail, eventId: undefined } };
    const unknown = { ...good, 'detail-type': 'Nobody.Knows' };
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, [good, missing, unknown].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const { code, stdout } = await presso(['validate', file]);
    expect(code).toBe(1);
    expect(stdout).toContain(`valid    #1 ${good['detail-type']}`);
    expect(stdout).toMatch(/INVALID {2}#2 .*\n\s+\/detail\/eventId: is required but missing/);
    expect(stdout).toMatch(
      /INVALID {2}#3 Nobody.Knows .*\n\s+\/detail-type: "Nobody.Knows" is not a detail-type of the Serverlesspresso contract/,
    );
    expect(stdout).toContain('3 events: 1 valid, 2 invalid');
  });

  it('says which line is not JSON and exits 2', async () => {
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, `${JSON.stringify(contract[0]!.example)}\n{oops\n`);
    const { code, stdout } = await presso(['validate', file]);
    expect(code).toBe(2);
    expect(stdout).toContain('line 2 is not JSON');
  });
});

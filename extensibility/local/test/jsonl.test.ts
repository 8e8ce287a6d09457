// Reading a store's journal back: records in order, blank lines ignored, a line a crash cut short
// skipped and told with its line number, and a journal that does not exist yet read as empty.
import { afterAll, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines } from '../src/jsonl.js';

const dir = mkdtempSync(join(tmpdir(), 'presso-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads the records in order, skipping blank lines and telling each half-written one', () => {
  const file = join(dir, 'journal.jsonl');
  writeFileSync(file, '{"a":1}\n\n{"b":2}\n{"c":\n{"d":4}\n{"e":5');
  const torn: number[] = [];
  expect(readJsonLines(file, (line) => torn.push(line))).toEqual([{ a: 1 }, { b: 2 }, { d: 4 }]);
  expect(torn).toEqual([4, 6]);
});

it('reads a journal that does not exist yet as empty, and makes its folder', () => {
  const file = join(dir, 'new', 'journal.jsonl');
  expect(readJsonLines(file, () => {})).toEqual([]);
  expect(existsSync(join(dir, 'new'))).toBe(true);
});

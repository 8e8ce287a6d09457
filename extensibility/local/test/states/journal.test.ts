// The execution journal on its own: it compacts itself while the engine runs, so the file stays
// near what the engine holds however many executions pass, and a crash at any point leaves a
// journal that restores.
import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepFunctionsEngine, createManualClock } from '../../src/services/states/engine/index.js';
import { ExecutionJournal } from '../../src/services/states/journal.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const journalFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-journal-'));
  dirs.push(dir);
  return join(dir, 'states', 'executions.jsonl');
};

const SM = {
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:brew',
  name: 'brew',
  definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
};
const WAITING = {
  ...SM,
  arn: `${SM.arn}-waiting`,
  name: 'brew-waiting',
  definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }),
};

function engine(retain = 5) {
  const clock = createManualClock();
  return {
    clock,
    engine: new StepFunctionsEngine({
      clock,
      taskRunner: async () => ({}),
      schemaValidation: false,
      retainClosed: { STANDARD: retain },
    }),
  };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const namesIn = (file: string) => lines(file).map((l) => (JSON.parse(l) as { name: string }).name);

describe('the execution journal', () => {
  it('compacts itself while running: the file stays bounded by what the engine keeps', async () => {
    const file = journalFile();
    const { clock, engine: e } = engine(5);
    const journal = ExecutionJournal.open(e, file, { compactAfterBytes: 4096 });
    for (let i = 0; i < 200; i++) {
      e.startExecution({ stateMachine: SM, name: `order-${i}` });
      await clock.advance(1000);
    }
    expect(journal.stats().compactions).toBeGreaterThan(0);
    // At most what the last compaction kept (the 5 kept, and the one closing then) plus what was
    // appended since, which triggers the next one once it outweighs both 4 KiB and what was kept.
    const size = readFileSync(file).length;
    const kept = journal.stats().keptBytes;
    expect(kept).toBeLessThanOrEqual(6 * 1400);
    expect(size).toBeLessThanOrEqual(kept + Math.max(4096, kept) + 1400);
    expect(lines(file).length).toBeLessThan(40);
    journal.close();

    const { engine: restored } = engine(5);
    const reopened = ExecutionJournal.open(restored, file);
    expect(restored.listExecutions(SM.arn).map((x) => x.name)).toEqual([
      'order-199',
      'order-198',
      'order-197',
      'order-196',
      'order-195',
    ]);
    expect(namesIn(file).sort()).toEqual(['order-195', 'order-196', 'order-197', 'order-198', 'order-199']);
    reopened.close();
  });

  it('a crash mid-compaction or mid-append loses nothing that was journaled', async () => {
    const file = journalFile();
    const { clock, engine: e } = engine(100);
    const journal = ExecutionJournal.open(e, file);
    for (const name of ['a', 'b']) {
      e.startExecution({ stateMachine: SM, name });
      await clock.advance(1000);
    }
    e.startExecution({ stateMachine: WAITING, name: 'c' });
    await clock.settle();
    journal.close();
    // A compaction that died before its rename leaves its temporary file; an append cut short, half a line.
    writeFileSync(`${file}.tmp`, '{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:brew:half');
    appendFileSync(file, '{"executionArn":"arn:aws:states:us-east-1:123456789012:exec');

    const { engine: restored } = engine(100);
    const reopened = ExecutionJournal.open(restored, file);
    expect(reopened.restored).toBe(3);
    expect(restored.listExecutions(SM.arn).map((x) => [x.name, x.status])).toEqual([
      ['b', 'SUCCEEDED'],
      ['a', 'SUCCEEDED'],
    ]);
    // The Standard execution still waiting has its own journal, and resumes (see resume.test.ts).
    expect(restored.listExecutions(WAITING.arn).map((x) => [x.name, x.status])).toEqual([['c', 'RUNNING']]);
    expect(reopened.report).toMatchObject({ restored: 3, resuming: 1, failed: 0 });
    // The rewrite replaced both the torn line and the stale temporary file (c is in its own journal).
    expect(namesIn(file).sort()).toEqual(['a', 'b']);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    reopened.close();
  });
});

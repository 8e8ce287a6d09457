// Standard executions resume after a restart where they were: the engine and its journal are dropped
// as a crash drops them (no shutdown), and a new engine opens the same data directory, on a clock
// that moved on by the downtime. A callback's token still answers, a heartbeat that expired during
// the downtime fires at start, a Wait waits what remains, a task that was running failed as one
// whose worker vanished (retried or caught), Parallel branches and Map iterations go on, and a
// record a crash cut in half is skipped with a warning. (The same with a real process killed with
// SIGKILL: crash.test.ts.)
import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StepFunctionsEngine,
  createManualClock,
  type HistoryEvent,
  type ManualClock,
  type TaskContext,
} from '../../src/services/states/engine/index.js';
import { ExecutionJournal } from '../../src/services/states/journal.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const CALLBACK = 'arn:aws:states:::events:putEvents.waitForTaskToken';
const PUT = 'arn:aws:states:::events:putEvents';

interface Node {
  clock: ManualClock;
  engine: StepFunctionsEngine;
  journal: ExecutionJournal;
  tokens: string[];
  calls: string[];
  warnings: string[];
}

/** An engine with its journal in `dir` at `now`; the task runner records tokens and calls, and never ends `hang` tasks. */
function node(dir: string, now: number): Node {
  const clock = createManualClock(now);
  const tokens: string[] = [];
  const calls: string[] = [];
  const warnings: string[] = [];
  const engine = new StepFunctionsEngine({
    clock,
    schemaValidation: false,
    taskRunner: async (resource: string, input: unknown, ctx: TaskContext) => {
      calls.push(ctx.stateName);
      if (ctx.taskToken) tokens.push(ctx.taskToken);
      if ((input as { hang?: boolean } | null)?.hang) return new Promise(() => undefined);
      return { resource };
    },
  });
  const journal = ExecutionJournal.open(engine, join(dir, 'states', 'executions.jsonl'), {
    log: (line) => void warnings.push(line),
  });
  return { clock, engine, journal, tokens, calls, warnings };
}

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-resume-'));
  dirs.push(dir);
  return dir;
};

/** Drops a node as a crash does: nothing is stopped or aborted, the journal just stops being written. */
const crash = (n: Node) => n.journal.close();

/** Starts a node again on the same data, `downtimeMs` later, and lets its executions go on. */
async function restart(dir: string, before: Node, downtimeMs: number): Promise<Node> {
  const after = node(dir, before.clock.now() + downtimeMs);
  after.engine.resumeExecutions();
  await after.clock.settle();
  return after;
}

const machine = (definition: object, name = 'order') => ({
  arn: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`,
  name,
  definition: JSON.stringify(definition),
});
const types = (events: HistoryEvent[]) => events.map((e) => e.type);

describe('a Standard execution resumed after a restart', () => {
  const waitForDrink = machine({
    StartAt: 'Wait for the drink',
    States: {
      'Wait for the drink': {
        Type: 'Task',
        Resource: CALLBACK,
        HeartbeatSeconds: 300,
        Parameters: { 'token.$': '$$.Task.Token' },
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Timed out' }],
        Next: 'Made',
      },
      Made: { Type: 'Pass', End: true },
      'Timed out': { Type: 'Fail', Error: 'OrderTimeOut', Cause: 'customer' },
    },
  });

  it('keeps its task token: the same token answers SendTaskSuccess after the restart', async () => {
    const dir = dataDir();
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: waitForDrink, name: 'o1' });
    await first.clock.advance(60_000);
    expect(first.tokens).toHaveLength(1);
    crash(first);

    const second = await restart(dir, first, 120_000);
    expect(second.engine.describeExecution(executionArn).status).toBe('RUNNING');
    expect(second.calls).toEqual([]); // the event with the token is not put again
    second.engine.sendTaskSuccess(first.tokens[0]!, { drink: 'Flat White' });
    const done = await second.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ drink: 'Flat White' });
    // One history: what happened before the restart, then what happened after, each event once.
    const history = second.engine.getExecutionHistory(executionArn);
    expect(types(history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    // Ended: its journal is gone, its end is in executions.jsonl.
    expect(readdirSync(join(dir, 'states', 'executions'))).toEqual([]);
    second.journal.close();
  });

  it('counts the heartbeat from when the task started: 4 of 5 minutes before, 2 minutes down: times out 1 minute after the start', async () => {
    const dir = dataDir();
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: waitForDrink, name: 'o2' });
    await first.clock.advance(240_000);
    crash(first);
    const second = await restart(dir, first, 120_000);
    // Expired during the downtime: fires at start (the manual clock fires what is due when it runs).
    await second.clock.advance(0);
    const done = await second.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'OrderTimeOut', cause: 'customer' });
    expect(types(second.engine.getExecutionHistory(executionArn))).toContain('TaskTimedOut');
    second.journal.close();

    // A heartbeat sent before the restart counts from then.
    const dir2 = dataDir();
    const third = node(dir2, T0);
    const other = third.engine.startExecution({ stateMachine: waitForDrink, name: 'o3' }).executionArn;
    await third.clock.advance(240_000);
    third.engine.sendTaskHeartbeat(third.tokens[0]!);
    crash(third);
    const fourth = await restart(dir2, third, 120_000);
    expect(fourth.engine.describeExecution(other).status).toBe('RUNNING');
    await fourth.clock.advance(179_000);
    expect(fourth.engine.describeExecution(other).status).toBe('RUNNING');
    await fourth.clock.advance(2_000);
    expect(fourth.engine.describeExecution(other)).toMatchObject({ status: 'FAILED', error: 'OrderTimeOut' });
    fourth.journal.close();
  });

  it('waits what remains of a Wait state', async () => {
    const dir = dataDir();
    const waits = machine({
      StartAt: 'Brew',
      States: { Brew: { Type: 'Wait', Seconds: 600, Next: 'Serve' }, Serve: { Type: 'Pass', End: true } },
    });
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: waits, name: 'w' });
    await first.clock.advance(100_000);
    crash(first);
    const second = await restart(dir, first, 200_000);
    await second.clock.advance(299_000);
    expect(second.engine.describeExecution(executionArn).status).toBe('RUNNING');
    await second.clock.advance(1_000);
    const done = await second.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const history = second.engine.getExecutionHistory(executionArn);
    const exited = history.find((e) => e.type === 'WaitStateExited')!;
    expect(exited.timestamp.getTime() - T0).toBe(600_000);
    second.journal.close();
  });

  it('fails a task that was running when the cloud died with States.TaskFailed: retried per its Retry, then caught', async () => {
    const dir = dataDir();
    const running = machine({
      StartAt: 'Claim',
      States: {
        Claim: {
          Type: 'Task',
          Resource: PUT,
          Parameters: { 'hang.$': '$.hang' },
          Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1, IntervalSeconds: 10 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Give the place back' }],
          End: true,
        },
        'Give the place back': { Type: 'Pass', End: true },
      },
    });
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: running, name: 'r', input: { hang: true } });
    await first.clock.advance(1_000);
    crash(first);
    // Its retry runs the task again (and hangs again); a second crash exhausts the retry: caught.
    const second = await restart(dir, first, 5_000);
    await second.clock.advance(10_000);
    expect(second.calls).toEqual(['Claim']);
    crash(second);
    const third = await restart(dir, second, 5_000);
    const done = await third.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      Error: 'States.TaskFailed',
      Cause: 'The local cloud stopped while the task was running: as for a worker that is gone, the task failed.',
    });
    expect(types(third.engine.getExecutionHistory(executionArn)).filter((t) => t.startsWith('Task'))).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
    ]);
    third.journal.close();
  });

  it('resumes Parallel branches and Map iterations where each was', async () => {
    const dir = dataDir();
    const fanOut = machine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'A',
              States: {
                A: { Type: 'Task', Resource: CALLBACK, Parameters: { 'token.$': '$$.Task.Token' }, End: true },
              },
            },
            { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
          ],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$[0]',
          ItemProcessor: {
            StartAt: 'Item',
            States: { Item: { Type: 'Wait', Seconds: 30, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    });
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: fanOut, name: 'p' });
    await first.clock.advance(1_000);
    crash(first);
    const second = await restart(dir, first, 1_000);
    second.engine.sendTaskSuccess(first.tokens[0]!, ['x', 'y']);
    await second.clock.advance(10_000);
    crash(second);
    const third = await restart(dir, second, 5_000);
    await third.clock.advance(14_000);
    expect(third.engine.describeExecution(executionArn).status).toBe('RUNNING');
    await third.clock.advance(1_000);
    const done = await third.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(['x', 'y']);
    const history = third.engine.getExecutionHistory(executionArn);
    expect(types(history).filter((t) => t === 'MapIterationStarted')).toHaveLength(2);
    expect(types(history).filter((t) => t === 'PassStateEntered')).toHaveLength(3);
    third.journal.close();
  });

  it('skips a record a crash cut in half, with a warning, and resumes from the record before it', async () => {
    const dir = dataDir();
    const first = node(dir, T0);
    const { executionArn } = first.engine.startExecution({ stateMachine: waitForDrink, name: 'torn' });
    await first.clock.advance(1_000);
    crash(first);
    const journals = join(dir, 'states', 'executions');
    const [file] = readdirSync(journals);
    const whole = readFileSync(join(journals, file!), 'utf8');
    appendFileSync(join(journals, file!), '{"event":{"timestamp":"2026-12-07T10:00:01.000Z","type":"TaskSucc');

    const second = await restart(dir, first, 1_000);
    expect(second.warnings).toEqual([
      expect.stringMatching(
        /a half-written record at byte \d+ \(\d+ bytes, written when the local cloud stopped\) was skipped/,
      ),
    ]);
    expect(second.journal.report.tornRecords).toBe(1);
    // Cut back to its whole records, then appended to.
    expect(readFileSync(join(journals, file!), 'utf8').startsWith(whole)).toBe(true);
    second.engine.sendTaskSuccess(first.tokens[0]!, {});
    expect((await second.engine.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
    second.journal.close();
  });

  it('fails an Express execution that was running, as AWS keeps nothing of it', async () => {
    const dir = dataDir();
    const first = node(dir, T0);
    const express = {
      ...machine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }, 'quick'),
      type: 'EXPRESS' as const,
    };
    const { executionArn } = first.engine.startExecution({ stateMachine: express, name: 'e' });
    await first.clock.advance(1_000);
    crash(first);
    const second = await restart(dir, first, 1_000);
    expect(second.engine.describeExecution(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The local engine restarted while the execution was running.',
    });
    expect(second.journal.report).toMatchObject({ failed: 1, resuming: 0 });
    second.journal.close();
  });
});

// presso play as a user runs it: `presso up --no-apps`, `presso deploy` of the EventPlayer (with the
// hand-made fixture archive as its session), then `presso play` as a process against the edge.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEvent } from '@serverlesspresso/catalog';
import { playerWithArchive, sessionFixture } from '@serverlesspresso/event-player/test-app';
import { progressLine } from '../src/commands/play.js';
import type { Bill } from '../src/cost/bill.js';
import { presso as bin, startUp, type RunningUp } from './up.js';

const run = promisify(execFile);
let up: RunningUp;
let endpoint: string;
const app = playerWithArchive('cli-play', sessionFixture);
/** What `presso play` said before any player was deployed. */
let withoutPlayer: { code: number; stdout: string };

const presso = (...args: string[]) => run(process.execPath, [bin, ...args, '--endpoint', endpoint]);
/** A command expected to fail: its exit code and output. */
const failing = async (...args: string[]) => {
  try {
    await presso(...args);
  } catch (e) {
    return e as { code: number; stdout: string; stderr: string };
  }
  throw new Error(`presso ${args.join(' ')} succeeded`);
};

beforeAll(async () => {
  up = await startUp(['--no-apps', '--port', '0', '--speed', '1000']);
  endpoint = up.endpoint;
  withoutPlayer = await failing('play');
});

/** The player, deployed once by whichever test needs it first: no test relies on another having run. */
let deployed: Promise<unknown> | undefined;
const deployPlayer = () => (deployed ??= presso('deploy', app.dir, '--parameter-overrides', 'CreateBus=true'));

afterAll(async () => {
  await up?.stop();
  app.remove();
});

describe('presso play', () => {
  it('says how to deploy the player when none is', () => {
    const { code, stdout } = withoutPlayer;
    expect(code).toBe(1);
    expect(stdout).toContain(
      'presso play: no EventPlayer is deployed on this local cloud: deploy it with `presso deploy extensibility/EventPlayer`',
    );
  });

  it('replays the session with a progress bar and a summary', async () => {
    await deployPlayer();
    const { stdout, stderr } = await presso('play', '--speed', '0.5', '--event-id', 'PLAY');
    expect(stdout).toMatch(
      /^replaying the session of cli-play onto Serverlesspresso at speed 0.5 as tenant PLAY\nexecution arn:aws:states:us-east-1:000000000000:execution:EventPlayer-\w+:[0-9a-f-]{36}\nreplayed 34 events in \d+\.\ds: 34 sent, 0 failed\n$/,
    );
    // Not a terminal: a line per tenth of the replay, the last one complete.
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(`[${'#'.repeat(30)}] 34/34 sent  08:00/08:00 of the session`);

    // This replay's events (its tenant), whatever other tests replayed before.
    const events = (
      await presso('events', '--bus', 'Serverlesspresso', '--pattern', '{"detail":{"eventId":["PLAY"]}}')
    ).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { detail: { eventId: string }; resources: string[] });
    expect(events).toHaveLength(34);
    for (const event of events) {
      expect(validateEvent(event).errors).toEqual([]);
      expect(event.detail.eventId).toBe('PLAY');
      expect(event.resources[0]).toMatch(/:stateMachine:EventPlayer[A-Za-z]*-[A-Za-z0-9]{12}$/);
    }
  });

  it('prices what a replay did with presso cost: the orders it replayed and a bill above zero', async () => {
    await deployPlayer();
    await presso('play', '--speed', '1000', '--event-id', 'COST');
    const bill = JSON.parse((await presso('cost', '--json')).stdout) as Bill;
    // Every replay so far (this one's 9 orders at least), whichever tests ran before.
    expect(bill.orders).toBeGreaterThanOrEqual(9);
    expect(bill.orders % 9).toBe(0);
    const line = (service: string) => bill.lines.find((l) => l.service === service)!;
    expect(line('Lambda').cost).toBeGreaterThan(0);
    expect(line('Step Functions').cost).toBeGreaterThan(0);
    expect(line('EventBridge').cost).toBeGreaterThan(0);
    expect(bill.total).toBeGreaterThan(0);
    expect(bill.per1000Orders).toBeGreaterThan(0);
  });

  it("reports the player's refusal of bad input", async () => {
    await deployPlayer();
    const { code, stdout } = await failing('play', '--event-id', 'NYC-1');
    expect(code).toBe(1);
    expect(stdout).toContain('the replay ended FAILED');
    expect(stdout).toContain(
      'InvalidPlayerInput: eventId: must be 1 to 40 letters, digits or underscores (e.g. "REPLAY"), got "NYC-1"',
    );
    const speed = await failing('play', '--speed', '0');
    expect(speed.stderr).toContain('speed must be a positive number, got "0"');
  });

  it('stops the replay on Ctrl-C', async () => {
    await deployPlayer();
    // 8 minutes of session at a hundredth of real time, on a cloud 1000 times faster: about 48 s.
    const play = spawn(process.execPath, [bin, 'play', '--speed', '0.01', '--endpoint', endpoint]);
    let stdout = '';
    play.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((resolve) => play.stderr.once('data', () => resolve()));
    play.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => play.on('exit', resolve));
    expect(code).toBe(130);
    expect(stdout).toMatch(
      /the replay was stopped after \d+ of 34 events were sent \(\d+\.\ds\): presso\.Interrupted: presso play was interrupted \(Ctrl-C\)\.\n$/,
    );
    const executions = (await presso('executions', '--status', 'ABORTED')).stdout;
    expect(executions).toMatch(/ABORTED/);
  });
});

describe('the progress line', () => {
  it('fills a bar with what was sent or failed, and says where the session is', () => {
    expect(progressLine({ total: 342, sent: 120, failed: 0, sessionMs: 312_000, durationMs: 900_000 }, 20)).toBe(
      '[#######.............] 120/342 sent  05:12/15:00 of the session',
    );
    expect(progressLine({ total: 10, sent: 3, failed: 2, sessionMs: 0, durationMs: 60_000 }, 10)).toBe(
      '[#####.....]  3/10 sent  00:00/01:00 of the session  (2 failed)',
    );
  });
});

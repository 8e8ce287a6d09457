// Schedules keep their times over a restart with a data directory: the same stack deployed again
// goes on with its rules' and Scheduler schedules' clocks where they were, so at --speed 600 (a
// simulated minute is 100 ms) no scheduled time fires twice or goes back, though the simulated
// clock ran far ahead of the real one. (What is missed while the cloud is down:
// test/events/schedule-resume.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

const app = new URL('./fixtures/schedule-app', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-schedules-'));
const clouds: LocalCloud[] = [];

afterAll(async () => {
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start() {
  const lines: string[] = [];
  const cloud = await startLocalCloud({ port: 0, speed: 600, dataDir, log: (line) => void lines.push(line) });
  clouds.push(cloud);
  await cloud.stacks.deploy({ path: app, stackName: 'clock' });
  /** The scheduled times the cron() rule's Scheduled Events carried, in order. */
  const times = () =>
    lines
      .filter((l) => l.startsWith('[clock-Recorder-') && l.includes('] recorded '))
      .map((l) => JSON.parse(l.slice(l.indexOf('] recorded ') + 11)) as EventEnvelope)
      .filter((e) => e['detail-type'] === 'Scheduled Event')
      .map((e) => e.time);
  return { cloud, times };
}

it('goes on with the schedules where they were after a restart: no time fires twice or goes back', async () => {
  const first = await start();
  // Twenty minutes of simulated time: the simulated clock is far ahead of the real one.
  const before = await until('10 scheduled times', () => first.times().length >= 10 && first.times(), { ms: 30_000 });
  await first.cloud.close();
  clouds.length = 0;

  const second = await start();
  expect(second.cloud.resumption.schedules()).toBeGreaterThanOrEqual(1);
  const [after] = await until('a scheduled time after the restart', () => second.times().length > 0 && second.times(), {
    ms: 30_000,
  });
  expect(after! > before.at(-1)!).toBe(true);
}, 120_000);

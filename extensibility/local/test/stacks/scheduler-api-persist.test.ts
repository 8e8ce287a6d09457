// Scheduler schedules made through the API (CreateSchedule, UpdateSchedule, DeleteSchedule) outlive
// a restart with a data directory: the schedule is back as it was last updated, with its creation
// date, and invokes its target again; a deleted one stays deleted; a write that fails (a full disk)
// refuses the call and makes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const app = new URL('./fixtures/schedule-app', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-scheduler-api-'));
const clouds: LocalCloud[] = [];
const clients: SchedulerClient[] = [];
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start() {
  const lines: string[] = [];
  const cloud = await startLocalCloud({ port: 0, speed: 600, dataDir, log: (line) => void lines.push(line) });
  clouds.push(cloud);
  const scheduler = new SchedulerClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
    maxAttempts: 1,
  });
  clients.push(scheduler);
  /** The `schedule` of each tick the stack's Recorder function was invoked with. */
  const ticks = () =>
    lines
      .filter((l) => l.startsWith('[clock-Recorder-') && l.includes('] recorded '))
      .map((l) => JSON.parse(l.slice(l.indexOf('] recorded ') + 11)) as { from?: string; schedule?: string })
      .filter((e) => e.from === 'presso')
      .map((e) => e.schedule);
  return { cloud, scheduler, ticks };
}

it('keeps the schedules made through the API across a restart, as last updated', async () => {
  const first = await start();
  const stack = await first.cloud.stacks.deploy({ path: app, stackName: 'clock' });
  const fn = stack.outputs.RecorderArn!;
  const target = (schedule: string) => ({
    Arn: fn,
    RoleArn: ROLE,
    Input: JSON.stringify({ from: 'presso', schedule }),
  });
  const tick = {
    Name: 'api-tick',
    ScheduleExpression: 'rate(1 minute)',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
  };
  await first.scheduler.send(new CreateScheduleCommand({ ...tick, Target: target('created') }));
  await until('a tick', () => first.ticks().includes('created'));
  await first.scheduler.send(new UpdateScheduleCommand({ ...tick, Target: target('updated') }));
  await until('a tick of the updated schedule', () => first.ticks().includes('updated'));
  const before = await first.scheduler.send(new GetScheduleCommand({ Name: 'api-tick' }));
  await first.scheduler.send(new CreateScheduleCommand({ ...tick, Name: 'gone', Target: target('gone') }));
  await first.scheduler.send(new DeleteScheduleCommand({ Name: 'gone' }));
  // A full disk refuses the call: the schedule is not made.
  process.env.PRESSO_TEST_FAIL_WRITE = 'scheduler:CreateSchedule';
  try {
    await expect(
      first.scheduler.send(new CreateScheduleCommand({ ...tick, Name: 'refused', Target: target('refused') })),
    ).rejects.toMatchObject({
      name: 'InternalServerException',
      message: expect.stringMatching(
        /^The local cloud could not write CreateSchedule to .* \(ENOSPC\), so nothing was changed/,
      ),
    });
  } finally {
    delete process.env.PRESSO_TEST_FAIL_WRITE;
  }
  await expect(first.scheduler.send(new GetScheduleCommand({ Name: 'refused' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
  await first.cloud.close();
  clouds.length = 0;

  const second = await start();
  const after = await second.scheduler.send(new GetScheduleCommand({ Name: 'api-tick' }));
  expect(after).toMatchObject({
    Arn: before.Arn,
    CreationDate: before.CreationDate,
    ScheduleExpression: 'rate(1 minute)',
    Target: target('updated'),
  });
  for (const Name of ['gone', 'refused'])
    await expect(second.scheduler.send(new GetScheduleCommand({ Name }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  // It invokes its function again once the function's stack is deployed again.
  await second.cloud.stacks.deploy({ path: app, stackName: 'clock' });
  await until('a tick after the restart', () => second.ticks().includes('updated'));
}, 120_000);

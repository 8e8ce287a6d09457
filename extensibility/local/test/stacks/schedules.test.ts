// Schedules deployed from a template fire on the simulated clock: a SAM `Schedule` event (an
// EventBridge rule with cron()) delivers the Scheduled Event envelope, a `ScheduleV2` event (an
// EventBridge Scheduler schedule) the Input as written with its context attributes replaced, to a
// function and to a state machine; the Scheduler API lists them; deleting the stack stops them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';
import { until } from '@serverlesspresso/testing/until';

const app = new URL('./fixtures/schedule-app', import.meta.url).pathname;
// One simulated minute is 100 ms: the Quarterly rule (every 2 minutes) fires every 200 ms.
const SPEED = 600;
let cloud: LocalCloud;
let scheduler: SchedulerClient;
let sfn: SFNClient;
const lines: string[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: (line) => void lines.push(line) });
  const client = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  };
  scheduler = new SchedulerClient(client);
  sfn = new SFNClient(client);
});
afterAll(async () => {
  scheduler.destroy();
  sfn.destroy();
  await cloud.close();
});

/** What a stack's Recorder function was invoked with, in order. */
function recorded(stack: string): unknown[] {
  const prefix = `[${stack}-Recorder-`;
  return lines
    .filter((l) => l.startsWith(prefix) && l.includes('] recorded '))
    .map((l) => JSON.parse(l.slice(l.indexOf('] recorded ') + 11)) as unknown);
}
const scheduledEvents = (stack: string) =>
  recorded(stack).filter((e) => (e as EventEnvelope)['detail-type'] === 'Scheduled Event') as EventEnvelope[];
const ticks = (stack: string) =>
  recorded(stack).filter((e) => (e as { from?: string }).from === 'presso') as Array<{
    tick: string;
    from: string;
    schedule: string;
  }>;

describe('schedules from a template', () => {
  it('fires the cron() rule and the ScheduleV2 rate() for a function and a state machine, and stops them with the stack', async () => {
    const stack = await cloud.stacks.deploy({ path: app, stackName: 'clock' });
    const [event] = await until(
      'a Scheduled Event',
      () => scheduledEvents('clock').length > 0 && scheduledEvents('clock'),
    );
    const ruleName = cloud.events.buses.get('default')!.rules.keys().next().value!;
    expect(event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      region: 'us-east-1',
      // The scheduled minute of cron(0/2 ...): even, no seconds.
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d[02468]:00Z$/),
      resources: [`arn:aws:events:us-east-1:000000000000:rule/${ruleName}`],
      detail: {},
    });
    expect(ruleName).toMatch(/^clock-RecorderQuarterly-[A-Z0-9]{12}$/);

    // The Input as written, the context attributes replaced.
    const [tick] = await until('a ScheduleV2 tick', () => ticks('clock').length > 0 && ticks('clock'));
    expect(tick).toEqual({
      tick: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      from: 'presso',
      schedule: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/RecorderTick',
    });

    // The state machine's schedule starts executions with its Input.
    const counter = stack.outputs.CounterArn!;
    const { executions } = await until('an execution', async () => {
      const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: counter }));
      return out.executions!.length > 0 && out;
    });
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: executions![0]!.executionArn }));
    expect(JSON.parse(execution.input!)).toEqual({ kind: 'sfn' });

    // The Scheduler API sees what SAM would have created.
    const { Schedules } = await scheduler.send(new ListSchedulesCommand({}));
    expect(Schedules!.map((s) => [s.Name, s.State, s.Target?.Arn])).toEqual([
      ['CounterEvery', 'ENABLED', counter],
      ['RecorderTick', 'ENABLED', stack.outputs.RecorderArn],
    ]);
    const described = await scheduler.send(new GetScheduleCommand({ Name: 'RecorderTick' }));
    expect(described).toMatchObject({
      Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/RecorderTick',
      GroupName: 'default',
      ScheduleExpression: 'rate(1 minute)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: stack.outputs.RecorderArn,
        Input: expect.stringContaining('<aws.scheduler.scheduled-time>'),
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    expect(described.CreationDate).toBeInstanceOf(Date);
    expect(lines).toContainEqual(
      expect.stringContaining('[scheduler] RecorderTick: RetryPolicy recorded, not emulated'),
    );

    await cloud.stacks.delete('clock');
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'RecorderTick' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(cloud.scheduler.list()).toEqual([]);
    expect(cloud.events.buses.get('default')!.rules.size).toBe(0);
    const linesAtDelete = lines.length;
    // Five simulated minutes: every timer left running would have fired (and logged a missing target).
    await cloud.time.sleep(5 * 60_000);
    await cloud.scheduler.drain();
    expect(lines.slice(linesAtDelete).filter((l) => /Recorder|Counter|clock/.test(l))).toEqual([]);
  });

  it('does not fire a DISABLED schedule', async () => {
    await cloud.stacks.deploy({ path: app, stackName: 'paused', parameterOverrides: { TickState: 'DISABLED' } });
    // Three Quarterly events (every 2 minutes) span over four simulated minutes: four ticks of an enabled rate(1 minute).
    await until('three Scheduled Events', () => scheduledEvents('paused').length >= 3);
    expect(ticks('paused')).toEqual([]);
    expect((await scheduler.send(new GetScheduleCommand({ Name: 'RecorderTick' }))).State).toBe('DISABLED');
    await cloud.stacks.delete('paused');
  });

  it('a schedule name belongs to one stack: a second stack that wants it fails whole, the first keeps firing', async () => {
    await cloud.stacks.deploy({ path: app, stackName: 'first' });
    await expect(cloud.stacks.deploy({ path: app, stackName: 'second' })).rejects.toThrow(
      /template\.yaml: Resources\.(Recorder|Counter)\.Properties\.Events\.(Tick|Every)\.Properties\.Name: Schedule (RecorderTick|CounterEvery) already exists/,
    );
    expect(cloud.stacks.get('second')).toBeUndefined();
    expect(cloud.lambda.list().filter((f) => f.name.startsWith('second-'))).toEqual([]);
    const before = ticks('first').length;
    await until('more ticks of the first stack', () => ticks('first').length > before);
    expect(ticks('first').every((t) => t.schedule.endsWith('/RecorderTick'))).toBe(true);
    await cloud.stacks.delete('first');
  });

  it.each([
    [
      { QuarterlyExpression: 'cron(0 10 * * * *)' },
      "Resources.Recorder.Properties.Events.Quarterly: Parameter ScheduleExpression is not valid. (one of Day-of-month and Day-of-week must be '?'",
    ],
    [
      { TickExpression: 'rate(1 fortnight)' },
      'Resources.Recorder.Properties.Events.Tick.Properties.ScheduleExpression: Invalid Schedule Expression rate(1 fortnight): use at(yyyy-mm-ddThh:mm:ss)',
    ],
    [
      { TickExpression: 'cron(0 9 ? * MON-FRI)' },
      'Resources.Recorder.Properties.Events.Tick.Properties.ScheduleExpression: Invalid Schedule Expression cron(0 9 ? * MON-FRI): a cron expression has six fields',
    ],
    [
      { TickTimezone: 'Mars/Olympus_Mons' },
      'Resources.Recorder.Properties.Events.Tick.Properties.ScheduleExpressionTimezone: Invalid ScheduleExpressionTimezone Mars/Olympus_Mons',
    ],
  ])('fails the deploy for %j naming the file, resource and property, leaving nothing', async (overrides, message) => {
    await expect(
      cloud.stacks.deploy({ path: app, stackName: 'broken', parameterOverrides: overrides }),
    ).rejects.toThrow(`template.yaml: ${message}`);
    expect(cloud.stacks.get('broken')).toBeUndefined();
    expect(cloud.lambda.list().filter((f) => f.name.startsWith('broken-'))).toEqual([]);
    expect(cloud.scheduler.list()).toEqual([]);
    expect(cloud.events.buses.get('default')!.rules.size).toBe(0);
  });
});

describe('the Scheduler API', () => {
  it('creates a one-time at() schedule in a time zone that fires once and deletes itself, and refuses bad requests', async () => {
    const stack = await cloud.stacks.deploy({
      path: app,
      stackName: 'api',
      parameterOverrides: { TickState: 'DISABLED' },
    });
    const fn = stack.outputs.RecorderArn!;
    // Two simulated minutes from now, written as Tokyo's wall clock (UTC+9, no DST).
    const inTokyo = new Date(Date.now() + 9 * 3_600_000 + 120_000).toISOString().slice(0, 19);
    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({
        Name: 'once',
        ScheduleExpression: `at(${inTokyo})`,
        ScheduleExpressionTimezone: 'Asia/Tokyo',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: fn,
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{"from":"presso","tick":"<aws.scheduler.scheduled-time>","schedule":"once"}',
        },
      }),
    );
    expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/once');
    const [fired] = await until('the one-time invocation', () => ticks('api').length > 0 && ticks('api'));
    // The scheduled time is the at() time, in UTC.
    expect(fired!.tick).toBe(`${new Date(Date.parse(`${inTokyo}Z`) - 9 * 3_600_000).toISOString().slice(0, 19)}Z`);
    await until(
      'the schedule to delete itself',
      async () => (await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'once' }))).Schedules!.length === 0,
    );

    // Without Input, a templated Lambda target gets an empty JSON object.
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'bare',
        GroupName: 'default',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: fn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler' },
      }),
    );
    await until('an empty event', () => recorded('api').some((e) => JSON.stringify(e) === '{}'));
    await scheduler.send(new DeleteScheduleCommand({ Name: 'bare' }));
    await expect(scheduler.send(new DeleteScheduleCommand({ Name: 'bare' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Schedule bare does not exist.',
    });

    const bad = (expression: string, extra: object = {}) =>
      scheduler.send(
        new CreateScheduleCommand({
          Name: 'bad',
          ScheduleExpression: expression,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: fn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler' },
          ...extra,
        }),
      );
    await expect(bad('cron(0 9 * * * *)')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^Invalid Schedule Expression cron\(0 9 \* \* \* \*\): one of Day-of-month and Day-of-week must be '\?'/,
      ),
    });
    await expect(bad('at(2030-02-30T10:00:00)')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('2030-02-30T10:00:00 is not a date and time'),
    });
    await expect(
      bad('rate(5 minutes)', {
        Target: { Arn: fn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: 'not json' },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Target.Input must be well-formed JSON for a Lambda target'),
    });
    await expect(
      bad('rate(5 minutes)', {
        StartDate: new Date('2030-01-02T00:00:00Z'),
        EndDate: new Date('2030-01-01T00:00:00Z'),
      }),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'The EndDate must be after the StartDate.' });
    await expect(
      scheduler.send(
        new CreateScheduleCommand({
          Name: 'RecorderTick',
          ScheduleExpression: 'rate(5 minutes)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: fn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConflictException', message: 'Schedule RecorderTick already exists.' });
    await cloud.stacks.delete('api');
  });

  it('runs cron() in its time zone between StartDate and EndDate', async () => {
    const stack = await cloud.stacks.deploy({
      path: app,
      stackName: 'zoned',
      parameterOverrides: { TickState: 'DISABLED' },
    });
    const start = new Date(Date.now() + 4 * 60_000);
    const end = new Date(start.getTime() + 10 * 60_000);
    // Every 2 minutes of New York's clock, from 4 simulated minutes from now, for 10 minutes: five or six invocations.
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'zoned',
        ScheduleExpression: 'cron(0/2 * * * ? *)',
        ScheduleExpressionTimezone: 'America/New_York',
        StartDate: start,
        EndDate: end,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: stack.outputs.RecorderArn!,
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{"from":"presso","tick":"<aws.scheduler.scheduled-time>","schedule":"zoned"}',
        },
      }),
    );
    // Fifteen simulated minutes later every invocation has happened.
    await cloud.time.sleep(15 * 60_000);
    await cloud.scheduler.drain();
    await until('the invocations to be recorded', () => ticks('zoned').length >= 5);
    const times = ticks('zoned').map((t) => Date.parse(t.tick));
    expect(times.length).toBeLessThanOrEqual(6);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(start.getTime());
      expect(t).toBeLessThanOrEqual(end.getTime());
      expect(new Date(t).getUTCMinutes() % 2).toBe(0);
    }
    await scheduler.send(new DeleteScheduleCommand({ Name: 'zoned' }));
    await cloud.stacks.delete('zoned');
  });
});

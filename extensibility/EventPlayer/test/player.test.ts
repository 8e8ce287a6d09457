// The player through the real path: its template deployed on the local cloud (the function built with
// esbuild, the state machine from its ASL), started with the SDK's SFNClient, its events heard on the
// bus. The archive is the hand-made fixture, so every gap and burst is known.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { validateEvent } from '@serverlesspresso/catalog';
import { startLocalCloud, type EventEnvelope } from '@serverlesspresso/local';
import { checkedArchive } from '../src/archive.js';
import { momentAt, replaySecond, type ReplayOptions } from '../src/replay.js';
import { playerWithArchive } from './app.js';

const fixtureFile = new URL('./fixtures/session.fixture.json', import.meta.url).pathname;
const fixture = checkedArchive(JSON.parse(readFileSync(fixtureFile, 'utf8')), 'session.fixture.json');
/** Machine seconds per real second: one second of replay takes 5 ms. */
const SPEED = 200;
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

interface Heard {
  at: number;
  event: EventEnvelope;
}

/** A cloud with the fixture player deployed, hearing every event on the Serverlesspresso bus. */
async function cloudWithPlayer(name: string, options: { eventsRequestSizeLimit?: number } = {}) {
  const cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {}, ...options });
  const app = playerWithArchive(name, fixtureFile);
  const stack = await cloud.stacks.deploy({
    path: app.dir,
    stackName: 'player',
    parameterOverrides: { CreateBus: 'true' },
  });
  const heard: Heard[] = [];
  cloud.events.archive.subscribe(
    ({ bus, event }) => void (bus === 'Serverlesspresso' && heard.push({ at: Date.now(), event })),
  );
  const sfn = new SFNClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
  const stateMachineArn = stack.outputs.EventPlayerStateMachineArn!;

  /** Starts a replay, waits for its end, and returns what it did. */
  async function play(input: unknown, arn = stateMachineArn) {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }),
    );
    await cloud.states.engine.waitForExecution(executionArn!);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      history.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    return {
      execution,
      output: execution.output ? (JSON.parse(execution.output) as Record<string, unknown>) : undefined,
      history,
      // The replay's own events: the marker says which.
      played: heard.filter((h) => h.event.resources.includes(executionArn!)),
    };
  }

  return {
    cloud,
    stack,
    sfn,
    stateMachineArn,
    play,
    async close() {
      sfn.destroy();
      await cloud.close();
      app.remove();
    },
  };
}

/** The detail a replay puts: the recorded one, with the replay's execution. */
const marked = (event: { detail: Record<string, unknown> }, execution: string) => ({
  ...event.detail,
  replay: execution,
});

/** The waits the state machine made, as the history records them. */
function waits(history: HistoryEvent[]) {
  return history
    .filter((e) => e.type === 'WaitStateEntered')
    .map((entered) => {
      const exited = history.find((e) => e.type === 'WaitStateExited' && e.previousEventId === entered.id)!;
      return {
        seconds: (JSON.parse(entered.stateEnteredEventDetails!.input!) as { waitSeconds: number }).waitSeconds,
        realMs: exited.timestamp!.getTime() - entered.timestamp!.getTime(),
      };
    });
}

/** The waits the archive asks for at this speed. */
function expectedWaits(options: ReplayOptions): number[] {
  const out: number[] = [];
  for (let cursor = 0; ;) {
    const m = momentAt(fixture, cursor, options, { bus: 'Serverlesspresso' });
    if (m.done) return out;
    out.push(m.waitSeconds);
    cursor = m.next;
  }
}

describe('the EventPlayer on the local cloud', () => {
  let player: Awaited<ReturnType<typeof cloudWithPlayer>>;
  beforeAll(async () => {
    player = await cloudWithPlayer('fixture');
  });
  afterAll(async () => player.close());

  it('replays the archive in order, with the gaps in proportion, from the console default input', async () => {
    const { execution, output, history, played } = await player.play({ Comment: 'Insert your JSON here' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(output).toEqual({ events: 34, sent: 34, failed: 0, speed: 1 });

    expect(played.map((h) => [h.event['detail-type'], h.event.detail])).toEqual(
      fixture.events.map((e) => [e.event['detail-type'], marked(e.event, execution.executionArn!)]),
    );
    for (const { event } of played) expect(validateEvent(event).errors).toEqual([]);

    // The state machine waited exactly the recorded gaps (whole seconds), each for at least its scaled time.
    const made = waits(history);
    expect(made.map((w) => w.seconds)).toEqual(expectedWaits({ speed: 1 }));
    for (const w of made) expect(w.realMs).toBeGreaterThanOrEqual((w.seconds * 1000) / SPEED - 1);

    // On the bus: no event before its recorded offset, scaled. How late it may be is latency, which a
    // loaded machine stretches: bench/replay.bench.ts measures it, the waits above are the schedule.
    const t0 = played[0]!.at;
    played.forEach((h, i) => {
      const scheduled = (replaySecond(fixture.events[i]!.offsetMs, 1) * 1000) / SPEED;
      expect(h.at - t0).toBeGreaterThanOrEqual(scheduled - 2);
    });
    // The long quiet spell (the timed-out order, 150 s after the last event) dwarfs the sub-second gaps.
    const last = played.length - 1;
    expect(played[last]!.at - played[last - 3]!.at).toBeGreaterThanOrEqual((150 * 1000) / SPEED - 2);
  });

  it('marks every replayed event with the player and the replay: in resources, and in the detail', async () => {
    const { execution, played } = await player.play({ speed: 1000 });
    expect(played).toHaveLength(34);
    for (const { event } of played) {
      expect(event.resources).toEqual([player.stateMachineArn, execution.executionArn]);
      expect(event.detail.replay).toBe(execution.executionArn);
    }
  });

  it('divides the gaps by speed and replays as another tenant', async () => {
    const { output, history, played } = await player.play({ speed: 5, eventId: 'REPLAY' });
    expect(output).toEqual({ events: 34, sent: 34, failed: 0, speed: 5, eventId: 'REPLAY' });
    expect(waits(history).map((w) => w.seconds)).toEqual(expectedWaits({ speed: 5, eventId: 'REPLAY' }));
    expect(played).toHaveLength(34);
    for (const { event } of played) {
      expect(validateEvent(event).errors).toEqual([]);
      expect(event.detail.eventId).toBe('REPLAY');
    }
    expect(played.map((h) => h.event['detail-type'])).toEqual(
      fixture.events.map((e) => e.event['detail-type'].replace('OrderManager.OrderNYC-', 'OrderManager.OrderREPLAY-')),
    );
  });

  it('fails at once on bad input, saying which field and why, and puts nothing', async () => {
    const { execution, played } = await player.play({ speed: 0 });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('InvalidPlayerInput');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      errorType: 'InvalidPlayerInput',
      errorMessage: 'speed: must be a positive number (1 replays in real time, 10 ten times faster), got 0',
    });
    expect(played).toEqual([]);
  });

  it('deploys beside an existing bus without creating it', async () => {
    const beside = await player.cloud.stacks.deploy({ path: player.stack.templateFile, stackName: 'beside' });
    expect(player.stack.resources.filter((r) => r.type === 'AWS::Events::EventBus').map((r) => r.physicalId)).toEqual([
      'Serverlesspresso',
    ]);
    expect(beside.resources.some((r) => r.type === 'AWS::Events::EventBus')).toBe(false);
    expect(beside.outputs.EventBusName).toBe('Serverlesspresso');
    const { output, played } = await player.play({ speed: 1000 }, beside.outputs.EventPlayerStateMachineArn);
    expect(output).toMatchObject({ sent: 34, failed: 0 });
    expect(played).toHaveLength(34);
  });

  it('counts the events of a PutEvents call that fails as failed, after retries, and goes on', async () => {
    // Each entry's size as EventBridge counts it, with the markers (the same ARNs, and an execution
    // name as long, for a stack of the same name on another cloud).
    const execution = `${player.stateMachineArn.replace(':stateMachine:', ':execution:')}:${randomUUID()}`;
    const sizes: Array<{ size: number; count: number }> = [];
    for (let cursor = 0; cursor < fixture.events.length;) {
      const m = momentAt(fixture, cursor, { speed: 1000 }, { bus: 'Serverlesspresso', execution });
      if (m.done) break;
      const size = m.entries.reduce(
        (sum, e) =>
          sum +
          Buffer.byteLength(e.Source) +
          Buffer.byteLength(e.DetailType) +
          Buffer.byteLength(JSON.stringify(e.Detail)) +
          player.stateMachineArn.length +
          execution.length,
        0,
      );
      sizes.push({ size, count: m.entries.length });
      cursor = m.next;
    }
    // A request size limit that only the biggest moment exceeds.
    const biggest = sizes.reduce((a, b) => (b.size > a.size ? b : a));
    const limit = Math.max(...sizes.filter((s) => s !== biggest).map((s) => s.size)) + 1;
    expect(biggest.size).toBeGreaterThan(limit);

    const small = await cloudWithPlayer('small-limit', { eventsRequestSizeLimit: limit });
    try {
      expect(small.stateMachineArn).toBe(player.stateMachineArn);
      const { execution, output, history, played } = await small.play({ speed: 1000 });
      expect(execution.status).toBe('SUCCEEDED');
      expect(output).toEqual({ events: 34, sent: 34 - biggest.count, failed: biggest.count, speed: 1000 });
      expect(played).toHaveLength(34 - biggest.count);
      const failures = history.filter((e) => e.type === 'TaskFailed');
      expect(failures).toHaveLength(3);
      expect(failures[0]!.taskFailedEventDetails).toMatchObject({
        error: 'EventBridge.ValidationException',
        cause: expect.stringContaining('Total size of the entries in the request is over the limit'),
      });
    } finally {
      await small.close();
    }
  });
});

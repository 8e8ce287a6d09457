// The recorder: runs the core and the OrderRobot extension on the local cloud at a high speed with
// simulated customers, baristas and an admin through the core's routes, and a robot run through the
// bus (session.ts), for a session of 15 minutes (or shorter, for a quick recording); captures every
// envelope the bus accepts with the session time it arrived at, and makes the archive the player
// replays. `npm run record` (main.ts) writes it to archive/session.json; a test records a short one.
import { validateEvent } from '@serverlesspresso/catalog';
import type { EventEnvelope } from '@serverlesspresso/local';
import { startCore, BUS } from '@serverlesspresso/core/harness';
import { archiveProblems, type ArchivedEvent, type SessionArchive } from '../src/archive.js';
import { planSession, robotOrderIds, runSession, seeded, warmUp, type SessionOutcome } from './session.js';

const ROBOT_DIR = new URL('../../../extensions/OrderRobot/', import.meta.url).pathname;
const MINUTE = 60_000;

export interface RecordOptions {
  /** The local cloud's time scale: session time runs this many times faster than real time. */
  speed: number;
  /** Who comes when and what they do, the robots' drinks and cancellations. */
  seed: number;
  /** The session's length in simulated minutes (default 15, the archive's); at least 1. */
  minutes?: number;
  log?: (line: string) => void;
}

/** m:ss of a session time. */
const clock = (ms: number) => `${Math.floor(ms / MINUTE)}:${String(Math.round((ms % MINUTE) / 1000)).padStart(2, '0')}`;

/** Records a session; rejects when the core puts an event the contract refuses, or the result is not a replayable archive. */
export async function record(options: RecordOptions): Promise<{ archive: SessionArchive; outcome: SessionOutcome }> {
  const { speed, seed, minutes = 15, log = () => {} } = options;
  if (!(speed > 0)) throw new Error(`speed must be a positive number, got ${speed}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!(minutes >= 1)) throw new Error(`minutes must be at least 1, got ${minutes}`);
  const random = seeded(seed);
  const plan = planSession(seed, random, minutes * MINUTE);
  log(
    `recording a ${minutes}-minute session (${plan.customers.length + 1} customers, robots ${JSON.stringify(plan.robots.input)}) at speed ${speed}, seed ${seed} ...`,
  );
  const core = await startCore({ speed });
  const captured: Array<{ at: number; event: EventEnvelope }> = [];
  const stop = core.cloud.events.archive.subscribe(
    ({ bus, event }) => void (bus === BUS && captured.push({ at: performance.now(), event })),
  );
  try {
    // The robot beside the core, as `presso up` deploys it: its own stack, on the core's bus.
    const robot = await core.cloud.stacks.deploy({ path: ROBOT_DIR, stackName: 'order-robot' });
    const robotStateMachineArn = robot.outputs.OrderRobotStateMachineArn;
    if (!robotStateMachineArn)
      throw new Error(`the OrderRobot stack has no OrderRobotStateMachineArn output: ${JSON.stringify(robot.outputs)}`);
    await warmUp(core);
    captured.length = 0;
    const started = performance.now();
    const outcome = await runSession(core, plan, random, { robotStateMachineArn, started });
    stop();
    // Real time since the start, times speed: the session time each event was put at.
    const events: ArchivedEvent[] = captured.map(({ at, event }) => ({
      offsetMs: Math.round((at - started) * speed),
      event,
    }));
    const invalid = events.filter(({ event }) => !validateEvent(event).valid);
    if (invalid.length > 0) {
      throw new Error(
        `the core put ${invalid.length} events the contract refuses:\n${invalid.map(({ event }) => `  ${event['detail-type']}: ${JSON.stringify(validateEvent(event).errors)}`).join('\n')}`,
      );
    }
    // People's orders and the robot's, told apart by the robot's user in Validator.NewOrder.
    const robotOrders = new Set(robotOrderIds(events.map((e) => e.event)));
    const count = (detailType: RegExp, robots = false) =>
      events.filter(
        (e) => detailType.test(e.event['detail-type']) && robotOrders.has(String(e.event.detail.orderId)) === robots,
      ).length;
    const counts = Object.fromEntries(
      [...new Set(events.map((e) => e.event['detail-type']))]
        .sort()
        .map((t) => [t, events.filter((e) => e.event['detail-type'] === t).length]),
    );
    const refusedScans = Object.values(outcome.scans.refused).reduce((a, b) => a + b, 0);
    const durationMs = Math.max(plan.durationMs, Math.ceil((events.at(-1)?.offsetMs ?? 0) / 1000) * 1000);
    const archive: SessionArchive = {
      description:
        `A session at the NYC bar, recorded from the core and the OrderRobot extension on the local cloud (extensibility/EventPlayer/recorder): ` +
        `${outcome.customers} people through the core's routes, ${count(/^Validator\.NewOrder$/)} orders (${count(/-COMPLETED$/)} completed, ${count(/-CANCELLED$/)} cancelled ` +
        `of which ${count(/^OrderProcessor\.OrderTimeOut$/)} timed out, ${count(/^OrderProcessor\.ShopUnavailable$/)} refused by the workflow at capacity), ` +
        `${refusedScans} scans refused before any order existed (store closed, at capacity), ` +
        `two baristas, a rush at minute ${Math.round(plan.rush.at / MINUTE)}, the store closed from ${clock(plan.closed[0])} to ${clock(plan.closed[1])}; ` +
        `and ${robotOrders.size} robot orders through the bus, one a minute from ${clock(plan.robots.startsAt)} (${count(/-COMPLETED$/, true)} completed and ${count(/-CANCELLED$/, true)} cancelled by the robot barista, ` +
        `${count(/^OrderProcessor\.ShopUnavailable$/, true)} refused by the workflow). offsetMs is session time; ` +
        `each envelope's time is the recording's wall clock, which ran ${speed} times faster.`,
      durationMs,
      recording: {
        recordedAt: new Date().toISOString(),
        speed,
        seed,
        minutes,
        counts,
        scans: outcome.scans,
        robots: plan.robots.input,
      },
      events,
    };
    const problems = archiveProblems(archive);
    if (problems.length > 0) throw new Error(`the recording is not a replayable archive:\n  ${problems.join('\n  ')}`);
    return { archive, outcome };
  } catch (e) {
    log(core.logs.slice(-40).join('\n'));
    throw e;
  } finally {
    stop();
    await core.close();
  }
}

/** The archive as archive/session.json holds it: one event per line, so the file stays readable and its diffs small. */
export function archiveText(archive: SessionArchive): string {
  const { events, ...header } = archive;
  return JSON.stringify(header, null, 2).replace(
    /\n}$/,
    `,\n  "events": [\n${events.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]\n}\n`,
  );
}

// The recorded session (archive/session.json): a replayable archive of contract events that tells the
// story the player promises, replayed whole from the real app folder on the local cloud.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { contractEntryFor, validateEvent } from '@serverlesspresso/catalog';
import { appAt, scanApp } from '@serverlesspresso/catalog/bus';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '@serverlesspresso/local';
import { archiveProblems, checkedArchive } from '../src/archive.js';
import { robotOrderIds, ROBOT_USER } from '../recorder/session.js';
import { momentAt } from '../src/replay.js';
import { playerDir } from './app.js';

const session = checkedArchive(JSON.parse(readFileSync(new URL('../archive/session.json', import.meta.url), 'utf8')));
const events = session.events.map((e) => e.event);
const ofType = (detailType: string) => events.filter((e) => e['detail-type'] === detailType);
const robotOrders = new Set(robotOrderIds(events));
/** Each order's detail-types, in the order the bus accepted them. */
const stories = new Map<string, string[]>();
for (const e of events)
  if (typeof e.detail.orderId === 'string')
    stories.set(e.detail.orderId, [...(stories.get(e.detail.orderId) ?? []), e['detail-type']]);

describe('the recorded session', () => {
  it('is a replayable archive in which every event validates against the contract', () => {
    expect(archiveProblems(session)).toEqual([]);
    for (const event of events)
      expect({ type: event['detail-type'], errors: validateEvent(event).errors }).toEqual({
        type: event['detail-type'],
        errors: [],
      });
  });

  it('is about 15 minutes at one bar with a few dozen orders: completed, cancelled, timed out, refused, the store briefly closed', () => {
    expect(session.durationMs).toBeGreaterThanOrEqual(15 * 60_000);
    expect(session.durationMs).toBeLessThan(17 * 60_000);
    expect(new Set(events.map((e) => e.detail.eventId ?? (e.detail.bucket as { eventId: string }).eventId))).toEqual(
      new Set(['NYC']),
    );
    expect(ofType('Validator.NewOrder').length).toBeGreaterThanOrEqual(24);
    expect(ofType('OrderManager.OrderNYC-COMPLETED').length).toBeGreaterThanOrEqual(12);
    const cancelled = ofType('OrderManager.OrderNYC-CANCELLED').map((e) =>
      e.detail.reason === 'timeout' ? `timeout:${String(e.detail.timeoutCause)}` : e.detail.reason,
    );
    expect(new Set(cancelled)).toEqual(new Set(['customer', 'barista', 'timeout:customer', 'timeout:barista']));
    expect(ofType('OrderProcessor.ShopUnavailable').length).toBeGreaterThan(0);
    expect(ofType('ConfigService.ConfigChanged').map((e) => e.detail.storeOpen)).toEqual([true, false, true]);
  });

  it("holds every event the recorded apps put, the robots' too", () => {
    // The core's and the OrderRobot's, as their templates declare them; what other extensions put
    // (WaitTimes, LoyaltyCard...) they derive from these, deployed beside the player.
    const root = new URL('../../../', import.meta.url).pathname;
    const recordedApps = ['core', 'extensions/OrderRobot'].map((dir) => scanApp(appAt(`${root}${dir}`, root)));
    const produced = new Set(
      recordedApps.flatMap((scan) => scan.producers.flatMap((p) => p.entries.map((e) => e.name))),
    );
    expect([...produced]).toEqual(
      expect.arrayContaining([
        'Validator.NewOrder',
        'OrderManager.Order-COMPLETED',
        'OrderRobot.FulfillOrder',
        'ProducerRobot.FulfillOrder',
      ]),
    );
    // Only faults put OrderProcessor.OrderFailed (a workflow that failed for good): none happened while
    // the session was recorded, as none should in a bar that works.
    const ofFaults = new Set(['OrderProcessor.OrderFailed']);
    expect(new Set(events.map((e) => contractEntryFor(e['detail-type'])?.name))).toEqual(
      new Set([...produced].filter((name) => !ofFaults.has(name))),
    );
  });

  it('has robot customers through the bus beside the people: served by the robot barista, the store and the queue refusing them as anyone', () => {
    // One a minute for twelve minutes, each with the drink its customer ordered 5 seconds after the scan.
    expect(robotOrders.size).toBe(12);
    for (const orderId of robotOrders)
      expect(stories.get(orderId)!.filter((t) => t === 'ProducerRobot.FulfillOrder')).toHaveLength(1);
    const ended = (orderId: string) =>
      stories.get(orderId)!.find((t) => /-(COMPLETED|CANCELLED)$|ShopUnavailable$/.test(t));
    const served = [...robotOrders].filter((id) => ended(id) !== 'OrderProcessor.ShopUnavailable');
    expect(served.length).toBeGreaterThanOrEqual(6);
    for (const orderId of served) {
      // Queued as a robot's order, answered by the robot barista, without a person's claim (MakeOrder).
      const queued = events.find(
        (e) => e.detail.orderId === orderId && e['detail-type'] === 'OrderManager.WaitingCompletion',
      )!;
      expect(queued.detail).toMatchObject({ robot: true, userId: ROBOT_USER });
      expect(stories.get(orderId)!.filter((t) => t === 'OrderRobot.FulfillOrder')).toHaveLength(1);
      expect(stories.get(orderId)).not.toContain('OrderManager.MakeOrder');
      const answer = events.find((e) => e.detail.orderId === orderId && e['detail-type'] === 'OrderRobot.FulfillOrder')!
        .detail.action;
      expect(ended(orderId)).toBe(
        answer === 'complete' ? 'OrderManager.OrderNYC-COMPLETED' : 'OrderManager.OrderNYC-CANCELLED',
      );
    }
    expect(new Set(ofType('OrderRobot.FulfillOrder').map((e) => e.detail.action))).toEqual(
      new Set(['complete', 'cancel']),
    );
    // The robot at 7:00 found the store closed.
    const refused = ofType('OrderProcessor.ShopUnavailable').filter((e) => robotOrders.has(String(e.detail.orderId)));
    expect(refused.map((e) => e.detail.reason)).toContain('STORE_CLOSED');

    // The people's orders are theirs: no robot event, never marked robot.
    const people = [...stories.keys()].filter((id) => !robotOrders.has(id));
    expect(people.length).toBeGreaterThanOrEqual(24);
    for (const orderId of people) expect(stories.get(orderId)!.filter((t) => /Robot\./.test(t))).toEqual([]);
    expect(
      ofType('OrderManager.WaitingCompletion')
        .filter((e) => e.detail.robot === true)
        .map((e) => e.detail.orderId)
        .sort(),
    ).toEqual(served.sort());
  });
});

describe('replaying it from the app folder', () => {
  let cloud: LocalCloud;
  let sfn: SFNClient;
  const heard: EventEnvelope[] = [];
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
    cloud.events.archive.subscribe(({ bus, event }) => void (bus === 'Serverlesspresso' && heard.push(event)));
    sfn = new SFNClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    sfn.destroy();
    await cloud.close();
  });

  it("puts every event in order, within Step Functions' history limit", async () => {
    const stack = await cloud.stacks.deploy({
      path: playerDir,
      stackName: 'EventPlayer',
      parameterOverrides: { CreateBus: 'true' },
    });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stack.outputs.EventPlayerStateMachineArn, input: '{}' }),
    );
    await cloud.states.engine.waitForExecution(executionArn!);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(execution.output!)).toEqual({ events: events.length, sent: events.length, failed: 0, speed: 1 });
    // As recorded, apart from the marker.
    expect(heard.map((e) => [e['detail-type'], e.detail])).toEqual(
      events.map((e) => [e['detail-type'], { ...e.detail, replay: executionArn }]),
    );

    let moments = 0;
    for (let cursor = 0; cursor < events.length; moments++)
      cursor = (momentAt(session, cursor, { speed: 1 }, { bus: 'Serverlesspresso' }) as { next: number }).next;
    let historyEvents = 0;
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      historyEvents += page.events!.length;
      nextToken = page.nextToken;
    } while (nextToken);
    // 14 per moment, as archive.ts counts them for its limit, and 13 for the start and the end.
    expect(historyEvents).toBe(14 * moments + 13);
    expect(historyEvents).toBeLessThan(25_000);
  });
});

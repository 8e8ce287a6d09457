// The robot beside the EventPlayer: a replayed session with a robot order in it (its scan, its drink,
// the queue, the robot barista's answer) is history. The robot barista's rule leaves replays out, so
// it serves nothing and writes nothing, whatever the replay holds; and were such an order put live,
// it is not the robot's own, so the barista would decline it. (The recorded session itself has no
// robot orders: the archive here is made from the contract's examples.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BUS_NAME, contract, validateEvent, type EventEnvelope } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { playerWithArchive } from '@serverlesspresso/event-player/test-app';
import { ROBOT_BARISTA, ROBOT_USER } from '../src/schedule.js';
import { clientConfig, extensionDir, runToEnd, settledExecutions, tapBus, type BusTap } from './cloud.js';

const SPEED = 100;
const ORDER = 'b3f1c6d2-8a4e-4c1b-9f2d-5e7a8c9d0e1f';

/** A robot order's whole story, from the contract's examples, as a recorded session. */
function robotSession(): {
  description: string;
  durationMs: number;
  events: { offsetMs: number; event: EventEnvelope }[];
} {
  const example = (name: string) => structuredClone(contract.find((e) => e.name === name)!.example as EventEnvelope);
  const story: [number, string, Record<string, unknown>][] = [
    [0, 'Validator.NewOrder', { userId: ROBOT_USER }],
    [400, 'OrderProcessor.WorkflowStarted', { userId: ROBOT_USER }],
    [5_000, 'ProducerRobot.FulfillOrder', {}],
    [5_600, 'OrderProcessor.WaitingCompletion', { userId: ROBOT_USER }],
    [5_700, 'OrderManager.WaitingCompletion', { robot: true, userId: ROBOT_USER }],
    [15_700, 'OrderRobot.FulfillOrder', { baristaUserId: ROBOT_BARISTA, action: 'complete' }],
    [15_900, 'OrderManager.Order-COMPLETED', { userId: ROBOT_USER }],
    [16_000, 'OrderProcessor.orderFinished', { userId: ROBOT_USER }],
  ];
  const events = story.map(([offsetMs, name, detail]) => {
    const event = example(name);
    event.detail = { ...event.detail, ...detail, orderId: ORDER };
    return { offsetMs, event };
  });
  return { description: 'TEST: one robot order, from the contract examples', durationMs: 16_000, events };
}

let cloud: LocalCloud;
let sfn: SFNClient;
let eb: EventBridgeClient;
let db: DynamoDBDocumentClient;
let player: StackRecord;
let robot: StackRecord;
let tap: BusTap;
let app: ReturnType<typeof playerWithArchive>;

beforeAll(async () => {
  const archive = `${extensionDir}.aws-sam/robot-session.json`;
  mkdirSync(`${extensionDir}.aws-sam`, { recursive: true });
  writeFileSync(archive, JSON.stringify(robotSession()));
  app = playerWithArchive('order-robot-session', archive);
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {} });
  sfn = new SFNClient(clientConfig(cloud));
  eb = new EventBridgeClient(clientConfig(cloud));
  db = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(cloud)));
  tap = tapBus(cloud, BUS_NAME);
  player = await cloud.stacks.deploy({ path: app.dir, stackName: 'player', parameterOverrides: { CreateBus: 'true' } });
  robot = await cloud.stacks.deploy({ path: extensionDir, stackName: 'order-robot' });
}, 120_000);

afterAll(async () => {
  tap?.close();
  sfn?.destroy();
  eb?.destroy();
  db?.destroy();
  await cloud?.close();
  app?.remove();
});

describe('the robot beside the EventPlayer', () => {
  it('serves no replayed order: its rule leaves the replay out, nothing starts, nothing is written', async () => {
    const replay = await runToEnd(sfn, player.outputs.EventPlayerStateMachineArn!, { speed: 1 });
    expect(replay.status).toBe('SUCCEEDED');
    expect(JSON.parse(replay.output!)).toMatchObject({ events: 8, sent: 8, failed: 0 });
    const replayed = tap.events.filter((t) => t.event.detail.replay === replay.executionArn);
    expect(replayed).toHaveLength(8);
    for (const { event } of replayed) expect(validateEvent(event)).toMatchObject({ valid: true, errors: [] });
    const queued = replayed.find((t) => t.event['detail-type'] === 'OrderManager.WaitingCompletion')!.event;
    expect(queued.detail).toMatchObject({ robot: true, orderId: ORDER });

    // The bus matches rules as it accepts events, so once the replay has ended its events are judged.
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }));
    const rule = Rules!.find((r) => r.Name!.includes('RobotOrderQueued'))!;
    expect(cloud.events.counters.rule(rule.Arn!).matched).toBe(0);
    expect(
      (await sfn.send(new ListExecutionsCommand({ stateMachineArn: robot.outputs.BaristaBotStateMachineArn })))
        .executions,
    ).toEqual([]);

    // The same event live (no replay marker) is one the rule takes: the barista starts, finds the
    // order is not the robot's own, and ends there.
    const { replay: _marker, ...live } = queued.detail;
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS_NAME,
            Source: queued.source,
            DetailType: queued['detail-type'],
            Detail: JSON.stringify(live),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(cloud.events.counters.rule(rule.Arn!).matched).toBe(1);
    const baristas = await settledExecutions(sfn, robot.outputs.BaristaBotStateMachineArn!, 1);
    const [declined] = baristas.get('SUCCEEDED')!;
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: declined }))).events!;
    expect(history.some((e) => e.stateEnteredEventDetails?.name === 'Not for the robot')).toBe(true);

    expect((await db.send(new ScanCommand({ TableName: robot.outputs.RobotOrdersTableName! }))).Items).toEqual([]);
    expect(tap.events.filter((t) => t.event.detail.replay === undefined).map((t) => t.event['detail-type'])).toEqual([
      'OrderManager.WaitingCompletion',
    ]);
  });
});

// The robot deployed on the local cloud from its own template, alone on the bus: a run sends its
// customers at the configured rate with contract-valid events, and the robot barista answers the
// core's OrderManager.WaitingCompletion (put here with the SDK, as the core puts it) for the robot's
// own orders only. test/with-core.test.ts drives whole orders through the core.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeStateMachineCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BUS_NAME, contract, validateEvent, type EventEnvelope } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { runOptions } from '../src/options.js';
import { arrivalSecond, customerOf, MINUTE_SECONDS, ROBOT_BARISTA, ROBOT_USER } from '../src/schedule.js';
import { until } from '@serverlesspresso/testing';
import { clientConfig, extensionDir, runToEnd, settledExecutions, tapBus, type BusTap } from './cloud.js';

/** One machine minute is one real second. */
const SPEED = 60;
/** A scaled wait may end up to a millisecond early (timer rounding); the lower bounds allow for it. */
const SLACK_MS = 2;
const ms = (machineSeconds: number) => (machineSeconds * 1000) / SPEED;

let cloud: LocalCloud;
let eb: EventBridgeClient;
let sfn: SFNClient;
let db: DynamoDBDocumentClient;
let stack: StackRecord;
let tap: BusTap;

const waitingCompletion = contract.find((e) => e.name === 'OrderManager.WaitingCompletion')!.example as EventEnvelope;

/** OrderManager.WaitingCompletion as the core puts it when an order enters the barista queue. */
const queued = (orderId: string, eventId: string, orderNumber: string, robot = true) => ({
  EventBusName: BUS_NAME,
  Source: waitingCompletion.source,
  DetailType: 'OrderManager.WaitingCompletion',
  Detail: JSON.stringify({
    ...waitingCompletion.detail,
    orderId,
    eventId,
    orderNumber,
    state: `${eventId}-CREATED`,
    robot,
    userId: ROBOT_USER,
    TS: Date.now(),
  }),
});

/** The ARNs of every rule on the bus, sorted. */
const rulesOnBus = async () =>
  ((await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }))).Rules ?? []).map((r) => r.Arn!).sort();

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {} });
  const config = clientConfig(cloud);
  eb = new EventBridgeClient(config);
  sfn = new SFNClient(config);
  db = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  await eb.send(new CreateEventBusCommand({ Name: BUS_NAME })); // the core's (or the player's) bus
  stack = await cloud.stacks.deploy({ path: extensionDir, stackName: 'order-robot' });
  tap = tapBus(cloud, BUS_NAME);
}, 120_000);

afterAll(async () => {
  tap?.close();
  eb?.destroy();
  sfn?.destroy();
  db?.destroy();
  await cloud?.close();
});

describe('a run of the order bot', () => {
  const input = {
    eventId: 'ROBOTS',
    orders: 12,
    ordersPerMinute: 6,
    customerDelaySeconds: 5,
    baristaDelaySeconds: 30,
    cancelRatio: 0.5,
    seed: 'robot-test',
  };
  // One run, which both tests read: what it sent, and how its barista answers the queue.
  let run: string;
  let started: number;
  let execution: Awaited<ReturnType<typeof runToEnd>>;
  let customers: Awaited<ReturnType<typeof settledExecutions>>;
  beforeAll(async () => {
    started = Date.now();
    execution = await runToEnd(sfn, stack.outputs.OrderRobotStateMachineArn!, input);
    run = execution.executionArn!;
    // The run ends once it has started its customers; each notes its order for the barista as it goes.
    customers = await settledExecutions(sfn, stack.outputs.CustomerStateMachineArn!, 12);
  }, 120_000);

  it('sends its customers at the configured rate: each scans, then orders its drink, in events of the contract', async () => {
    expect(execution.status).toBe('SUCCEEDED');
    // 12 customers, one every 10 seconds: two minutes of 6.
    expect(JSON.parse(execution.output!)).toMatchObject({
      eventId: 'ROBOTS',
      orders: 12,
      ordersPerMinute: 6,
      minutes: 2,
      sent: 12,
      cancelRatio: 0.5,
    });
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: run, maxResults: 1000 }))).events!;
    const minutes = history.filter(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === "Send the minute's customers",
    );
    expect(minutes.map((e) => JSON.parse(e.stateExitedEventDetails!.output!) as { started: number })).toMatchObject([
      { minute: 0, started: 6 },
      { minute: 1, started: 6 },
    ]);
    // 9 history events a minute and 4 more: the 24 hours a run may last (LIMITS.minutes) take 12,964 of the 25,000 an execution may have.
    expect(history).toHaveLength(9 * 2 + 4);

    expect(customers.get('SUCCEEDED')).toHaveLength(12);

    // What each customer was to do: the run's plan, from its own seed.
    const options = runOptions(input, run);
    const plan = Array.from({ length: 12 }, (_, n) => customerOf(options, run, n));
    const scans = tap.of('Validator.NewOrder');
    const drinks = tap.of('ProducerRobot.FulfillOrder');
    expect(scans).toHaveLength(12);
    expect(drinks).toHaveLength(12);
    for (const { event } of [...scans, ...drinks])
      expect(validateEvent(event)).toMatchObject({ valid: true, errors: [] });

    for (const [n, customer] of plan.entries()) {
      const scan = scans.find((t) => t.event.detail.orderId === customer.orderId);
      const drink = drinks.find((t) => t.event.detail.orderId === customer.orderId);
      expect(scan?.event.detail).toMatchObject({
        userId: ROBOT_USER,
        eventId: 'ROBOTS',
        bucket: { eventId: 'ROBOTS' },
      });
      expect(drink?.event.detail).toMatchObject({
        eventId: 'ROBOTS',
        action: '',
        baristaUserId: ROBOT_BARISTA,
        body: { drink: customer.drink, icon: customer.icon, modifiers: [], userId: ROBOT_USER },
      });
      // Never early, so never faster than the rate: customer n scans at its second of the run (the
      // twelfth at 110 s), and orders customerDelaySeconds later.
      expect(scan!.at - started).toBeGreaterThanOrEqual(ms(arrivalSecond(n, 6)) - SLACK_MS);
      expect(drink!.at - scan!.at).toBeGreaterThanOrEqual(ms(5) - SLACK_MS);
    }
    expect(arrivalSecond(11, 6)).toBe((11 * MINUTE_SECONDS) / 6);
    // Step Functions names the customer's state machine and execution in each event's resources.
    expect(scans[0]!.event.resources).toEqual([
      stack.outputs.CustomerStateMachineArn,
      expect.stringContaining(':execution:'),
    ]);

    // Each customer noted its order for the robot barista.
    const { Items } = await db.send(new ScanCommand({ TableName: stack.outputs.RobotOrdersTableName! }));
    expect(Items).toHaveLength(12);
    expect(Items).toEqual(
      expect.arrayContaining(
        plan.map((c) =>
          expect.objectContaining({
            orderId: c.orderId,
            eventId: 'ROBOTS',
            run,
            drink: c.drink,
            action: c.action,
            baristaDelaySeconds: 30,
          }),
        ),
      ),
    );
  });

  it("answers the queue of the robot's own orders, once each, after the barista delay; nobody else's", async () => {
    const options = runOptions(input, run);
    const plan = Array.from({ length: 12 }, (_, n) => customerOf(options, run, n));
    expect(new Set(plan.map((c) => c.action))).toEqual(new Set(['complete', 'cancel'])); // the seed gives both
    /** Puts the events; returns the time before the call, which precedes their delivery. */
    const put = async (entries: ReturnType<typeof queued>[]) => {
      const before = Date.now();
      const result = await eb.send(new PutEventsCommand({ Entries: entries }));
      expect(result.FailedEntryCount).toBe(0);
      return before;
    };
    const queuedAt = new Map<string, number>();
    for (let i = 0; i < plan.length; i += 10) {
      const batch = plan.slice(i, i + 10);
      const at = await put(batch.map((c) => queued(c.orderId, 'ROBOTS', String(100 + c.customer))));
      for (const c of batch) queuedAt.set(c.orderId, at);
    }
    await put([
      queued(plan[0]!.orderId, 'ROBOTS', '100'), // delivered again
      queued('5a3c8f20-0000-4000-8000-000000000001', 'ROBOTS', '200'), // another robot's order
      queued(plan[1]!.orderId, 'OTHER', '201'), // the same id at another event: not the robot's
      queued(plan[2]!.orderId, 'ROBOTS', '202', false), // a person's order: no barista at all
    ]);

    const baristas = await settledExecutions(sfn, stack.outputs.BaristaBotStateMachineArn!, 15);
    expect(baristas.get('SUCCEEDED')).toHaveLength(15);
    const answers = tap.of('OrderRobot.FulfillOrder');
    expect(answers).toHaveLength(12);
    for (const c of plan) {
      const answer = answers.filter((t) => t.event.detail.orderId === c.orderId);
      expect(answer).toHaveLength(1);
      expect(validateEvent(answer[0]!.event)).toMatchObject({ valid: true, errors: [] });
      expect(answer[0]!.event.detail).toEqual({
        orderId: c.orderId,
        eventId: 'ROBOTS',
        baristaUserId: ROBOT_BARISTA,
        action: c.action,
        Message: `The robot barista ${c.action === 'cancel' ? 'cancelled' : 'completed'} order ${100 + c.customer}.`,
      });
      expect(answer[0]!.at - queuedAt.get(c.orderId)!).toBeGreaterThanOrEqual(ms(30) - SLACK_MS);
    }
    // The three it declined ended at once, taking nothing.
    const declined = [];
    for (const arn of baristas.get('SUCCEEDED')!) {
      const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
      if (history.some((e) => e.stateEnteredEventDetails?.name === 'Not for the robot')) declined.push(arn);
    }
    expect(declined).toHaveLength(3);
  });
});

describe('the run input', () => {
  it("takes the original OrderRobot's input, {orders, eventId}, at the original's pace", async () => {
    const execution = await runToEnd(sfn, stack.outputs.OrderRobotStateMachineArn!, { orders: 3, eventId: 'ABC' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toMatchObject({
      eventId: 'ABC',
      orders: 3,
      ordersPerMinute: 12,
      customerDelaySeconds: 5,
      minutes: 1,
      sent: 3,
    });
    await until(
      'the three ABC customers to order their drinks',
      () => tap.of('ProducerRobot.FulfillOrder').filter((t) => t.event.detail.eventId === 'ABC').length === 3,
      { ms: 20_000 },
    );
  });

  it('fails a run with bad input at once, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ orders: 0 }, 'orders: must be a whole number from 1'],
      [
        { drinks: ['Mocha'] },
        'drinks: "Mocha" is not a drink the robots order (the robots order from the original menu: Espresso, James Soda, Bens Brew, Flat White, Americano, Caffe Latte)',
      ],
      [{ eventId: 'NYC-1' }, 'eventId: must be 1 to 40 letters, digits or underscores'],
      [{ order: 5 }, '"order": not a field of the robot\'s input'],
    ];
    for (const [bad, cause] of cases) {
      const execution = await runToEnd(sfn, stack.outputs.OrderRobotStateMachineArn!, bad);
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidRobotInput' });
      expect(execution.cause).toContain(cause);
    }
  });
});

describe('the stack', () => {
  it('deletes alone: a copy of it deploys, then its table, state machines and rule go with it, the robot stays', async () => {
    const machines = ['OrderRobotStateMachineArn', 'CustomerStateMachineArn', 'BaristaBotStateMachineArn'];
    const before = await rulesOnBus();
    // Another copy of the robot, so that this test deletes no stack the other tests use.
    const copy = await cloud.stacks.deploy({ path: extensionDir, stackName: `${stack.name}-deleted` });
    const copyRules = (await rulesOnBus()).filter((arn) => !before.includes(arn));
    expect(copyRules.length).toBeGreaterThan(0);
    expect(copyRules.every((arn) => arn.includes(`/${copy.name}-`))).toBe(true);
    expect(copy.outputs.RobotOrdersTableName).not.toBe(stack.outputs.RobotOrdersTableName);
    for (const output of machines) expect(copy.outputs[output]).not.toBe(stack.outputs[output]);

    expect(await cloud.stacks.delete(copy.name)).toBe(true);
    await expect(
      db.send(new DescribeTableCommand({ TableName: copy.outputs.RobotOrdersTableName! })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    for (const output of machines) {
      await expect(
        sfn.send(new DescribeStateMachineCommand({ stateMachineArn: copy.outputs[output] })),
      ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
      await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: stack.outputs[output] }));
    }
    await db.send(new DescribeTableCommand({ TableName: stack.outputs.RobotOrdersTableName! }));
    expect(await rulesOnBus()).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((arn) => arn.includes(`/${stack.name}-`))).toBe(true);
    expect(cloud.stacks.list().map((s) => s.name)).toEqual([stack.name]);
  }, 60_000);
});

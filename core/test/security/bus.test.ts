// Trust on the bus by IAM, not by bodies (issue 14, item 2), as an attacker tries it against the
// running core on the local cloud (IAM enforced): a forged robot action on a customer's order, a
// forged Validator.NewOrder from an extension's role (IAM refuses the entry) and from an
// administrator on an event that takes no robot orders (no order), while robot orders still work on
// the seeded demo event.
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import {
  BUS,
  CORE_DIR,
  SOURCE,
  queuedOrder,
  scan,
  startCore,
  stored,
  type Core,
  type User,
} from '../integration/harness.js';

let core: Core;
let admin: User, barista: User, alice: User;

beforeAll(async () => {
  core = await startCore({ speed: 10 });
  [admin, barista, alice] = await Promise.all([
    core.user('ada', ['admin']),
    core.user('bart', ['NYC.barista']),
    core.user('alice'),
  ]);
}, 180_000);

afterAll(async () => {
  await core?.close();
});

const ROBOT_BARISTA = '2842daf6-2656-4690-ad3e-06e4efc9bfa1';
const orderOf = (orderId: string, user: User = barista) =>
  core.http<Record<string, unknown>>('GET', `/orders/${orderId}`, { user });
/** The order manager's log line for an event it refused (logged and dropped). */
const refusedLog = (orderId: string, text: string) =>
  until(`the refusal of ${orderId} logged`, () =>
    core.logs.find((l) => l.includes(`"orderId":"${orderId}"`) && l.includes(text)),
  );
/** The order processor's executions of an order, once all have ended. */
const executionsOf = (orderId: string) =>
  until(`the workflow of ${orderId} to end`, async () => {
    const { executions = [] } = await core.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: core.stack.outputs.OrderProcessorStateMachineArn }),
    );
    const described = await Promise.all(
      executions.map((x) => core.sfn.send(new DescribeExecutionCommand({ executionArn: x.executionArn }))),
    );
    const runs = described.filter((x) => x.input?.includes(`"${orderId}"`));
    return runs.length > 0 && runs.every((x) => x.status !== 'RUNNING') ? runs : undefined;
  });

describe("a forged robot action on a customer's order", () => {
  it('OrderRobot.FulfillOrder is refused (NOT_A_ROBOT_ORDER): the order stays in the queue', async () => {
    const orderId = await queuedOrder(core, admin, alice);
    for (const action of ['complete', 'cancel'])
      await core.put('OrderRobot.FulfillOrder', { orderId, eventId: 'NYC', baristaUserId: ROBOT_BARISTA, action });
    await until('both answers refused', () =>
      core.logs.filter((l) => l.includes(`"orderId":"${orderId}"`) && l.includes('refused: NOT_A_ROBOT_ORDER'))
        .length === 2
        ? true
        : undefined,
    );
    expect((await orderOf(orderId)).body).toMatchObject({ status: 'SUBMITTED' });
    expect(core.eventsOf(orderId).map((e) => e['detail-type'])).not.toContain('OrderManager.OrderNYC-COMPLETED');
    // A barista still completes it.
    expect((await core.http('POST', `/orders/${orderId}/complete`, { user: barista })).status).toBe(200);
  });

  it("ProducerRobot.FulfillOrder is refused: a robot's drink names user robot, and only on the robot's orders", async () => {
    const orderId = await scan(core, admin, alice);
    await stored(core, alice, orderId);
    const drink = (userId: string) => ({
      orderId,
      eventId: 'NYC',
      baristaUserId: ROBOT_BARISTA,
      action: '',
      body: { drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso', userId },
    });
    await core.put('ProducerRobot.FulfillOrder', drink(alice.sub));
    await refusedLog(orderId, "a robot's drink is for user robot's orders only");
    await core.put('ProducerRobot.FulfillOrder', drink('robot'));
    await refusedLog(orderId, 'refused: NOT_YOUR_ORDER');
    expect((await orderOf(orderId, alice)).body).toMatchObject({ status: 'CREATED' });
    expect((await orderOf(orderId, alice)).body).not.toHaveProperty('drinkOrder');
    await core.http('POST', `/orders/${orderId}/cancel`, { user: alice });
  });
});

describe("a forged Validator.NewOrder from an extension's role", () => {
  let events: EventBridgeClient;

  beforeAll(async () => {
    // LoyaltyCard: its publisher may put LoyaltyCard.RewardEarned, nothing else.
    await core.cloud.stacks.deploy({ path: join(CORE_DIR, '..', 'extensions', 'LoyaltyCard'), stackName: 'loyalty' });
    const [role] = core.cloud.iam.report('loyalty-PublishRewardFunctionRole');
    const roleName = role!.role.slice(role!.role.indexOf(':role/') + ':role/'.length);
    const credentials = core.cloud.iam.sessionCredentials(roleName, 'forger')!;
    events = new EventBridgeClient({
      endpoint: core.cloud.url,
      region: core.cloud.account.region,
      credentials,
      maxAttempts: 1,
    });
  }, 120_000);

  afterAll(() => events?.destroy());

  it('is refused by IAM entry by entry (NotAuthorizedForDetailTypeException); no workflow starts', async () => {
    const entry = (DetailType: string, detail: Record<string, unknown>) => ({
      EventBusName: BUS,
      Source: SOURCE,
      DetailType,
      Detail: JSON.stringify(detail),
    });
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry('Validator.NewOrder', {
            orderId: 'forged-by-extension',
            userId: 'robot',
            eventId: 'NYC',
            bucket: { eventId: 'NYC' },
            Message: 'forged',
          }),
          entry('OrderRobot.FulfillOrder', {
            orderId: 'forged-by-extension',
            eventId: 'NYC',
            baristaUserId: ROBOT_BARISTA,
            action: 'complete',
          }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    for (const [i, detailType] of ['Validator.NewOrder', 'OrderRobot.FulfillOrder'].entries()) {
      expect(out.Entries![i]).toEqual({
        ErrorCode: 'NotAuthorizedForDetailTypeException',
        ErrorMessage: expect.stringContaining(
          `with events:detail-type "${detailType}" because no identity-based policy allows that events:detail-type`,
        ),
      });
    }
    // Nothing reached the bus, so nothing acted on it.
    expect(core.eventsOf('forged-by-extension')).toEqual([]);
    expect(core.cloud.iam.report('loyalty-PublishRewardFunctionRole')[0]!.denied).toEqual([
      expect.objectContaining({ action: 'events:PutEvents', enforced: true }),
      expect.objectContaining({ action: 'events:PutEvents', enforced: true }),
    ]);
  });
});

describe('a Validator.NewOrder the validator did not admit, from an administrator', () => {
  it('on an event that takes no robot orders: no order, for a customer or for user robot', async () => {
    expect((await core.http('PATCH', '/events/REAL/config', { user: admin, body: { storeOpen: true } })).status).toBe(
      201,
    );
    // A new event takes no robot orders unless an admin allows them.
    expect(
      (await core.http<{ robotsAllowed?: boolean }>('GET', '/events/REAL/config', { user: admin })).body,
    ).toMatchObject({ robotsAllowed: false });
    for (const [orderId, userId] of [
      ['forged-customer', alice.sub],
      ['forged-robot', 'robot'],
    ] as const) {
      await core.put('Validator.NewOrder', {
        orderId,
        userId,
        eventId: 'REAL',
        bucket: { eventId: 'REAL' },
        Message: 'x',
      });
      const [run] = await executionsOf(orderId);
      expect(run).toMatchObject({ status: 'FAILED', error: 'OrderNotAdmitted' });
      expect(run!.cause).toContain('robotsAllowed');
      expect(core.eventsOf(orderId).map((e) => e['detail-type'])).toEqual(['Validator.NewOrder']);
      expect((await orderOf(orderId)).status).toBe(404);
    }
    // Nothing was reserved: a customer's scan still works there.
    const orderId = await scan(core, admin, alice, 'REAL');
    await stored(core, alice, orderId);
    await core.http('POST', `/orders/${orderId}/cancel`, { user: alice });
  });

  it("on a customer's behalf at the demo event (which takes robot orders): no order either", async () => {
    await core.put('Validator.NewOrder', {
      orderId: 'forged-at-demo',
      userId: alice.sub,
      eventId: 'NYC',
      bucket: { eventId: 'NYC' },
      Message: 'x',
    });
    const [run] = await executionsOf('forged-at-demo');
    expect(run).toMatchObject({ status: 'FAILED', error: 'OrderNotAdmitted' });
    expect((await orderOf('forged-at-demo')).status).toBe(404);
  });
});

describe('robot orders on the seeded demo event', () => {
  it('still run end to end: NewOrder as user robot, its drink, its barista completes it', async () => {
    const orderId = 'robot-at-demo';
    await core.put('Validator.NewOrder', { orderId, userId: 'robot', bucket: { eventId: 'NYC' }, Message: 'robot' });
    await core.event(
      'the robot order started',
      (e) => e['detail-type'] === 'OrderProcessor.WorkflowStarted' && e.detail.orderId === orderId,
    );
    await core.put('ProducerRobot.FulfillOrder', {
      orderId,
      eventId: 'NYC',
      baristaUserId: ROBOT_BARISTA,
      action: '',
      body: { drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso', userId: 'robot' },
    });
    await core.event(
      'the robot order queued',
      (e) => e['detail-type'] === 'OrderManager.WaitingCompletion' && e.detail.orderId === orderId,
    );
    await core.put('OrderRobot.FulfillOrder', {
      orderId,
      eventId: 'NYC',
      baristaUserId: ROBOT_BARISTA,
      action: 'complete',
    });
    const done = await core.event(
      'the robot order completed',
      (e) => e['detail-type'] === 'OrderManager.OrderNYC-COMPLETED' && e.detail.orderId === orderId,
    );
    expect(done.detail).toMatchObject({ userId: 'robot', baristaUserId: ROBOT_BARISTA });
    expect(core.invalid).toEqual([]);
  });
});

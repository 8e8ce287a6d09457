// Fault tests: every way an order's workflow can leave an order and its places behind, forced on the
// core deployed on the local cloud. A task that throws (the order counter is corrupted, so numbering
// fails for good), an execution stopped (StopExecution), a validator killed between its admission and
// its Validator.NewOrder (the admission made through the validator's own store functions, with nothing
// published). Each time: the order is FAILED for its customer, OrderProcessor.OrderFailed is on the
// bus, the places are back, and the customer can order again.
//
// At speed 60 the sweep's schedule (rate(1 minute)) runs every second; reservations are leased for 2 s.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeExecutionCommand, ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';
import { MESSAGES, eventOpenOrdersKey, userOpenOrdersKey } from '../../src/domain/index.js';
import { currentCode, scan, startCore, stored, type Core, type User } from '../integration/harness.js';

const SPEED = 60;
let core: Core;
let db: DynamoDBDocumentClient;
let admin: User, alice: User, bob: User, carol: User;
const FAULTY = 'FAULTY';

/** A table of the core stack by its logical id. */
const table = (logicalId: string): string => core.physicalId(logicalId);

beforeAll(async () => {
  core = await startCore({ speed: SPEED, parameterOverrides: { ReservationLeaseSeconds: '2' } });
  db = DynamoDBDocumentClient.from(core.dynamodb);
  [admin, alice, bob, carol] = await Promise.all([
    core.user('ada', ['admin']),
    core.user('alice'),
    core.user('bob'),
    core.user('carol'),
  ]);
}, 180_000);

afterAll(async () => {
  const invalid = core?.invalid ?? [];
  await core?.close();
  // Every event the core put, OrderFailed included, is an event of the contract.
  expect(invalid).toEqual([]);
});

const members = async (key: string): Promise<string[]> => {
  const { Item } = await db.send(new GetCommand({ TableName: table('CountersTable'), Key: { PK: key } }));
  const ids = Item?.orderIds as Set<string> | undefined;
  return ids ? [...ids] : [];
};

const failedEvent = (orderId: string, timeoutMs?: number) =>
  core.event(
    `OrderProcessor.OrderFailed of ${orderId}`,
    (e) => e['detail-type'] === 'OrderProcessor.OrderFailed' && e.detail.orderId === orderId,
    timeoutMs,
  );

/** The order as its customer reads it, once it is FAILED. */
const failedOrder = (user: User, orderId: string) =>
  until(`order ${orderId} to be FAILED`, async () => {
    const r = await core.http('GET', `/orders/${orderId}`, { user });
    return r.status === 200 && r.body.status === 'FAILED' ? r.body : undefined;
  });

/** The customer is admitted again at the event: their slot is back. */
async function ordersAgain(user: User, eventId: string): Promise<void> {
  const code = await currentCode(core, admin, eventId);
  const r = await core.http('POST', `/events/${eventId}/orders`, { user, body: { code } });
  expect([r.status, r.text]).toEqual([201, expect.any(String)]);
}

describe('no zombie order, no leaked place', () => {
  it('a task that throws after its retries: the order is FAILED, its places are back, the customer orders again', async () => {
    const created = await core.http('PATCH', `/events/${FAULTY}/config`, { user: admin, body: { storeOpen: true } });
    expect(created.status).toBe(201);
    // The event's order counter holds text: "Number the order" (ADD) fails with a ValidationException, for good.
    await db.send(
      new PutCommand({
        TableName: table('CountersTable'),
        Item: { PK: `orderNumber-${FAULTY}`, value: 'not a number' },
      }),
    );
    const orderId = await scan(core, admin, alice, FAULTY);
    await stored(core, alice, orderId);
    const drink = await core.http('PUT', `/orders/${orderId}/drink`, { user: alice, body: { drink: 'Espresso' } });
    expect(drink.status).toBe(200);

    const failed = await failedEvent(orderId, 30_000);
    expect(failed.detail).toMatchObject({
      orderId,
      userId: alice.sub,
      eventId: FAULTY,
      error: 'DynamoDB.ValidationException',
      Message: MESSAGES.failed,
    });
    expect(failed.detail).not.toHaveProperty('orderNumber');
    expect(await failedOrder(alice, orderId)).toMatchObject({
      status: 'FAILED',
      failure: { error: 'DynamoDB.ValidationException' },
    });
    // Terminal, with a sentence that says what to do.
    const cancel = await core.http('POST', `/orders/${orderId}/cancel`, { user: alice });
    expect([cancel.status, cancel.body.error]).toEqual([409, 'ORDER_FAILED']);
    expect(cancel.body.message).toMatch(/Scan the QR code again/);
    expect(await members(eventOpenOrdersKey(FAULTY))).not.toContain(orderId);
    expect(await members(userOpenOrdersKey(FAULTY, alice.sub))).not.toContain(orderId);
    await ordersAgain(alice, FAULTY);
  }, 90_000);

  it('an execution stopped (StopExecution): the sweep stops the order as FAILED and gives its places back', async () => {
    const orderId = await scan(core, admin, bob);
    await stored(core, bob, orderId);
    const claim = await db.send(
      new GetCommand({ TableName: table('CountersTable'), Key: { PK: `workflow-${orderId}` }, ConsistentRead: true }),
    );
    const executionArn = String(claim.Item?.executionArn);
    await core.sfn.send(new StopExecutionCommand({ executionArn }));
    // Stopped, the workflow gives nothing back: until the sweep, bob holds his one open order.
    expect(await members(userOpenOrdersKey('NYC', bob.sub))).toContain(orderId);

    const failed = await failedEvent(orderId, 30_000);
    expect(failed.detail).toMatchObject({ orderId, userId: bob.sub, eventId: 'NYC', error: 'ExecutionAborted' });
    expect(await failedOrder(bob, orderId)).toMatchObject({ failure: { error: 'ExecutionAborted' } });
    await until('the places to be back', async () =>
      !(await members(userOpenOrdersKey('NYC', bob.sub))).includes(orderId) &&
      !(await members(eventOpenOrdersKey('NYC'))).includes(orderId)
        ? true
        : undefined,
    );
    await ordersAgain(bob, 'NYC');
  }, 90_000);

  it('a validator killed between admit and publish: the sweep gives the place back and no workflow takes the order later', async () => {
    // The validator's own store functions against the deployed tables, as its handler calls them.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: core.cloud.url,
      AWS_REGION: core.cloud.account.region,
      AWS_ACCESS_KEY_ID: 'presso',
      AWS_SECRET_ACCESS_KEY: 'presso',
      VALIDATOR_TABLE: table('ValidatorTable'),
      COUNTERS_TABLE: table('CountersTable'),
    });
    const { admit, loadBucket } = await import('../../src/adapters/qrStore.js');
    const { loadReservation } = await import('../../src/adapters/reservationStore.js');
    const qr = await core.http<{ bucketId: number }>('GET', '/events/NYC/qr-code', { user: admin });
    const bucket = await loadBucket('NYC', qr.body.bucketId);
    if (!bucket) throw new Error('no QR bucket stored');
    const orderId = randomUUID();
    const admitted = await admit({
      bucket,
      eventId: 'NYC',
      userId: carol.sub,
      orderId,
      maxOrdersPerUser: 1,
      nowMs: Date.now(),
      leaseMs: 2_000,
    });
    expect(admitted).toBe('admitted');
    expect(await loadReservation(orderId)).toMatchObject({ orderId, eventId: 'NYC', userId: carol.sub });
    // Killed here: no Validator.NewOrder. Carol holds her one open order, which nothing will give back...
    const code = await currentCode(core, admin);
    const refused = await core.http('POST', '/events/NYC/orders', { user: carol, body: { code } });
    expect([refused.status, refused.body.error]).toEqual([409, 'USER_LIMIT']);

    // ...but the sweep, once the reservation expired.
    const failed = await failedEvent(orderId, 30_000);
    expect(failed.detail).toMatchObject({ orderId, userId: carol.sub, error: 'WorkflowNeverStarted' });
    await until('the reservation to be gone', async () => ((await loadReservation(orderId)) ? undefined : true));
    expect(await members(userOpenOrdersKey('NYC', carol.sub))).not.toContain(orderId);
    await ordersAgain(carol, 'NYC');

    // A Validator.NewOrder that comes after all (a retry of a validator that was only slow) starts a
    // workflow that finds the order no longer admitted (its place was given back): it ends at once,
    // OrderNotAdmitted, takes no place and puts nothing. (Were it admitted, the sweep's claim would
    // end it as a duplicate.)
    await core.put('Validator.NewOrder', {
      orderId,
      userId: carol.sub,
      eventId: 'NYC',
      bucket: { eventId: 'NYC' },
      Message: MESSAGES.newOrder,
    });
    const stateMachineArn = core.stack.outputs.OrderProcessorStateMachineArn;
    const late = await until('the late execution to end', async () => {
      const { executions = [] } = await core.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      for (const e of executions) {
        const d = await core.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        if (d.input?.includes(orderId)) return d.status === 'RUNNING' ? undefined : d;
      }
      return undefined;
    });
    expect({ status: late.status, error: late.error }).toEqual({ status: 'FAILED', error: 'OrderNotAdmitted' });
    expect(core.eventsOf(orderId).map((e) => e['detail-type'])).not.toContain('OrderProcessor.WorkflowStarted');
    expect(await members(userOpenOrdersKey('NYC', carol.sub))).not.toContain(orderId);
  }, 90_000);
});

// The robot beside the core on the local cloud: robot-driven orders complete (or are cancelled, as the
// run asks) end to end through the core, unmodified, at a scratch tenant an admin created with robot
// orders allowed (robotsAllowed, as on a demo event); a person's
// order at the same tenant is left alone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SFNClient } from '@aws-sdk/client-sfn';
import { BUS_NAME, validateEvent } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';
import { runOptions } from '../src/options.js';
import { customerOf, ROBOT_USER } from '../src/schedule.js';
import { repo, until } from '@serverlesspresso/testing';
import { clientConfig, extensionDir, runToEnd, settledExecutions, tapBus, type BusTap } from './cloud.js';

/**
 * The core waits 5 minutes for a customer's drink and 15 for a barista: 30 and 90 seconds here, so
 * that a loaded machine (cold starts of every function) never times an order out.
 */
const SPEED = 10;
const TENANT = 'ROBOTS';

let cloud: LocalCloud;
let sfn: SFNClient;
let core: StackRecord;
let robot: StackRecord;
let tap: BusTap;

async function token(user: string, groups: string[] = []): Promise<string> {
  const res = await fetch(new URL('/_presso/token', cloud.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, groups }),
  });
  const body = (await res.json()) as { token?: string; message?: string };
  if (!body.token) throw new Error(`no token for ${user}: ${body.message}`);
  return body.token;
}

async function http<T = Record<string, unknown>>(
  method: string,
  path: string,
  bearer: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${core.apis.CoreApi!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('the robot beside the core', () => {
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {} });
    sfn = new SFNClient(clientConfig(cloud));
    tap = tapBus(cloud, BUS_NAME);
    core = await cloud.stacks.deploy({ path: repo.core, stackName: 'core' });
    robot = await cloud.stacks.deploy({ path: extensionDir, stackName: 'order-robot' });
  }, 180_000);

  afterAll(async () => {
    tap?.close();
    sfn?.destroy();
    await cloud?.stacks.deleteAll();
    await cloud?.close();
  });

  it("drives whole orders through the core at a scratch tenant, and leaves a person's order alone", async () => {
    // The scratch tenant: an admin creates its config (the core's defaults, the original menu) with the
    // store open and robot orders allowed, as on a demo event (a new event takes no robot orders).
    const admin = await token('ada', ['admin']);
    expect(
      (await http('PATCH', `/events/${TENANT}/config`, admin, { storeOpen: true, robotsAllowed: true })).status,
    ).toBe(201);

    // A person orders at the same event: their order waits in the queue for a barista.
    const alice = await token('alice');
    const { body: qr } = await http<{ code: string }>('GET', `/events/${TENANT}/qr-code`, admin);
    const scanned = await http<{ orderId: string }>('POST', `/events/${TENANT}/orders`, alice, { code: qr.code });
    expect(scanned.status).toBe(201);
    const person = scanned.body.orderId;
    await until(
      "alice's order to be stored",
      async () => (await http('GET', `/orders/${person}`, alice)).status === 200,
      {
        ms: 20_000,
      },
    );
    expect(
      (await http('PUT', `/orders/${person}/drink`, alice, { drink: 'Flat White', modifiers: ['Oat'] })).status,
    ).toBe(200);
    await until(
      "alice's order in the queue",
      () => tap.of('OrderManager.WaitingCompletion').some((t) => t.event.detail.orderId === person),
      { ms: 20_000 },
    );

    const input = {
      eventId: TENANT,
      orders: 8,
      ordersPerMinute: 12,
      cancelRatio: 0.25,
      baristaDelaySeconds: 20,
      seed: 'with-core',
    };
    const run = await runToEnd(sfn, robot.outputs.OrderRobotStateMachineArn!, input);
    expect(run.status).toBe('SUCCEEDED');
    const options = runOptions(input, run.executionArn!);
    const plan = Array.from({ length: 8 }, (_, n) => customerOf(options, run.executionArn!, n));
    expect(new Set(plan.map((c) => c.action))).toEqual(new Set(['complete', 'cancel'])); // the seed gives both

    const finished = (orderId: string) =>
      tap.events.find(
        (t) =>
          t.event.detail.orderId === orderId &&
          /^OrderManager\.Order.+-(COMPLETED|CANCELLED)$/.test(t.event['detail-type']),
      );
    await until(
      'every robot order to be completed or cancelled by the core',
      () => plan.every((c) => finished(c.orderId)),
      { ms: 100_000 },
    );

    for (const c of plan) {
      const events = tap.events.filter((t) => t.event.detail.orderId === c.orderId).map((t) => t.event);
      const types = events.map((e) => e['detail-type']);
      const outcome =
        c.action === 'complete' ? `OrderManager.Order${TENANT}-COMPLETED` : `OrderManager.Order${TENANT}-CANCELLED`;
      // Each step once (a failure shows the order's whole story), in the order the core takes them
      // (the drink may overtake the workflow's start).
      const steps = [
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'ProducerRobot.FulfillOrder',
        'OrderProcessor.WaitingCompletion',
        'OrderManager.WaitingCompletion',
        'OrderRobot.FulfillOrder',
        outcome,
      ];
      expect({
        orderId: c.orderId,
        types,
        once: steps.filter((type) => types.filter((t) => t === type).length === 1),
      }).toEqual({ orderId: c.orderId, types, once: steps });
      const at = (type: string) => types.indexOf(type);
      expect(at('Validator.NewOrder')).toBe(0);
      expect(at('ProducerRobot.FulfillOrder')).toBeLessThan(at('OrderManager.WaitingCompletion'));
      expect(at('OrderManager.WaitingCompletion')).toBeLessThan(at('OrderRobot.FulfillOrder'));
      expect(at('OrderRobot.FulfillOrder')).toBeLessThan(at(outcome));
      expect(events.find((e) => e['detail-type'] === 'OrderManager.WaitingCompletion')!.detail).toMatchObject({
        robot: true,
        userId: ROBOT_USER,
        drinkOrder: { drink: c.drink },
      });
      if (c.action === 'cancel')
        expect(events.find((e) => e['detail-type'] === outcome)!.detail).toMatchObject({ reason: 'barista' });
    }

    // Every event on the bus, the robot's and the core's, is an event of the contract.
    const invalid = tap.events
      .filter((t) => !validateEvent(t.event).valid)
      .map((t) => ({ type: t.event['detail-type'], errors: validateEvent(t.event).errors }));
    expect(invalid).toEqual([]);

    // The robot barista ran for the robot's orders only, and alice's order still waits for a person.
    const baristas = await settledExecutions(sfn, robot.outputs.BaristaBotStateMachineArn!, plan.length);
    expect([...baristas.values()].flat()).toHaveLength(plan.length);
    expect((await http<{ status: string }>('GET', `/orders/${person}`, alice)).body).toMatchObject({
      status: 'SUBMITTED',
    });
    expect(
      tap.events.filter(
        (t) => t.event.detail.orderId === person && t.event['detail-type'] === 'OrderRobot.FulfillOrder',
      ),
    ).toEqual([]);
  }, 150_000);
});

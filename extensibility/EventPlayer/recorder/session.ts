// A session at the bar, simulated through the core's real HTTP routes: customers scan the QR code and
// order drinks (some cancel, some walk away and time out), two baristas work the queue (one order is
// forgotten until the barista's wait times out), a rush meets the queue's capacity, and the admin
// closes the store for a minute. Beside the people, a slow run of the OrderRobot extension sends robot
// customers through the bus, and its robot barista serves them. Every wait is in session time (divided
// by the cloud's speed), and every choice comes from one seeded generator (the robot run from the same
// seed), so a seed describes the session.
import { createHash } from 'node:crypto';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EventEnvelope } from '@serverlesspresso/catalog';
import type { Core, User } from '@serverlesspresso/core/harness';

const EVENT_ID = 'NYC';
const MINUTE = 60_000;
/** The user the OrderRobot's customers order as (the original robots' user, in the contract's examples). */
export const ROBOT_USER = 'robot';

/** Numbers in [0, 1), the same sequence for the same seed (Math.random cannot be seeded). */
export function seeded(seed: number): () => number {
  let drawn = 0;
  return () => createHash('sha256').update(`${seed}:${drawn++}`).digest().readUInt32BE(0) / 2 ** 32;
}

type Persona = 'regular' | 'canceller' | 'walkaway';

/** A run of the OrderRobot extension: its state machine's input (extensions/OrderRobot/README.md). */
export interface RobotRunInput {
  eventId: string;
  ordersPerMinute: number;
  durationMinutes: number;
  cancelRatio: number;
  seed: number;
}

export interface SessionPlan {
  /** When each customer arrives (session ms) and what they do. */
  customers: Array<{ name: string; arrivesAt: number; persona: Persona }>;
  /** The rush: this many customers within 20 seconds from `at` (session ms). */
  rush: { at: number; customers: number };
  /** The first customer's order is forgotten by the baristas until its 15-minute wait times out (a session long enough for it). */
  forgotten: boolean;
  /** The store is closed from, until (session ms). */
  closed: [number, number];
  /** The robot run: started at `startsAt` (session ms), named `name`, so its order ids repeat with the seed. */
  robots: { startsAt: number; name: string; input: RobotRunInput };
  /** Session length: nobody arrives after it ends, and the recording stops once every order is over. */
  durationMs: number;
}

/** How long the core lets a customer, and a barista, keep an order before it times out. */
const CUSTOMER_TIMEOUT = 5 * MINUTE;
const BARISTA_TIMEOUT = 15 * MINUTE;

/**
 * Who comes when. In the 15-minute session: about three customers a minute for twelve minutes, a
 * rush of eight at minute 10 (more than the queue takes), no arrivals in the last three minutes so
 * the orders can finish; walkaways only in the first nine minutes, so their five-minute wait runs out
 * within the session. A robot customer each minute on the minute from 1:00 to 12:00 (the one at 7:00
 * finds the store closed), a fifth of them cancelled by the robot barista; its drinks and
 * cancellations follow from the seed. A shorter session (`durationMs`, for a quick recording) keeps
 * the same pace and proportions: arrivals for its first four fifths, the store closed from 13/30 to
 * half of it, a rush at two thirds, the robots from a fifteenth; walkaways and the forgotten order
 * only when their timeouts fit in it.
 * `random` is the session's generator, seeded(seed): the recorder goes on drawing from it.
 */
export function planSession(seed: number, random = seeded(seed), durationMs = 15 * MINUTE): SessionPlan {
  if (!(durationMs >= MINUTE)) throw new RangeError(`a session lasts at least a minute, got ${durationMs} ms`);
  const customers: SessionPlan['customers'] = [];
  let at = 5_000;
  const add = (arrivesAt: number, persona: Persona) =>
    customers.push({
      name: `customer-${String(customers.length + 1).padStart(2, '0')}`,
      arrivesAt: Math.round(arrivesAt),
      persona,
    });
  const arrivalsEnd = (durationMs * 4) / 5;
  const walkawaysUntil = durationMs - CUSTOMER_TIMEOUT - MINUTE;
  while (at < arrivalsEnd) {
    const roll = random();
    add(at, roll < 0.12 ? 'canceller' : roll < 0.22 && at < walkawaysUntil ? 'walkaway' : 'regular');
    at += 8_000 + random() * 30_000;
  }
  const rush = { at: (durationMs * 2) / 3, customers: Math.max(1, Math.round((8 * durationMs) / (15 * MINUTE))) };
  for (let i = 0; i < rush.customers; i++) add(rush.at + random() * 20_000, 'regular');
  customers.sort((a, b) => a.arrivesAt - b.arrivesAt);
  const robotMinutes = Math.max(1, Math.floor(arrivalsEnd / MINUTE));
  const robots = {
    startsAt: durationMs / 15,
    name: `session-seed-${seed}`,
    input: { eventId: EVENT_ID, ordersPerMinute: 1, durationMinutes: robotMinutes, cancelRatio: 0.2, seed },
  };
  return {
    customers,
    rush,
    forgotten: durationMs >= BARISTA_TIMEOUT,
    closed: [(durationMs * 13) / 30, durationMs / 2],
    robots,
    durationMs,
  };
}

/** What became of the robot run's orders. */
export interface RobotOutcome {
  /** The run's execution ARN. */
  run: string;
  orderIds: string[];
  completed: number;
  cancelled: number;
  /** Refused by the workflow (store closed, at capacity). */
  refused: number;
}

export interface SessionOutcome {
  customers: number;
  robots?: RobotOutcome;
  scans: { accepted: number; refused: Record<string, number> };
  orderIds: string[];
  cancelledByCustomers: number;
  cancelledByBaristas: number;
  completed: number;
  forgotten?: string;
}

interface Bar {
  core: Core;
  admin: User;
  random: () => number;
  /** Session ms since the start. */
  now(): number;
  sleep(sessionMs: number): Promise<void>;
  outcome: SessionOutcome;
  /** Orders the baristas must leave alone (the forgotten one). */
  skip: Set<string>;
  /** Every customer has left and every order has ended. */
  open: Set<string>;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

async function status(bar: Bar, user: User, orderId: string): Promise<string | undefined> {
  const r = await bar.core.http<{ status?: string }>('GET', `/orders/${orderId}`, { user });
  return r.status === 200 ? r.body.status : undefined;
}

/** Polls (in session time) until the order is in one of the states; undefined after `withinMs`. */
async function waitFor(
  bar: Bar,
  user: User,
  orderId: string,
  states: string[],
  withinMs: number,
): Promise<string | undefined> {
  const until = bar.now() + withinMs;
  while (bar.now() < until) {
    const s = await status(bar, user, orderId);
    if (s && states.includes(s)) return s;
    await bar.sleep(2_000);
  }
  return undefined;
}

/** Scans the current code; a refused customer tries again a little later, three times at most. */
async function scanIn(bar: Bar, customer: User): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const code = (await bar.core.http<{ code: string }>('GET', `/events/${EVENT_ID}/qr-code`, { user: bar.admin })).body
      .code;
    const r = await bar.core.http<{ orderId?: string; error?: string }>('POST', `/events/${EVENT_ID}/orders`, {
      user: customer,
      body: { code },
    });
    if (r.status === 201 && r.body.orderId) {
      bar.outcome.scans.accepted++;
      return r.body.orderId;
    }
    const reason = r.body.error ?? String(r.status);
    bar.outcome.scans.refused[reason] = (bar.outcome.scans.refused[reason] ?? 0) + 1;
    await bar.sleep(40_000 + bar.random() * 40_000);
  }
  return undefined;
}

async function customer(bar: Bar, name: string, persona: Persona | 'forgotten'): Promise<void> {
  const user = await bar.core.user(name);
  const orderId = await scanIn(bar, user);
  if (!orderId) return;
  bar.outcome.orderIds.push(orderId);
  bar.open.add(orderId);
  if (persona === 'forgotten') bar.skip.add(orderId);
  try {
    // The workflow starts (or refuses the order: at capacity) before there is anything to order.
    const started = await waitFor(bar, user, orderId, ['CREATED', 'CANCELLED'], MINUTE);
    if (started !== 'CREATED') return;
    if (persona === 'walkaway') {
      await waitFor(bar, user, orderId, ['CANCELLED'], 7 * MINUTE);
      return;
    }
    // The forgotten order is queued at once, so its barista's 15 minutes run out soon after the session's.
    await bar.sleep(persona === 'forgotten' ? 3_000 : 8_000 + bar.random() * 40_000);
    const menu = (
      await bar.core.http<{ menu: Array<{ drink: string; modifiers: Array<{ Options: string[] }> }> }>(
        'GET',
        `/events/${EVENT_ID}/menu`,
        { user },
      )
    ).body.menu;
    const drink = pick(bar.random, menu);
    const modifiers = drink.modifiers.filter(() => bar.random() < 0.5).map((g) => pick(bar.random, g.Options));
    const ordered = await bar.core.http('PUT', `/orders/${orderId}/drink`, {
      user,
      body: { drink: drink.drink, modifiers },
    });
    if (ordered.status !== 200) return;
    if (persona === 'canceller') {
      // Changed their mind before a barista took it (a customer cannot cancel what is being made).
      await bar.sleep(3_000 + bar.random() * 12_000);
      if ((await bar.core.http('POST', `/orders/${orderId}/cancel`, { user })).status === 200)
        bar.outcome.cancelledByCustomers++;
    }
    // Until it is over: completed, cancelled, or timed out (the forgotten order, after 15 minutes).
    await waitFor(bar, user, orderId, ['COMPLETED', 'CANCELLED'], 17 * MINUTE);
  } finally {
    bar.open.delete(orderId);
  }
}

/**
 * A barista: takes the oldest order of the queue nobody makes, makes it, completes it (now and then
 * cancels it). Robot orders are the robot barista's: a person claiming one would refuse its answer.
 */
async function barista(bar: Bar, name: string, until: () => boolean): Promise<void> {
  const user = await bar.core.user(name, ['NYC.barista']);
  while (!until()) {
    const queue =
      (
        await bar.core.http<{ orders: Array<{ orderId: string; status: string; robot?: boolean }> }>(
          'GET',
          `/events/${EVENT_ID}/queue`,
          { user },
        )
      ).body.orders ?? [];
    const next = queue.find((o) => o.status === 'SUBMITTED' && !o.robot && !bar.skip.has(o.orderId));
    if (!next || (await bar.core.http('POST', `/orders/${next.orderId}/make`, { user })).status !== 200) {
      await bar.sleep(4_000 + bar.random() * 6_000);
      continue;
    }
    await bar.sleep(20_000 + bar.random() * 35_000);
    const action = bar.random() < 0.08 ? 'cancel' : 'complete';
    if ((await bar.core.http('POST', `/orders/${next.orderId}/${action}`, { user })).status === 200) {
      if (action === 'cancel') bar.outcome.cancelledByBaristas++;
      else bar.outcome.completed++;
    }
    await bar.sleep(2_000 + bar.random() * 4_000);
  }
}

/**
 * Before the session: calls each HTTP function of the core once, so their cold starts (a fraction of
 * a second, which the time scale would stretch into many seconds of session) are over when it starts,
 * and lets the QR code admit 100 orders. Codes rotate on the wall clock, which the time scale does not
 * speed up: one code serves the whole recording. Resolves once the bus has announced that change.
 */
export async function warmUp(core: Core): Promise<void> {
  const [admin, barista, customer] = await Promise.all([
    core.user('admin-ada', ['admin']),
    core.user('barista-ben', ['NYC.barista']),
    core.user('customer-00'),
  ]);
  const patched = await core.http('PATCH', `/events/${EVENT_ID}/config`, { user: admin, body: { drinksPerCode: 100 } });
  if (patched.status >= 300) throw new Error(`PATCH config: ${patched.status} ${patched.text}`);
  await core.event(
    'the warm-up config change',
    (e) => e['detail-type'] === 'ConfigService.ConfigChanged' && e.detail.drinksPerCode === 100,
  );
  await Promise.all([
    core.http('GET', `/events/${EVENT_ID}/qr-code`, { user: admin }),
    core.http('GET', `/events/${EVENT_ID}/queue`, { user: barista }),
    core.http('GET', `/events/${EVENT_ID}/menu`, { user: customer }),
  ]);
}

const orderEnd = /^OrderManager\.Order.+-(COMPLETED|CANCELLED)$/;

/**
 * Whether an order's story on the bus is over, from its events: refused by the workflow
 * (ShopUnavailable), or ended by the order manager (COMPLETED or CANCELLED) and by its workflow
 * (orderFinished, or OrderTimeOut when it timed out). A robot order also needs the robot customer's
 * drink (ProducerRobot.FulfillOrder), which comes 5 seconds after the scan even when the workflow
 * refused the order.
 */
export function orderOver(events: readonly EventEnvelope[]): boolean {
  const types = new Set(events.map((e) => e['detail-type']));
  const robot = events.some((e) => e['detail-type'] === 'Validator.NewOrder' && e.detail.userId === ROBOT_USER);
  if (robot && !types.has('ProducerRobot.FulfillOrder')) return false;
  if (types.has('OrderProcessor.ShopUnavailable')) return true;
  return (
    [...types].some((t) => orderEnd.test(t)) &&
    (types.has('OrderProcessor.orderFinished') || types.has('OrderProcessor.OrderTimeOut'))
  );
}

/** The orders the robot's customers scanned at the event (Validator.NewOrder as the robot user), oldest first. */
export const robotOrderIds = (events: readonly EventEnvelope[]): string[] =>
  events
    .filter(
      (e) =>
        e['detail-type'] === 'Validator.NewOrder' && e.detail.userId === ROBOT_USER && e.detail.eventId === EVENT_ID,
    )
    .map((e) => String(e.detail.orderId));

/** How the robot's orders ended, from the bus. */
export function robotOutcome(run: string, events: readonly EventEnvelope[]): RobotOutcome {
  const orderIds = robotOrderIds(events);
  const ended = (orderId: string, type: RegExp) =>
    events.some((e) => e.detail.orderId === orderId && type.test(e['detail-type']));
  return {
    run,
    orderIds,
    completed: orderIds.filter((id) => ended(id, /-COMPLETED$/)).length,
    cancelled: orderIds.filter((id) => ended(id, /-CANCELLED$/)).length,
    refused: orderIds.filter((id) => ended(id, /^OrderProcessor\.ShopUnavailable$/)).length,
  };
}

/**
 * The robot run: started at its time of the session through Step Functions, like any user starts it;
 * resolves once the run has sent its customers and each of their orders is over. Robot customers
 * scan and order through the bus, and the robot barista answers through the bus: no HTTP route.
 */
async function robots(bar: Bar, plan: SessionPlan['robots'], stateMachineArn: string): Promise<RobotOutcome> {
  const { core } = bar;
  await bar.sleep(Math.max(0, plan.startsAt - bar.now()));
  const { executionArn } = await core.sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: plan.name, input: JSON.stringify(plan.input) }),
  );
  // The run sends its last customer durationMinutes after its start; a bounded wait in session time.
  const runEnds = bar.now() + (plan.input.durationMinutes + 5) * MINUTE;
  let run = await core.sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (run.status === 'RUNNING' && bar.now() < runEnds) {
    await bar.sleep(5_000);
    run = await core.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  if (run.status !== 'SUCCEEDED')
    throw new Error(`the robot run ${executionArn} is ${run.status}: ${run.error ?? ''} ${run.cause ?? ''}`);
  const { sent } = JSON.parse(run.output ?? '{}') as { sent?: number };
  // The robot barista answers within seconds; the core's own 15-minute timeout bounds a lost answer.
  const ordersEnd = bar.now() + 17 * MINUTE;
  for (;;) {
    const orderIds = robotOrderIds(core.events);
    if (orderIds.length === sent && orderIds.every((id) => orderOver(core.eventsOf(id))))
      return robotOutcome(executionArn!, core.events);
    if (bar.now() > ordersEnd)
      throw new Error(
        `the robot run sent ${String(sent)} customers; ${orderIds.length} scanned, and these orders are not over: ${orderIds.filter((id) => !orderOver(core.eventsOf(id))).join(', ')}`,
      );
    await bar.sleep(2_000);
  }
}

/**
 * Runs the planned session on a deployed core and OrderRobot (the robot's `OrderRobotStateMachineArn`),
 * from `started` (performance.now()); resolves once it is over: every person gone, the robot run
 * done, every order over.
 */
export async function runSession(
  core: Core,
  plan: SessionPlan,
  random: () => number,
  options: { robotStateMachineArn: string; started?: number },
): Promise<SessionOutcome> {
  const speed = core.cloud.time.speed;
  const started = options.started ?? performance.now();
  const outcome: SessionOutcome = {
    customers: plan.customers.length + 1,
    scans: { accepted: 0, refused: {} },
    orderIds: [],
    cancelledByCustomers: 0,
    cancelledByBaristas: 0,
    completed: 0,
  };
  const bar: Bar = {
    core,
    random,
    outcome,
    skip: new Set(),
    open: new Set(),
    admin: await core.user('admin-ada', ['admin']),
    now: () => (performance.now() - started) * speed,
    sleep: (ms) => core.cloud.time.sleep(ms),
  };
  const at = async (sessionMs: number) => bar.sleep(Math.max(0, sessionMs - bar.now()));
  const config = async (patch: Record<string, unknown>) => {
    const r = await core.http('PATCH', `/events/${EVENT_ID}/config`, { user: bar.admin, body: patch });
    if (r.status >= 300) throw new Error(`PATCH config ${JSON.stringify(patch)}: ${r.status} ${r.text}`);
  };

  // The operator opens the bar for the session, with a queue of 10.
  await config({ storeOpen: true, maxOrdersInQueue: 10 });
  const robotRun = robots(bar, plan.robots, options.robotStateMachineArn);
  // Awaited below, after the people; a failure meanwhile is not an unhandled rejection.
  robotRun.catch(() => undefined);
  const people: Array<Promise<void>> = [];
  // The first customer's order is the one the baristas forget (when its timeout fits in the session).
  people.push(customer(bar, 'customer-00', plan.forgotten ? 'forgotten' : 'regular'));
  const baristasDone = () => bar.now() > plan.durationMs && bar.open.size === 0;
  people.push(barista(bar, 'barista-ben', baristasDone), barista(bar, 'barista-cho', baristasDone));
  const admin = (async () => {
    await at(plan.closed[0]);
    await config({ storeOpen: false });
    await at(plan.closed[1]);
    await config({ storeOpen: true });
  })();
  for (const c of plan.customers) {
    await at(c.arrivesAt);
    people.push(customer(bar, c.name, c.persona));
  }
  await admin;
  await Promise.all(people);
  outcome.robots = await robotRun;
  outcome.forgotten = [...bar.skip][0];
  // The people saw their orders end through the routes; the workflow's last event may still be on its way.
  const allOver = bar.now() + MINUTE;
  let open = outcome.orderIds.filter((id) => !orderOver(core.eventsOf(id)));
  while (open.length > 0 && bar.now() < allOver) {
    await bar.sleep(1_000);
    open = open.filter((id) => !orderOver(core.eventsOf(id)));
  }
  if (open.length > 0) throw new Error(`these orders are not over a minute after the session: ${open.join(', ')}`);
  return outcome;
}

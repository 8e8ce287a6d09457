// The recorder's plan of a session and how it tells an order is over (pure: record.test.ts records a
// short session end to end; the archive itself is made by `npm run record`).
import { describe, expect, it } from '@jest/globals';
import { contract, type EventEnvelope } from '@serverlesspresso/catalog';
import { orderOver, planSession, robotOrderIds, robotOutcome, ROBOT_USER, seeded } from '../recorder/session.js';

const MINUTE = 60_000;

describe('the session plan', () => {
  it('is the same for the same seed, and another for another', () => {
    expect(planSession(8)).toEqual(planSession(8));
    expect(planSession(9)).not.toEqual(planSession(8));
    // The recorder draws on from the same generator.
    expect(planSession(8, seeded(8))).toEqual(planSession(8));
  });

  it('brings a few dozen customers over twelve minutes, a rush at minute 10, walkaways early enough to time out in the session', () => {
    for (const seed of [1, 7, 8, 42]) {
      const plan = planSession(seed);
      const at = plan.customers.map((c) => c.arrivesAt);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      expect(plan.customers.length).toBeGreaterThanOrEqual(24);
      expect(Math.max(...at)).toBeLessThan(12 * MINUTE);
      expect(at.filter((t) => t >= 10 * MINUTE && t <= 10 * MINUTE + 20_000).length).toBeGreaterThanOrEqual(8);
      // A walkaway's 5-minute wait must run out before the session's 15 minutes do.
      for (const c of plan.customers.filter((c) => c.persona === 'walkaway'))
        expect(c.arrivesAt).toBeLessThan(9 * MINUTE);
      expect(new Set(plan.customers.map((c) => c.name)).size).toBe(plan.customers.length);
      expect(plan.closed).toEqual([6.5 * MINUTE, 7.5 * MINUTE]);
      expect(plan.durationMs).toBe(15 * MINUTE);
    }
  });

  it('runs the OrderRobot slowly beside the people, seeded by the session, named so its order ids repeat', () => {
    expect(planSession(8).robots).toEqual({
      startsAt: MINUTE,
      name: 'session-seed-8',
      input: { eventId: 'NYC', ordersPerMinute: 1, durationMinutes: 12, cancelRatio: 0.2, seed: 8 },
    });
    const { robots, closed } = planSession(9);
    expect(robots.input.seed).toBe(9);
    expect(robots.name).toBe('session-seed-9');
    // One robot a minute on the minute, from 1:00 to 12:00: the one at 7:00 finds the store closed.
    const arrivals = Array.from(
      { length: robots.input.durationMinutes * robots.input.ordersPerMinute },
      (_, n) => robots.startsAt + (n * MINUTE) / robots.input.ordersPerMinute,
    );
    expect(arrivals.filter((t) => t > closed[0] && t < closed[1])).toEqual([7 * MINUTE]);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(12 * MINUTE);
  });

  it("shortens to a few minutes with the same proportions, leaving out what the core's timeouts cannot end in time", () => {
    expect(planSession(8)).toMatchObject({ rush: { at: 10 * MINUTE, customers: 8 }, forgotten: true });
    for (const seed of [1, 7, 8, 42]) {
      const plan = planSession(seed, seeded(seed), 2 * MINUTE);
      const at = plan.customers.map((c) => c.arrivesAt);
      expect(plan.durationMs).toBe(2 * MINUTE);
      expect(Math.max(...at)).toBeLessThan(2 * MINUTE);
      expect(plan.customers.length).toBeGreaterThanOrEqual(3);
      expect(plan.customers.some((c) => c.persona === 'walkaway')).toBe(false);
      expect(plan.forgotten).toBe(false);
      expect(plan.closed).toEqual([52_000, 60_000]);
      expect(plan.rush).toEqual({ at: 80_000, customers: 1 });
      expect(plan.robots).toMatchObject({ startsAt: 8_000, input: { durationMinutes: 1, ordersPerMinute: 1 } });
    }
    expect(() => planSession(8, seeded(8), 30_000)).toThrow('a session lasts at least a minute, got 30000 ms');
  });

  it('draws numbers in [0, 1) from a seeded generator', () => {
    const random = seeded(3);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(new Set(draws).size).toBe(1000);
  });
});

// An order's events, made from the contract's examples (one order, d6e373b5-...).
const example = (name: string, detail: Record<string, unknown> = {}, detailType = name): EventEnvelope => {
  const entry = contract.find((e) => e.name === name)!;
  const event = entry.example as EventEnvelope;
  return { ...event, 'detail-type': detailType, detail: { ...event.detail, ...detail } };
};
const person = { userId: 'alice' };
const newOrder = (detail: Record<string, unknown> = person) => example('Validator.NewOrder', detail);
const completed = example('OrderManager.Order-COMPLETED', {}, 'OrderManager.OrderNYC-COMPLETED');
const cancelled = example('OrderManager.Order-CANCELLED', {}, 'OrderManager.OrderNYC-CANCELLED');
const finished = example('OrderProcessor.orderFinished');
const timedOut = example('OrderProcessor.OrderTimeOut');
const refused = example('OrderProcessor.ShopUnavailable');
const drink = example('ProducerRobot.FulfillOrder');

describe('an order is over', () => {
  it('once the order manager and the workflow have both ended it, or the workflow refused it', () => {
    expect(
      orderOver([newOrder(), example('OrderProcessor.WorkflowStarted'), example('OrderManager.WaitingCompletion')]),
    ).toBe(false);
    expect(orderOver([newOrder(), completed])).toBe(false);
    expect(orderOver([newOrder(), finished])).toBe(false);
    expect(orderOver([newOrder(), completed, finished])).toBe(true);
    expect(orderOver([newOrder(), finished, cancelled])).toBe(true);
    expect(orderOver([newOrder(), timedOut])).toBe(false);
    expect(orderOver([newOrder(), timedOut, cancelled])).toBe(true);
    expect(orderOver([newOrder(), refused])).toBe(true);
  });

  it("for a robot's order, only once the robot customer has ordered its drink too (it does even when the order was refused)", () => {
    const robot = newOrder({ userId: ROBOT_USER });
    expect(orderOver([robot, refused])).toBe(false);
    expect(orderOver([robot, refused, drink])).toBe(true);
    expect(orderOver([robot, drink, completed, finished])).toBe(true);
  });

  it("tells the robot's orders from the people's, and how they ended", () => {
    const robot = (orderId: string) => newOrder({ userId: ROBOT_USER, orderId });
    const of = (orderId: string, e: EventEnvelope) => ({ ...e, detail: { ...e.detail, orderId } });
    const events = [
      newOrder({ userId: 'alice', orderId: 'p1' }),
      robot('r1'),
      robot('r2'),
      robot('r3'),
      newOrder({ userId: ROBOT_USER, orderId: 'elsewhere', eventId: 'ABC', bucket: { eventId: 'ABC' } }),
      of('p1', completed),
      of('r1', completed),
      of('r2', cancelled),
      of('r3', refused),
    ];
    expect(robotOrderIds(events)).toEqual(['r1', 'r2', 'r3']);
    expect(robotOutcome('run', events)).toEqual({
      run: 'run',
      orderIds: ['r1', 'r2', 'r3'],
      completed: 1,
      cancelled: 1,
      refused: 1,
    });
  });
});

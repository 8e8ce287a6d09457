import { describe, expect, it } from '@jest/globals';
import { runOptions } from '../src/options.js';
import {
  arrivalSecond,
  customerOf,
  lastMinute,
  lateBy,
  MINUTE_SECONDS,
  minutePlan,
  orderIdOf,
  spentSince,
  type CustomerInput,
} from '../src/schedule.js';

const RUN = 'arn:aws:states:us-east-1:123456789012:execution:OrderBot:run-1';
const OTHER_RUN = 'arn:aws:states:us-east-1:123456789012:execution:OrderBot:run-2';

/** Every minute's customers, in the order the run starts them. */
function wholeRun(
  input: Record<string, unknown>,
  run = RUN,
): { minutes: CustomerInput[][]; plans: ReturnType<typeof minutePlan>[] } {
  const options = runOptions(input, run);
  const plans = Array.from({ length: lastMinute(options) + 1 }, (_, m) => minutePlan(options, run, m));
  return { minutes: plans.map((p) => p.customers), plans };
}

describe('the schedule', () => {
  it('places customer n at n minutes / rate, rounded down to the second', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => arrivalSecond(n, 7))).toEqual([0, 8, 17, 25, 34, 42, 51, 60]);
    expect([0, 1, 2, 3].map((n) => arrivalSecond(n, 120))).toEqual([0, 0, 1, 1]);
    expect(arrivalSecond(3, 0.5)).toBe(360);
    expect(arrivalSecond(33, 1.1)).toBe(1800); // 33 * 60 / 1.1 is 1799.9999999999998 in floating point
  });

  it('starts every customer once, in its minute, at its second of the minute, for any rate', () => {
    for (const [orders, ordersPerMinute] of [
      [1, 12],
      [12, 6],
      [30, 7],
      [25, 0.5],
      [7, 0.3],
      [200, 59],
      [200, 61],
      [1000, 600],
      [18000, 6000],
      [100, 1],
    ]) {
      const { minutes, plans } = wholeRun({ orders, ordersPerMinute });
      const all = minutes.flat();
      expect(all.map((c) => c.customer)).toEqual(Array.from({ length: orders! }, (_, n) => n));
      minutes.forEach((customers, minute) => {
        for (const c of customers) {
          const second = arrivalSecond(c.customer, ordersPerMinute!);
          expect(Math.floor(second / MINUTE_SECONDS)).toBe(minute);
          expect(c.arriveInSeconds).toBe(second % MINUTE_SECONDS);
        }
      });
      expect(plans.map((p) => p.done)).toEqual(plans.map((_, m) => m === plans.length - 1));
      expect(plans.at(-1)!.arrived).toBe(orders);
      expect(plans.every((p) => p.waitSeconds === MINUTE_SECONDS)).toBe(true);
    }
  });

  it('keeps the rate: each full minute has as many customers as the rate says', () => {
    expect(wholeRun({ orders: 60, ordersPerMinute: 12 }).minutes.map((m) => m.length)).toEqual([12, 12, 12, 12, 12]);
    expect(wholeRun({ orders: 21, ordersPerMinute: 7 }).minutes.map((m) => m.length)).toEqual([7, 7, 7]);
    // A rate below one a minute leaves minutes empty; the run still waits them out.
    expect(wholeRun({ orders: 3, ordersPerMinute: 0.5 }).minutes.map((m) => m.length)).toEqual([1, 0, 1, 0, 1]);
    expect(wholeRun({ durationMinutes: 3, ordersPerMinute: 3000 }).minutes.map((m) => m.length)).toEqual([
      3000, 3000, 3000,
    ]);
  });

  it('refuses a minute outside the run', () => {
    const options = runOptions({ orders: 12, ordersPerMinute: 6 }, RUN);
    expect(() => minutePlan(options, RUN, 2)).toThrow('minute must be a whole number from 0 to 1, got 2');
    expect(() => minutePlan(options, RUN, -1)).toThrow(RangeError);
    expect(() => minutePlan(options, RUN, 0.5)).toThrow(RangeError);
  });
});

describe('the customers', () => {
  it('get order ids in UUID form that depend on the run and the customer only', () => {
    const id = orderIdOf(RUN, 3);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orderIdOf(RUN, 3)).toBe(id); // a retried minute starts the same executions
    expect(orderIdOf(RUN, 4)).not.toBe(id);
    expect(orderIdOf(OTHER_RUN, 3)).not.toBe(id);
    const ids = new Set(
      wholeRun({ orders: 5000, ordersPerMinute: 6000 })
        .minutes.flat()
        .map((c) => c.orderId),
    );
    expect(ids.size).toBe(5000);
  });

  it('carry what the customer and its barista do', () => {
    const options = runOptions(
      { eventId: 'ROBOTS', customerDelaySeconds: 7, baristaDelaySeconds: 40, drinks: ['Americano'] },
      RUN,
    );
    expect(customerOf(options, RUN, 2)).toEqual({
      run: RUN,
      customer: 2,
      orderId: orderIdOf(RUN, 2),
      eventId: 'ROBOTS',
      drink: 'Americano',
      icon: 'barista-icons_americano-alternative',
      arriveInSeconds: 10,
      customerDelaySeconds: 7,
      baristaDelaySeconds: 40,
      action: 'complete',
    });
  });

  it('order the drink mix, and the barista cancels the share asked for', () => {
    const customers = wholeRun({
      orders: 6000,
      ordersPerMinute: 6000,
      drinks: { 'Flat White': 3, Espresso: 1 },
      cancelRatio: 0.2,
    }).minutes.flat();
    const share = (test: (c: CustomerInput) => boolean) => customers.filter(test).length / customers.length;
    expect(share((c) => c.drink === 'Flat White')).toBeCloseTo(0.75, 1);
    expect(share((c) => c.drink === 'Espresso')).toBeCloseTo(0.25, 1);
    expect(share((c) => c.action === 'cancel')).toBeCloseTo(0.2, 1);
    expect(
      wholeRun({ orders: 50, cancelRatio: 0 })
        .minutes.flat()
        .every((c) => c.action === 'complete'),
    ).toBe(true);
    expect(
      wholeRun({ orders: 50, cancelRatio: 1 })
        .minutes.flat()
        .every((c) => c.action === 'cancel'),
    ).toBe(true);
  });

  it('repeat their drinks and outcomes with the same seed, in another run', () => {
    const choices = (run: string, seed?: string) =>
      wholeRun({ orders: 40, cancelRatio: 0.5, ...(seed ? { seed } : {}) }, run)
        .minutes.flat()
        .map((c) => `${c.drink}/${c.action}`);
    expect(choices(OTHER_RUN, 'bar')).toEqual(choices(RUN, 'bar'));
    expect(choices(RUN, 'pub')).not.toEqual(choices(RUN, 'bar'));
    expect(choices(OTHER_RUN)).not.toEqual(choices(RUN)); // no seed: the run is the seed
  });
});

describe('starting late', () => {
  it('takes the whole seconds a minute spent starting a customer off its wait, never more', () => {
    expect(spentSince(1_000, 1_999)).toBe(0);
    expect(spentSince(1_000, 3_500)).toBe(2);
    expect(spentSince(5_000, 1_000)).toBe(0); // clocks that disagree take nothing off
    const customer = customerOf(runOptions({ orders: 12, ordersPerMinute: 6 }, RUN), RUN, 3);
    expect(customer.arriveInSeconds).toBe(30);
    expect(lateBy(customer, 0)).toBe(customer);
    expect(lateBy(customer, 4)).toEqual({ ...customer, arriveInSeconds: 26 });
    expect(lateBy(customer, 45).arriveInSeconds).toBe(0);
  });
});

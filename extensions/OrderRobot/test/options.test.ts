import { describe, expect, it } from '@jest/globals';
import { defaultMenu, eventIdProblem } from '@serverlesspresso/core/domain';
import { EVENT_ID, InvalidRobotInput, ROBOT_MENU, runOptions } from '../src/options.js';

const RUN = 'arn:aws:states:us-east-1:123456789012:execution:OrderBot:run-1';

/** The message of the InvalidRobotInput that `input` is refused with. */
function refusal(input: unknown): string {
  try {
    runOptions(input, RUN);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRobotInput);
    expect((e as Error).name).toBe('InvalidRobotInput');
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe('runOptions', () => {
  it('fills in every default: 10 orders at NYC, the original pace, every drink alike, the run as seed', () => {
    const sixth = expect.closeTo(1 / 6, 10);
    const expected = {
      eventId: 'NYC',
      orders: 10,
      ordersPerMinute: 12,
      customerDelaySeconds: 5,
      baristaDelaySeconds: 10,
      cancelRatio: 0,
      seed: RUN,
      drinks: Object.entries(ROBOT_MENU).map(([drink, icon]) => ({ drink, icon, share: sixth })),
    };
    expect(runOptions({}, RUN)).toEqual(expected);
    expect(runOptions(undefined, RUN)).toEqual(expected);
    expect(runOptions({ Comment: 'Insert your JSON here' }, RUN)).toEqual(expected); // the console's default input
  });

  it("takes the original OrderRobot's input", () => {
    expect(runOptions({ orders: 150, eventId: 'ABC' }, RUN)).toMatchObject({
      orders: 150,
      eventId: 'ABC',
      ordersPerMinute: 12,
    });
  });

  it('takes a duration instead of a count, and a mix of drinks by name or weight', () => {
    expect(runOptions({ durationMinutes: 2.5, ordersPerMinute: 7 }, RUN).orders).toBe(17);
    expect(runOptions({ drinks: ['Espresso', 'Flat White'] }, RUN).drinks).toEqual([
      { drink: 'Espresso', icon: 'barista-icons_espresso', share: 0.5 },
      { drink: 'Flat White', icon: 'barista-icons_cappuccino-alternative', share: 0.5 },
    ]);
    expect(runOptions({ drinks: { 'Caffe Latte': 3, Americano: 1, Espresso: 0 } }, RUN).drinks).toEqual([
      { drink: 'Caffe Latte', icon: 'barista-icons_cafe-latte', share: 0.75 },
      { drink: 'Americano', icon: 'barista-icons_americano-alternative', share: 0.25 },
    ]);
    expect(
      runOptions({ seed: 7, cancelRatio: 0.25, customerDelaySeconds: 0, baristaDelaySeconds: 3600 }, RUN),
    ).toMatchObject({ seed: '7', cancelRatio: 0.25, customerDelaySeconds: 0, baristaDelaySeconds: 3600 });
  });

  it('refuses bad input naming the field, what it must be and what it got', () => {
    expect(refusal([1])).toBe(
      'the input must be a JSON object such as {"eventId": "NYC", "orders": 20, "ordersPerMinute": 30}, got [1]',
    );
    expect(refusal({ order: 5, speed: 2 })).toBe(
      '"order", "speed": not a field of the robot\'s input (its fields: eventId, orders, durationMinutes, ordersPerMinute, drinks, customerDelaySeconds, baristaDelaySeconds, cancelRatio, seed, Comment)',
    );
    expect(refusal({ eventId: 'NYC-2' })).toBe(
      'eventId: must be 1 to 40 letters, digits or underscores (the tenant, e.g. "NYC"), got "NYC-2"',
    );
    expect(refusal({ orders: 0 })).toBe(
      'orders: must be a whole number from 1 to 8640000 (how many customers the run sends), got 0',
    );
    expect(refusal({ orders: 2.5 })).toContain('orders: must be a whole number');
    expect(refusal({ orders: '5' })).toContain('got "5"');
    expect(refusal({ ordersPerMinute: 0 })).toBe(
      'ordersPerMinute: must be a number above 0 to 6000 (the rate customers arrive at; 0.5 is one every 2 minutes), got 0',
    );
    expect(refusal({ ordersPerMinute: 6001 })).toContain('ordersPerMinute: must be a number above 0 to 6000');
    expect(refusal({ orders: 5, durationMinutes: 1 })).toBe(
      'orders, durationMinutes: give one of them, not both (how many customers, or for how long they keep coming)',
    );
    expect(refusal({ durationMinutes: 1, ordersPerMinute: 0.5 })).toBe(
      'durationMinutes: 1 minute(s) at 0.5 orders a minute is not one order: run longer or faster',
    );
    expect(refusal({ durationMinutes: 1441 })).toContain('durationMinutes: must be a number above 0 to 1440');
    expect(refusal({ orders: 20000, ordersPerMinute: 12 })).toBe(
      'orders: 20000 orders at 12 a minute take 1667 minutes, and a run lasts at most 1440 (24 hours): order fewer or faster, or start several runs',
    );
    expect(refusal({ customerDelaySeconds: 1.5 })).toContain(
      'customerDelaySeconds: must be a whole number from 0 to 3600 (from the scan to the drink order; the core cancels after 300), got 1.5',
    );
    expect(refusal({ baristaDelaySeconds: -1 })).toContain(
      'baristaDelaySeconds: must be a whole number from 0 to 3600',
    );
    expect(refusal({ cancelRatio: 1.5 })).toContain('cancelRatio: must be a number from 0 to 1');
    expect(refusal({ seed: '' })).toBe(
      'seed: must be a string or a number (the same seed orders the same drinks), got ""',
    );
  });

  it('refuses a drink mix the robots cannot order', () => {
    const menu =
      'the robots order from the original menu: Espresso, James Soda, Bens Brew, Flat White, Americano, Caffe Latte';
    expect(refusal({ drinks: ['Mocha'] })).toBe(`drinks: "Mocha" is not a drink the robots order (${menu})`);
    expect(refusal({ drinks: [] })).toBe(`drinks: must name at least one drink (${menu})`);
    expect(refusal({ drinks: ['Espresso', 'Espresso'] })).toBe('drinks: "Espresso" is listed twice');
    expect(refusal({ drinks: { Espresso: -1 } })).toBe(
      'drinks: the weight of "Espresso" must be a number from 0 up, got -1',
    );
    expect(refusal({ drinks: { Espresso: 0 } })).toBe('drinks: at least one drink needs a weight above 0');
    expect(refusal({ drinks: 'Espresso' })).toContain('drinks: must be a list of drinks');
  });
});

describe('the robot and the core agree', () => {
  it('on what an eventId is', () => {
    for (const id of ['NYC', 'ROBOTS', 'a_1', 'x'.repeat(40), '', 'x'.repeat(41), 'NYC-1', 'N Y', 'ÑYC']) {
      expect(EVENT_ID.test(id)).toBe(eventIdProblem(id) === undefined);
    }
  });

  it("on the drinks and icons of the original menu, which the core seeds every event's menu with", () => {
    expect(Object.entries(ROBOT_MENU)).toEqual(defaultMenu().map((m) => [m.drink, m.icon]));
  });
});

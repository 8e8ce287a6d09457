// A robot run's input, checked and completed with defaults: pure, so it is tested without AWS. The
// original OrderRobot's input, {"orders": 150, "eventId": "ABC"}, is still a valid one.

/** The tenant rule of the core (core/src/domain/tenant.ts; a test keeps them equal). */
export const EVENT_ID = /^[A-Za-z0-9_]{1,40}$/;

/**
 * The drinks the original robots order, with the core's default menu icons (a test keeps them equal
 * to core/src/domain/config.ts). The core checks every drink against the event's menu, so a robot
 * only orders from this list.
 */
export const ROBOT_MENU: Readonly<Record<string, string>> = {
  Espresso: 'barista-icons_espresso',
  'James Soda': 'barista-icons_soda',
  'Bens Brew': 'barista-icons_drip-coffee',
  'Flat White': 'barista-icons_cappuccino-alternative',
  Americano: 'barista-icons_americano-alternative',
  'Caffe Latte': 'barista-icons_cafe-latte',
};

export const DEFAULTS = {
  eventId: 'NYC',
  orders: 10,
  /** The original's pace: one order every 5 seconds. */
  ordersPerMinute: 12,
  /** The original's customer: 5 seconds between the scan and the drink. */
  customerDelaySeconds: 5,
  baristaDelaySeconds: 10,
  cancelRatio: 0,
} as const;

export const LIMITS = {
  ordersPerMinute: 6000,
  /** A run is one execution: at 9 history events a minute, 24 hours stay well under the 25,000 of a Standard workflow. */
  minutes: 1440,
  delaySeconds: 3600,
} as const;

/** Bad execution input: the run fails with this error name and the message as its cause. */
export class InvalidRobotInput extends Error {
  constructor(message: string) {
    super(message);
    // Set explicitly: it survives minification, and the error name is what Step Functions reports.
    this.name = 'InvalidRobotInput';
  }
}

export interface DrinkShare {
  drink: string;
  icon: string;
  /** Its share of the orders, from 0 to 1; the shares add up to 1. */
  share: number;
}

export interface RunOptions {
  /** The tenant the robots order at. */
  eventId: string;
  /** How many customers the run sends. */
  orders: number;
  ordersPerMinute: number;
  drinks: DrinkShare[];
  /** From a customer's scan (Validator.NewOrder) to their drink (ProducerRobot.FulfillOrder). */
  customerDelaySeconds: number;
  /** From an order entering the queue (OrderManager.WaitingCompletion) to the robot barista's answer. */
  baristaDelaySeconds: number;
  /** The share of orders the robot barista cancels instead of completing. */
  cancelRatio: number;
  /** Drinks and cancellations follow from it: the same seed orders the same drinks again. */
  seed: string;
}

const FIELDS = [
  'eventId',
  'orders',
  'durationMinutes',
  'ordersPerMinute',
  'drinks',
  'customerDelaySeconds',
  'baristaDelaySeconds',
  'cancelRatio',
  'seed',
  'Comment',
];
const EXAMPLE = '{"eventId": "NYC", "orders": 20, "ordersPerMinute": 30}';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => JSON.stringify(v) ?? String(v);

function number(
  fields: Record<string, unknown>,
  name: string,
  fallback: number,
  check: { min: number; max: number; integer?: boolean; minExclusive?: boolean },
  hint: string,
): number {
  const value = fields[name] ?? fallback;
  const { min, max, integer, minExclusive } = check;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${integer ? 'a whole number' : 'a number'} ${minExclusive ? `above ${min}` : `from ${min}`}${` to ${max}`}`;
    throw new InvalidRobotInput(`${name}: must be ${range} (${hint}), got ${shown(value)}`);
  }
  return value as number;
}

function drinkMix(value: unknown): DrinkShare[] {
  const names = Object.keys(ROBOT_MENU);
  const menu = `the robots order from the original menu: ${names.join(', ')}`;
  let weights: [string, unknown][];
  if (value === undefined) weights = names.map((n) => [n, 1]);
  else if (Array.isArray(value)) weights = value.map((n) => [n, 1]);
  else if (isRecord(value)) weights = Object.entries(value);
  else
    throw new InvalidRobotInput(
      `drinks: must be a list of drinks (["Flat White", "Espresso"]) or their weights ({"Flat White": 3, "Espresso": 1}), got ${shown(value)}`,
    );
  if (weights.length === 0) throw new InvalidRobotInput(`drinks: must name at least one drink (${menu})`);
  const seen = new Set<string>();
  for (const [drink, weight] of weights) {
    if (typeof drink !== 'string' || !(drink in ROBOT_MENU))
      throw new InvalidRobotInput(`drinks: ${shown(drink)} is not a drink the robots order (${menu})`);
    if (seen.has(drink)) throw new InvalidRobotInput(`drinks: "${drink}" is listed twice`);
    seen.add(drink);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
      throw new InvalidRobotInput(`drinks: the weight of "${drink}" must be a number from 0 up, got ${shown(weight)}`);
  }
  const total = weights.reduce((sum, [, w]) => sum + (w as number), 0);
  if (total <= 0) throw new InvalidRobotInput('drinks: at least one drink needs a weight above 0');
  return weights
    .filter(([, w]) => (w as number) > 0)
    .map(([drink, w]) => ({
      drink: drink as string,
      icon: ROBOT_MENU[drink as string]!,
      share: (w as number) / total,
    }));
}

/**
 * The run's options from the execution's input (the console's default input, `{"Comment": ...}`,
 * runs 10 orders at NYC). `run` is the run's execution ARN: the seed when the input gives none.
 * Throws InvalidRobotInput naming the field, what it must be, and what it got.
 */
export function runOptions(input: unknown, run: string): RunOptions {
  const fields = input ?? {};
  if (!isRecord(fields))
    throw new InvalidRobotInput(`the input must be a JSON object such as ${EXAMPLE}, got ${shown(input)}`);
  const unknown = Object.keys(fields).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0)
    throw new InvalidRobotInput(
      `${unknown.map((k) => JSON.stringify(k)).join(', ')}: not a field of the robot's input (its fields: ${FIELDS.join(', ')})`,
    );

  const eventId = fields.eventId ?? DEFAULTS.eventId;
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId))
    throw new InvalidRobotInput(
      `eventId: must be 1 to 40 letters, digits or underscores (the tenant, e.g. "NYC"), got ${shown(eventId)}`,
    );
  const ordersPerMinute = number(
    fields,
    'ordersPerMinute',
    DEFAULTS.ordersPerMinute,
    { min: 0, max: LIMITS.ordersPerMinute, minExclusive: true },
    'the rate customers arrive at; 0.5 is one every 2 minutes',
  );

  if (fields.orders !== undefined && fields.durationMinutes !== undefined) {
    throw new InvalidRobotInput(
      'orders, durationMinutes: give one of them, not both (how many customers, or for how long they keep coming)',
    );
  }
  let orders: number;
  if (fields.durationMinutes !== undefined) {
    const minutes = number(
      fields,
      'durationMinutes',
      0,
      { min: 0, max: LIMITS.minutes, minExclusive: true },
      'for how long customers keep coming',
    );
    orders = Math.floor(minutes * ordersPerMinute);
    if (orders < 1)
      throw new InvalidRobotInput(
        `durationMinutes: ${minutes} minute(s) at ${ordersPerMinute} orders a minute is not one order: run longer or faster`,
      );
  } else {
    orders = number(
      fields,
      'orders',
      DEFAULTS.orders,
      { min: 1, max: LIMITS.ordersPerMinute * LIMITS.minutes, integer: true },
      'how many customers the run sends',
    );
  }
  const minutes = (orders - 1) / ordersPerMinute;
  if (minutes >= LIMITS.minutes) {
    throw new InvalidRobotInput(
      `orders: ${orders} orders at ${ordersPerMinute} a minute take ${Math.ceil(minutes)} minutes, and a run lasts at most ${LIMITS.minutes} (24 hours): order fewer or faster, or start several runs`,
    );
  }

  const delay = (name: string, fallback: number, hint: string) =>
    number(fields, name, fallback, { min: 0, max: LIMITS.delaySeconds, integer: true }, hint);
  const customerDelaySeconds = delay(
    'customerDelaySeconds',
    DEFAULTS.customerDelaySeconds,
    'from the scan to the drink order; the core cancels after 300',
  );
  const baristaDelaySeconds = delay(
    'baristaDelaySeconds',
    DEFAULTS.baristaDelaySeconds,
    "from the queue to the robot barista's answer; the core cancels after 900",
  );
  const cancelRatio = number(
    fields,
    'cancelRatio',
    DEFAULTS.cancelRatio,
    { min: 0, max: 1 },
    'the share of orders the robot barista cancels',
  );
  const seed = fields.seed ?? run;
  if ((typeof seed !== 'string' && typeof seed !== 'number') || seed === '')
    throw new InvalidRobotInput(
      `seed: must be a string or a number (the same seed orders the same drinks), got ${shown(seed)}`,
    );

  return {
    eventId,
    orders,
    ordersPerMinute,
    drinks: drinkMix(fields.drinks),
    customerDelaySeconds,
    baristaDelaySeconds,
    cancelRatio,
    seed: String(seed),
  };
}

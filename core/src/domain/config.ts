// The configuration of one event (tenant): whether the store is open, its capacity, QR code rules and
// its menu. Admins change it with partial patches; every effective change bumps the version and is
// announced as ConfigService.ConfigChanged.
import type { ConfigServiceConfigChanged } from '@serverlesspresso/catalog';
import { conflict, fail, ok, pointerToken, unprocessable, type FieldError, type Result } from './errors.js';
import { configChangedEvent, type BusEvent } from './events.js';
import { eventIdProblem } from './tenant.js';
import { isRecord } from './values.js';

/** One drink of the menu, exactly as the contract carries it. */
export type MenuItem = ConfigServiceConfigChanged['menu'][number];
/** A modifier group of a drink, e.g. { Name: "Milk", Options: ["Whole", "Oat"] }: the customer picks at most one. */
export type ModifierGroup = MenuItem['modifiers'][number];
/**
 * The stored config of one event: the ConfigChanged detail without its Message, every setting
 * present (the contract leaves the waits out of configs written before them: read with defaults).
 */
export type EventConfig = Omit<ConfigServiceConfigChanged, 'Message' | WaitSetting> &
  Required<Pick<ConfigServiceConfigChanged, WaitSetting>>;

/** The order workflow's waits, per event: for the customer's drink, and for the barista to finish. */
export type WaitSetting = 'customerWaitMinutes' | 'baristaWaitMinutes';
/** The numeric settings of a config, each an integer within its bounds. */
export type NumericSetting =
  'maxOrdersInQueue' | 'maxOrdersPerUser' | 'drinksPerCode' | 'codeRotationMinutes' | WaitSetting;
/** Fields an admin may change. */
export type ConfigField = 'storeOpen' | 'robotsAllowed' | NumericSetting | 'menu';

export const CONFIG_DEFAULTS = {
  // Closed until an operator opens it: a freshly created event must not take orders by accident.
  storeOpen: false,
  // Robot orders (a NewOrder the QR validator did not admit, user robot) only where an operator
  // allows them: the seeded demo event does, a real event does not.
  robotsAllowed: false,
  maxOrdersInQueue: 20,
  maxOrdersPerUser: 1,
  drinksPerCode: 10,
  codeRotationMinutes: 5,
  // The original's HeartbeatSeconds: 300 for the customer's drink, 900 for the barista.
  customerWaitMinutes: 5,
  baristaWaitMinutes: 15,
} as const satisfies Required<Pick<EventConfig, 'storeOpen' | 'robotsAllowed' | NumericSetting>>;

/**
 * Bounds of the numeric settings. The minimums are the contract's; the maximums are ours, generous
 * enough for any pop-up bar and there to catch typos (2000 for 20) before they reach the customers.
 */
export const CONFIG_LIMITS: Record<NumericSetting, { min: number; max: number }> = {
  maxOrdersInQueue: { min: 0, max: 1000 },
  maxOrdersPerUser: { min: 1, max: 100 },
  drinksPerCode: { min: 1, max: 1000 },
  codeRotationMinutes: { min: 1, max: 24 * 60 },
  customerWaitMinutes: { min: 1, max: 60 },
  baristaWaitMinutes: { min: 1, max: 4 * 60 },
};

/** Sizes of the menu, for the same reason: a menu is shown on a phone. */
export const MENU_LIMITS = { drinks: 50, groupsPerDrink: 10, optionsPerGroup: 20, nameLength: 60 } as const;

const NUMERIC_SETTINGS = Object.keys(CONFIG_LIMITS) as NumericSetting[];
const WAIT_DEFAULTS: Record<WaitSetting, number> = {
  customerWaitMinutes: CONFIG_DEFAULTS.customerWaitMinutes,
  baristaWaitMinutes: CONFIG_DEFAULTS.baristaWaitMinutes,
};
const CONFIG_FIELDS: readonly ConfigField[] = ['storeOpen', 'robotsAllowed', ...NUMERIC_SETTINGS, 'menu'];
/** Fields a stored config may lack (written before they existed): their default applies. */
const OPTIONAL_FIELDS: readonly ConfigField[] = ['robotsAllowed', ...(Object.keys(WAIT_DEFAULTS) as WaitSetting[])];

const milk: ModifierGroup = { Name: 'Milk', Options: ['Whole', 'Skim', 'Oat', 'Soy'] };
const size: ModifierGroup = { Name: 'Size', Options: ['Small', 'Medium', 'Large'] };
const sugar: ModifierGroup = { Name: 'Sugar', Options: ['No sugar', '1 sugar', '2 sugars'] };
const syrup: ModifierGroup = { Name: 'Syrup', Options: ['Vanilla', 'Caramel', 'Hazelnut'] };
const shots: ModifierGroup = { Name: 'Shots', Options: ['Single', 'Double'] };
const ice: ModifierGroup = { Name: 'Ice', Options: ['With ice', 'No ice'] };

/** The menu a new event starts with (the original Serverlesspresso's drinks). */
export function defaultMenu(): MenuItem[] {
  // structuredClone: callers get their own copy, so editing one event's menu never edits another's.
  return structuredClone([
    { drink: 'Espresso', icon: 'barista-icons_espresso', available: true, modifiers: [shots, sugar] },
    { drink: 'James Soda', icon: 'barista-icons_soda', available: true, modifiers: [ice] },
    { drink: 'Bens Brew', icon: 'barista-icons_drip-coffee', available: true, modifiers: [milk, size, sugar] },
    { drink: 'Flat White', icon: 'barista-icons_cappuccino-alternative', available: true, modifiers: [milk, sugar] },
    {
      drink: 'Americano',
      icon: 'barista-icons_americano-alternative',
      available: true,
      modifiers: [milk, size, sugar],
    },
    { drink: 'Caffe Latte', icon: 'barista-icons_cafe-latte', available: true, modifiers: [milk, size, sugar, syrup] },
  ]);
}

/** The config a new event starts with, version 1. Throws on an invalid eventId (a programmer error here). */
export function defaultConfig(eventId: string): EventConfig {
  const problem = eventIdProblem(eventId);
  if (problem) throw new RangeError(`eventId ${JSON.stringify(eventId)} ${problem}`);
  return { eventId, ...CONFIG_DEFAULTS, menu: defaultMenu(), version: 1 };
}

const describeType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const shown = (v: unknown): string => JSON.stringify(v) ?? 'nothing';

function checkNumber(field: NumericSetting, value: unknown, errors: FieldError[]): value is number {
  const { min, max } = CONFIG_LIMITS[field];
  const path = `/${field}`;
  if (typeof value !== 'number') {
    errors.push({ path, message: `must be a number, got ${describeType(value)}` });
    return false;
  }
  if (!Number.isFinite(value)) {
    errors.push({ path, message: `must be a finite number, got ${value}` });
    return false;
  }
  if (!Number.isInteger(value)) {
    errors.push({ path, message: `must be a whole number, got ${value}` });
    return false;
  }
  if (value < min || value > max) {
    errors.push({ path, message: `must be between ${min} and ${max}, got ${value}` });
    return false;
  }
  return true;
}

function checkName(value: unknown, path: string, what: string, errors: FieldError[]): value is string {
  if (typeof value !== 'string') {
    errors.push({ path, message: `${what} must be a string, got ${describeType(value)}` });
    return false;
  }
  if (value.trim() === '') {
    errors.push({ path, message: `${what} must not be empty` });
    return false;
  }
  if (value !== value.trim()) {
    // "Latte " and "Latte" would look the same on the menu but never match a customer's order.
    errors.push({ path, message: `${what} must not start or end with spaces` });
    return false;
  }
  if (value.length > MENU_LIMITS.nameLength) {
    errors.push({ path, message: `${what} must be at most ${MENU_LIMITS.nameLength} characters` });
    return false;
  }
  return true;
}

function checkUnknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  what: string,
  errors: FieldError[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      errors.push({
        path: `${path}/${pointerToken(key)}`,
        message: `is not a field of ${what} (allowed: ${allowed.join(', ')})`,
      });
    }
  }
}

function checkGroup(value: unknown, path: string, errors: FieldError[]): ModifierGroup | undefined {
  if (!isRecord(value)) {
    errors.push({
      path,
      message: `a modifier group must be an object with Name and Options, got ${describeType(value)}`,
    });
    return undefined;
  }
  const before = errors.length;
  checkUnknownKeys(value, ['Name', 'Options'], path, 'a modifier group', errors);
  const nameOk = checkName(value.Name, `${path}/Name`, 'the group name', errors);
  const options: string[] = [];
  if (!Array.isArray(value.Options)) {
    errors.push({
      path: `${path}/Options`,
      message: `must be an array of option names, got ${describeType(value.Options)}`,
    });
  } else if (value.Options.length === 0) {
    errors.push({ path: `${path}/Options`, message: 'must offer at least one option' });
  } else if (value.Options.length > MENU_LIMITS.optionsPerGroup) {
    errors.push({ path: `${path}/Options`, message: `must offer at most ${MENU_LIMITS.optionsPerGroup} options` });
  } else {
    value.Options.forEach((option: unknown, i) => {
      const at = `${path}/Options/${i}`;
      if (!checkName(option, at, 'an option', errors)) return;
      if (options.includes(option)) errors.push({ path: at, message: `option "${option}" is listed twice` });
      else options.push(option);
    });
  }
  if (errors.length > before || !nameOk) return undefined;
  return { Name: value.Name as string, Options: options as [string, ...string[]] };
}

function checkMenuItem(value: unknown, path: string, errors: FieldError[]): MenuItem | undefined {
  if (!isRecord(value)) {
    errors.push({
      path,
      message: `a drink must be an object with drink, icon, available and modifiers, got ${describeType(value)}`,
    });
    return undefined;
  }
  const before = errors.length;
  checkUnknownKeys(value, ['drink', 'icon', 'available', 'modifiers'], path, 'a drink', errors);
  checkName(value.drink, `${path}/drink`, 'the drink name', errors);
  if (typeof value.icon !== 'string')
    errors.push({ path: `${path}/icon`, message: `must be a string, got ${describeType(value.icon)}` });
  if (typeof value.available !== 'boolean')
    errors.push({ path: `${path}/available`, message: `must be true or false, got ${describeType(value.available)}` });
  const groups: ModifierGroup[] = [];
  if (!Array.isArray(value.modifiers)) {
    errors.push({
      path: `${path}/modifiers`,
      message: `must be an array of modifier groups (may be empty), got ${describeType(value.modifiers)}`,
    });
  } else if (value.modifiers.length > MENU_LIMITS.groupsPerDrink) {
    errors.push({ path: `${path}/modifiers`, message: `must have at most ${MENU_LIMITS.groupsPerDrink} groups` });
  } else {
    // Where each option was first seen: a customer's order lists bare options, so an option in two
    // groups of one drink would make "at most one option per group" undecidable.
    const optionGroup = new Map<string, string>();
    value.modifiers.forEach((g: unknown, i) => {
      const at = `${path}/modifiers/${i}`;
      const group = checkGroup(g, at, errors);
      if (!group) return;
      if (groups.some((other) => other.Name === group.Name)) {
        errors.push({ path: `${at}/Name`, message: `group "${group.Name}" is listed twice` });
        return;
      }
      group.Options.forEach((option, j) => {
        const first = optionGroup.get(option);
        if (first !== undefined)
          errors.push({
            path: `${at}/Options/${j}`,
            message: `option "${option}" is already in group "${first}"; an option may belong to one group only`,
          });
        else optionGroup.set(option, group.Name);
      });
      groups.push(group);
    });
  }
  if (errors.length > before) return undefined;
  return {
    drink: value.drink as string,
    icon: value.icon as string,
    available: value.available as boolean,
    modifiers: groups,
  };
}

/** Validates a whole menu; every problem is reported with its path (below basePath). */
export function validateMenu(value: unknown, basePath = '/menu'): Result<MenuItem[]> {
  const errors: FieldError[] = [];
  const menu: MenuItem[] = [];
  if (!Array.isArray(value)) {
    errors.push({ path: basePath, message: `must be an array of drinks, got ${describeType(value)}` });
  } else if (value.length > MENU_LIMITS.drinks) {
    errors.push({ path: basePath, message: `must have at most ${MENU_LIMITS.drinks} drinks` });
  } else {
    value.forEach((v: unknown, i) => {
      const item = checkMenuItem(v, `${basePath}/${i}`, errors);
      if (!item) return;
      // Case-insensitive: "Latte" and "latte" side by side would confuse customers and baristas.
      const twin = menu.find((m) => m.drink.toLowerCase() === item.drink.toLowerCase());
      if (twin)
        errors.push({
          path: `${basePath}/${i}/drink`,
          message: `drink "${item.drink}" is already on the menu as "${twin.drink}"`,
        });
      else menu.push(item);
    });
  }
  return errors.length > 0 ? fail(unprocessable('INVALID_MENU', summarize('The menu', errors), errors)) : ok(menu);
}

function summarize(what: string, errors: readonly FieldError[]): string {
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return first
    ? `${what} is not valid: ${first.path || '(whole input)'} ${first.message}${more}.`
    : `${what} is not valid.`;
}

/** The result of an admin's config patch. */
export interface ConfigUpdate {
  /** The config to store: the current one when nothing changed. */
  config: EventConfig;
  /** Which fields changed, in a fixed order; empty when the patch changed nothing (e.g. a retried request). */
  changed: ConfigField[];
  /** The event to emit, only when something changed. */
  event?: BusEvent<'ConfigService.ConfigChanged'>;
}

/**
 * Validates an admin's partial config update (an untrusted request body) and applies it.
 * - 422 INVALID_CONFIG, with every problem as { path, message }: unknown or wrongly typed fields,
 *   out-of-range numbers, an invalid menu, an eventId other than this config's.
 * - 409 CONFIG_VERSION_CONFLICT when the patch carries the version it was based on and the config
 *   has moved on since (optimistic locking: a stale admin screen must not overwrite newer changes).
 * - A patch that changes nothing is accepted and returns the current config with changed = [] and
 *   no event, so retried requests are harmless and no empty ConfigChanged is emitted.
 */
export function applyConfigPatch(current: EventConfig, patch: unknown): Result<ConfigUpdate> {
  if (!isRecord(patch)) {
    const errors = [
      { path: '', message: `the update must be a JSON object of config fields, got ${describeType(patch)}` },
    ];
    return fail(unprocessable('INVALID_CONFIG', summarize('The config update', errors), errors));
  }
  const errors: FieldError[] = [];
  checkUnknownKeys(patch, [...CONFIG_FIELDS, 'eventId', 'version'], '', 'the config', errors);
  if ('eventId' in patch && patch.eventId !== current.eventId) {
    errors.push({ path: '/eventId', message: `cannot be changed: this is the config of ${current.eventId}` });
  }
  if (
    'version' in patch &&
    (typeof patch.version !== 'number' || !Number.isInteger(patch.version) || patch.version < 1)
  ) {
    errors.push({
      path: '/version',
      message: `must be the whole number of the version this update is based on, got ${shown(patch.version)}`,
    });
  }

  const next: EventConfig = { ...current };
  if ('storeOpen' in patch) {
    if (typeof patch.storeOpen === 'boolean') next.storeOpen = patch.storeOpen;
    else errors.push({ path: '/storeOpen', message: `must be true or false, got ${describeType(patch.storeOpen)}` });
  }
  if ('robotsAllowed' in patch) {
    if (typeof patch.robotsAllowed === 'boolean') next.robotsAllowed = patch.robotsAllowed;
    else
      errors.push({
        path: '/robotsAllowed',
        message: `must be true or false, got ${describeType(patch.robotsAllowed)}`,
      });
  }
  for (const field of NUMERIC_SETTINGS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (checkNumber(field, value, errors)) next[field] = value;
  }
  if ('menu' in patch) {
    const menu = validateMenu(patch.menu);
    if (menu.ok) next.menu = menu.value;
    else errors.push(...(menu.error.details ?? []));
  }
  if (errors.length > 0) return fail(unprocessable('INVALID_CONFIG', summarize('The config update', errors), errors));

  if (typeof patch.version === 'number' && patch.version !== current.version) {
    return fail(
      conflict(
        'CONFIG_VERSION_CONFLICT',
        `The config of ${current.eventId} changed since version ${patch.version} (it is now version ${current.version}); reload it and apply your change again.`,
      ),
    );
  }

  const changed = CONFIG_FIELDS.filter((f) => !sameValue(current[f], next[f]));
  if (changed.length === 0) return ok({ config: current, changed });
  const config: EventConfig = { ...next, version: current.version + 1 };
  return ok({ config, changed, event: configChangedEvent(config, describeConfigChange(current, config, changed)) });
}

/** A sentence for the display and the order journey, e.g. "The store NYC is now open; capacity 20 → 30." */
export function describeConfigChange(before: EventConfig, after: EventConfig, changed: readonly ConfigField[]): string {
  const parts: string[] = [];
  for (const field of changed) {
    if (field === 'storeOpen') parts.push(after.storeOpen ? 'the store is now open' : 'the store is now closed');
    else if (field === 'robotsAllowed')
      parts.push(after.robotsAllowed ? 'robot orders are now taken' : 'robot orders are no longer taken');
    else if (field === 'menu') parts.push('the menu changed');
    else parts.push(`${SETTING_LABELS[field]} ${before[field]} → ${after[field]}`);
  }
  const sentence = parts.join('; ');
  return sentence === ''
    ? `The configuration of ${after.eventId} is unchanged.`
    : `Configuration of ${after.eventId} changed: ${sentence}.`;
}

const SETTING_LABELS: Record<NumericSetting, string> = {
  maxOrdersInQueue: 'queue capacity',
  maxOrdersPerUser: 'open orders per customer',
  drinksPerCode: 'drinks per QR code',
  codeRotationMinutes: 'QR code rotation (minutes)',
  customerWaitMinutes: "wait for the customer's drink (minutes)",
  baristaWaitMinutes: 'wait for the barista (minutes)',
};

/**
 * Validates a complete config (e.g. an item read from the config table or a seed file): every field is
 * required and checked as in a patch, plus eventId and version.
 */
export function parseEventConfig(value: unknown): Result<EventConfig> {
  if (!isRecord(value)) {
    const errors = [{ path: '', message: `a config must be an object, got ${describeType(value)}` }];
    return fail(unprocessable('INVALID_CONFIG', summarize('The config', errors), errors));
  }
  const errors: FieldError[] = [];
  const eventIdError = eventIdProblem(value.eventId);
  if (eventIdError) errors.push({ path: '/eventId', message: eventIdError });
  if (typeof value.version !== 'number' || !Number.isInteger(value.version) || value.version < 1) {
    errors.push({ path: '/version', message: `must be a whole number from 1, got ${shown(value.version)}` });
  }
  for (const field of CONFIG_FIELDS) {
    if (!(field in value) && !OPTIONAL_FIELDS.includes(field))
      errors.push({ path: `/${field}`, message: 'is required but missing' });
  }
  if (errors.length > 0) return fail(unprocessable('INVALID_CONFIG', summarize('The config', errors), errors));
  // Everything but eventId and version is a patch applied to a blank config.
  const { eventId, version, ...fields } = value;
  const blank: EventConfig = { eventId: eventId as string, ...CONFIG_DEFAULTS, menu: [], version: version as number };
  const applied = applyConfigPatch(blank, fields);
  if (!applied.ok)
    return fail({ ...applied.error, message: applied.error.message.replace('The config update', 'The config') });
  return ok({ ...applied.value.config, version: version as number });
}

// Deep equality of JSON values; key order does not matter (items read back from DynamoDB may reorder).
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}

/**
 * The ConfigService.ConfigChanged of a change of the stored config (its old and new image, as a
 * DynamoDB stream carries them), so that the event says exactly what was written. Nothing when the
 * version did not move (a rewrite of the same config) or the config was deleted.
 */
export function configChangeEvent(
  before: EventConfig | undefined,
  after: EventConfig | undefined,
): BusEvent<'ConfigService.ConfigChanged'> | undefined {
  if (!after) return undefined;
  if (before && before.version === after.version) return undefined;
  if (!before)
    return configChangedEvent(
      after,
      `The configuration of ${after.eventId} was created: the store is ${after.storeOpen ? 'open' : 'closed'}.`,
    );
  const changed = CONFIG_FIELDS.filter((f) => !sameValue(before[f], after[f]));
  return configChangedEvent(after, describeConfigChange(before, after, changed));
}

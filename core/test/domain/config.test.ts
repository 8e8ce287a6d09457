import { describe, expect, it } from '@jest/globals';
import {
  CONFIG_DEFAULTS,
  applyConfigPatch,
  configChangeEvent,
  defaultConfig,
  defaultMenu,
  describeConfigChange,
  parseEventConfig,
  validateMenu,
  type ConfigUpdate,
  type EventConfig,
} from '../../src/domain/config.js';
import type { DomainError } from '../../src/domain/errors.js';

const nyc = (): EventConfig => defaultConfig('NYC');

function applied(current: EventConfig, patch: unknown): ConfigUpdate {
  const result = applyConfigPatch(current, patch);
  if (!result.ok) throw new Error(`expected the patch to apply, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function refused(current: EventConfig, patch: unknown): DomainError {
  const result = applyConfigPatch(current, patch);
  if (result.ok) throw new Error('expected the patch to be refused');
  return result.error;
}

const menuWith = (item: unknown): unknown => ({ menu: [item] });
const drink = (overrides: Record<string, unknown> = {}) => ({
  drink: 'Mocha',
  icon: 'barista-icons_mocha',
  available: true,
  modifiers: [],
  ...overrides,
});

describe('robot orders (robotsAllowed)', () => {
  it('are not taken on a new event; an admin allows them, and a stored config without the field takes none', () => {
    expect(nyc().robotsAllowed).toBe(false);
    const update = applied(nyc(), { robotsAllowed: true });
    expect(update.changed).toEqual(['robotsAllowed']);
    expect(update.event?.detail).toMatchObject({
      robotsAllowed: true,
      Message: 'Configuration of NYC changed: robot orders are now taken.',
    });
    expect(refused(nyc(), { robotsAllowed: 'yes' }).details).toEqual([
      { path: '/robotsAllowed', message: 'must be true or false, got string' },
    ]);
    const { robotsAllowed: _absent, ...older } = nyc();
    const parsed = parseEventConfig(older);
    expect(parsed.ok && parsed.value.robotsAllowed).toBe(false);
  });
});

describe('the default config', () => {
  it('has the documented defaults, version 1, and a closed store', () => {
    const config = nyc();
    expect(config).toMatchObject({
      eventId: 'NYC',
      storeOpen: false,
      maxOrdersInQueue: 20,
      maxOrdersPerUser: 1,
      drinksPerCode: 10,
      codeRotationMinutes: 5,
      customerWaitMinutes: 5,
      baristaWaitMinutes: 15,
      version: 1,
    });
    expect(CONFIG_DEFAULTS.storeOpen).toBe(false);
  });

  it("sets the workflow's waits per event, in whole minutes within bounds, and reads an older config with the defaults", () => {
    const update = applied(nyc(), { customerWaitMinutes: 1, baristaWaitMinutes: 30 });
    expect(update.changed).toEqual(['customerWaitMinutes', 'baristaWaitMinutes']);
    expect(update.event?.detail).toMatchObject({ customerWaitMinutes: 1, baristaWaitMinutes: 30 });
    expect(update.event?.detail.Message).toBe(
      "Configuration of NYC changed: wait for the customer's drink (minutes) 5 → 1; wait for the barista (minutes) 15 → 30.",
    );
    expect(refused(nyc(), { customerWaitMinutes: 0, baristaWaitMinutes: 2.5 }).details).toEqual([
      { path: '/customerWaitMinutes', message: 'must be between 1 and 60, got 0' },
      { path: '/baristaWaitMinutes', message: 'must be a whole number, got 2.5' },
    ]);
    const { customerWaitMinutes: _c, baristaWaitMinutes: _b, ...older } = nyc();
    expect(parseEventConfig(older)).toEqual({ ok: true, value: nyc() });
  });

  it("has the original's drinks with icons and modifier groups", () => {
    const menu = defaultMenu();
    expect(menu.map((m) => m.drink)).toEqual([
      'Espresso',
      'James Soda',
      'Bens Brew',
      'Flat White',
      'Americano',
      'Caffe Latte',
    ]);
    expect(menu.find((m) => m.drink === 'Flat White')?.icon).toBe('barista-icons_cappuccino-alternative');
    for (const item of menu) {
      expect(item.icon).toMatch(/^barista-icons_/);
      expect(item.available).toBe(true);
    }
    const latte = menu.find((m) => m.drink === 'Caffe Latte');
    expect(latte?.modifiers.map((g) => g.Name)).toEqual(['Milk', 'Size', 'Sugar', 'Syrup']);
  });

  it('passes its own validation', () => {
    expect(validateMenu(defaultMenu())).toEqual({ ok: true, value: defaultMenu() });
    expect(parseEventConfig(nyc())).toEqual({ ok: true, value: nyc() });
  });

  it('gives every caller its own copy', () => {
    const a = defaultConfig('NYC');
    a.menu[0]?.modifiers[0]?.Options.push('Triple');
    expect(defaultConfig('NYC').menu[0]?.modifiers[0]?.Options).toEqual(['Single', 'Double']);
  });

  it('refuses an eventId that cannot be embedded in keys and detail-types', () => {
    expect(() => defaultConfig('NY-C')).toThrow('eventId "NY-C" must be 1 to 40 letters, digits or underscores');
    expect(() => defaultConfig('')).toThrow(RangeError);
  });
});

describe('applyConfigPatch', () => {
  it('opens the store, bumps the version and describes the change', () => {
    const update = applied(nyc(), { storeOpen: true });
    expect(update.changed).toEqual(['storeOpen']);
    expect(update.config).toEqual({ ...nyc(), storeOpen: true, version: 2 });
    expect(update.event?.detailType).toBe('ConfigService.ConfigChanged');
    expect(update.event?.detail).toEqual({
      ...update.config,
      Message: 'Configuration of NYC changed: the store is now open.',
      idempotencyKey: 'NYC:2:ConfigService.ConfigChanged',
    });
  });

  it('applies several fields at once and names each change', () => {
    const update = applied(nyc(), { maxOrdersInQueue: 30, codeRotationMinutes: 10, storeOpen: false });
    expect(update.changed).toEqual(['maxOrdersInQueue', 'codeRotationMinutes']);
    expect(update.event?.detail.Message).toBe(
      'Configuration of NYC changed: queue capacity 20 → 30; QR code rotation (minutes) 5 → 10.',
    );
    expect(update.config.version).toBe(2);
  });

  it('replaces the menu with the validated one', () => {
    const update = applied(nyc(), { menu: [drink({ modifiers: [{ Name: 'Milk', Options: ['Oat'] }] })] });
    expect(update.changed).toEqual(['menu']);
    expect(update.config.menu).toEqual([
      { drink: 'Mocha', icon: 'barista-icons_mocha', available: true, modifiers: [{ Name: 'Milk', Options: ['Oat'] }] },
    ]);
    expect(update.event?.detail.Message).toBe('Configuration of NYC changed: the menu changed.');
  });

  it('accepts a patch that changes nothing without a new version or event (a retried request)', () => {
    const current = nyc();
    for (const patch of [{}, { storeOpen: false }, { menu: defaultMenu(), eventId: 'NYC', version: 1 }]) {
      const update = applied(current, patch);
      expect(update).toEqual({ config: current, changed: [] });
      expect(update.config).toBe(current);
    }
  });

  it('compares menus by value, whatever the key order of the stored config', () => {
    const current = nyc();
    const reordered = current.menu.map((m) => ({
      modifiers: m.modifiers,
      available: m.available,
      icon: m.icon,
      drink: m.drink,
    }));
    expect(applied(current, { menu: reordered }).changed).toEqual([]);
  });

  it('refuses what is not an object', () => {
    for (const patch of [null, [], 'open', 3]) {
      const error = refused(nyc(), patch);
      expect(error.status).toBe(422);
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.details?.[0]?.path).toBe('');
    }
    expect(refused(nyc(), []).details).toEqual([
      { path: '', message: 'the update must be a JSON object of config fields, got an array' },
    ]);
  });

  it('names unknown fields and the allowed ones', () => {
    expect(refused(nyc(), { maxOrders: 3 }).details).toEqual([
      {
        path: '/maxOrders',
        message:
          'is not a field of the config (allowed: storeOpen, robotsAllowed, maxOrdersInQueue, maxOrdersPerUser, drinksPerCode, codeRotationMinutes, customerWaitMinutes, baristaWaitMinutes, menu, eventId, version)',
      },
    ]);
  });

  it('checks types and bounds of every setting, precisely', () => {
    const error = refused(nyc(), {
      storeOpen: 'yes',
      maxOrdersInQueue: -1,
      maxOrdersPerUser: 0,
      drinksPerCode: 2.5,
      codeRotationMinutes: '5',
    });
    expect(error).toEqual({
      status: 422,
      code: 'INVALID_CONFIG',
      message: 'The config update is not valid: /storeOpen must be true or false, got string (and 4 more problems).',
      details: [
        { path: '/storeOpen', message: 'must be true or false, got string' },
        { path: '/maxOrdersInQueue', message: 'must be between 0 and 1000, got -1' },
        { path: '/maxOrdersPerUser', message: 'must be between 1 and 100, got 0' },
        { path: '/drinksPerCode', message: 'must be a whole number, got 2.5' },
        { path: '/codeRotationMinutes', message: 'must be a number, got string' },
      ],
    });
  });

  it('catches typos with upper bounds', () => {
    expect(refused(nyc(), { maxOrdersInQueue: 2000 }).details).toEqual([
      { path: '/maxOrdersInQueue', message: 'must be between 0 and 1000, got 2000' },
    ]);
    expect(refused(nyc(), { codeRotationMinutes: 1441 }).details).toEqual([
      { path: '/codeRotationMinutes', message: 'must be between 1 and 1440, got 1441' },
    ]);
    expect(refused(nyc(), { drinksPerCode: Infinity }).details).toEqual([
      { path: '/drinksPerCode', message: 'must be a finite number, got Infinity' },
    ]);
  });

  it('allows a queue capacity of 0 (the contract minimum): nobody can order', () => {
    expect(applied(nyc(), { maxOrdersInQueue: 0 }).config.maxOrdersInQueue).toBe(0);
  });

  it('refuses a change of eventId, accepts the same one', () => {
    expect(refused(nyc(), { eventId: 'LDN' }).details).toEqual([
      { path: '/eventId', message: 'cannot be changed: this is the config of NYC' },
    ]);
    expect(applied(nyc(), { eventId: 'NYC', storeOpen: true }).changed).toEqual(['storeOpen']);
  });

  it('refuses a patch based on an older version with 409 (optimistic locking)', () => {
    const current = { ...nyc(), version: 4 };
    expect(refused(current, { version: 3, storeOpen: true })).toEqual({
      status: 409,
      code: 'CONFIG_VERSION_CONFLICT',
      message:
        'The config of NYC changed since version 3 (it is now version 4); reload it and apply your change again.',
    });
    expect(applied(current, { version: 4, storeOpen: true }).config.version).toBe(5);
  });

  it('reports an invalid field before a version conflict, and a malformed version as invalid', () => {
    expect(refused({ ...nyc(), version: 4 }, { version: 3, storeOpen: 1 }).status).toBe(422);
    expect(refused(nyc(), { version: 'latest' }).details).toEqual([
      { path: '/version', message: 'must be the whole number of the version this update is based on, got "latest"' },
    ]);
  });

  it('does not touch the current config', () => {
    const current = nyc();
    const copy = structuredClone(current);
    applied(current, { storeOpen: true, menu: [drink()] });
    expect(current).toEqual(copy);
  });
});

describe('menu validation (in a config patch)', () => {
  const problems = (patch: unknown) => refused(nyc(), patch).details;

  it('wants an array of drinks', () => {
    expect(problems({ menu: {} })).toEqual([{ path: '/menu', message: 'must be an array of drinks, got object' }]);
    expect(problems(menuWith('Latte'))).toEqual([
      { path: '/menu/0', message: 'a drink must be an object with drink, icon, available and modifiers, got string' },
    ]);
  });

  it('names every missing or mistyped field of a drink', () => {
    expect(problems(menuWith({ drink: 'Mocha' }))).toEqual([
      { path: '/menu/0/icon', message: 'must be a string, got undefined' },
      { path: '/menu/0/available', message: 'must be true or false, got undefined' },
      { path: '/menu/0/modifiers', message: 'must be an array of modifier groups (may be empty), got undefined' },
    ]);
  });

  it('rejects unknown fields of a drink and of a group (the contract does)', () => {
    expect(problems(menuWith(drink({ price: 3 })))).toEqual([
      { path: '/menu/0/price', message: 'is not a field of a drink (allowed: drink, icon, available, modifiers)' },
    ]);
    expect(problems(menuWith(drink({ modifiers: [{ Name: 'Milk', Options: ['Oat'], Default: 'Oat' }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Default', message: 'is not a field of a modifier group (allowed: Name, Options)' },
    ]);
  });

  it('wants clean, non-empty names', () => {
    expect(problems(menuWith(drink({ drink: '' })))).toEqual([
      { path: '/menu/0/drink', message: 'the drink name must not be empty' },
    ]);
    expect(problems(menuWith(drink({ drink: 'Mocha ' })))).toEqual([
      { path: '/menu/0/drink', message: 'the drink name must not start or end with spaces' },
    ]);
    expect(problems(menuWith(drink({ drink: 'M'.repeat(61) })))).toEqual([
      { path: '/menu/0/drink', message: 'the drink name must be at most 60 characters' },
    ]);
    expect(problems(menuWith(drink({ modifiers: [{ Name: 7, Options: [''] }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Name', message: 'the group name must be a string, got number' },
      { path: '/menu/0/modifiers/0/Options/0', message: 'an option must not be empty' },
    ]);
  });

  it('wants at least one option per group, each once', () => {
    expect(problems(menuWith(drink({ modifiers: [{ Name: 'Milk', Options: [] }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Options', message: 'must offer at least one option' },
    ]);
    expect(problems(menuWith(drink({ modifiers: [{ Name: 'Milk' }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Options', message: 'must be an array of option names, got undefined' },
    ]);
    expect(problems(menuWith(drink({ modifiers: [{ Name: 'Milk', Options: ['Oat', 'Oat'] }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Options/1', message: 'option "Oat" is listed twice' },
    ]);
  });

  it('wants each group once per drink, and each option in one group only', () => {
    expect(
      problems(
        menuWith(
          drink({
            modifiers: [
              { Name: 'Milk', Options: ['Oat', 'Regular'] },
              { Name: 'Milk', Options: ['Soy'] },
              { Name: 'Size', Options: ['Regular', 'Large'] },
            ],
          }),
        ),
      ),
    ).toEqual([
      { path: '/menu/0/modifiers/1/Name', message: 'group "Milk" is listed twice' },
      {
        path: '/menu/0/modifiers/2/Options/0',
        message: 'option "Regular" is already in group "Milk"; an option may belong to one group only',
      },
    ]);
  });

  it('wants each drink once, ignoring case', () => {
    expect(problems({ menu: [drink(), drink({ drink: 'mocha' })] })).toEqual([
      { path: '/menu/1/drink', message: 'drink "mocha" is already on the menu as "Mocha"' },
    ]);
  });

  it('limits the size of a menu', () => {
    const big = Array.from({ length: 51 }, (_, i) => drink({ drink: `Drink ${i}` }));
    expect(problems({ menu: big })).toEqual([{ path: '/menu', message: 'must have at most 50 drinks' }]);
    const options = Array.from({ length: 21 }, (_, i) => `Option ${i}`);
    expect(problems(menuWith(drink({ modifiers: [{ Name: 'Many', Options: options }] })))).toEqual([
      { path: '/menu/0/modifiers/0/Options', message: 'must offer at most 20 options' },
    ]);
  });

  it('allows an empty menu and drinks without modifiers', () => {
    expect(applied(nyc(), { menu: [] }).config.menu).toEqual([]);
    expect(validateMenu([drink()])).toEqual({ ok: true, value: [drink()] });
  });

  it('reports a standalone menu with its own code', () => {
    const result = validateMenu('x');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({
        status: 422,
        code: 'INVALID_MENU',
        message: 'The menu is not valid: /menu must be an array of drinks, got string.',
      });
  });
});

describe('parseEventConfig', () => {
  it('requires every field', () => {
    const result = parseEventConfig({ eventId: 'NYC', version: 1, storeOpen: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.details?.map((d) => d.path)).toEqual([
        '/maxOrdersInQueue',
        '/maxOrdersPerUser',
        '/drinksPerCode',
        '/codeRotationMinutes',
        '/menu',
      ]);
      expect(result.error.details?.[0]?.message).toBe('is required but missing');
    }
  });

  it('checks eventId, version and every field as a patch would', () => {
    const result = parseEventConfig({ ...nyc(), eventId: 'N Y C', version: 0 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.details).toEqual([
        { path: '/eventId', message: 'must be 1 to 40 letters, digits or underscores (e.g. "NYC")' },
        { path: '/version', message: 'must be a whole number from 1, got 0' },
      ]);
    }
    const bad = parseEventConfig({ ...nyc(), drinksPerCode: 0 });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error.message).toBe('The config is not valid: /drinksPerCode must be between 1 and 1000, got 0.');
  });

  it('keeps the stored version, and rejects table keys left in the item', () => {
    expect(parseEventConfig({ ...nyc(), storeOpen: true, version: 7 })).toEqual({
      ok: true,
      value: { ...nyc(), storeOpen: true, version: 7 },
    });
    const result = parseEventConfig({ ...nyc(), PK: 'config-NYC' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.details?.[0]?.path).toBe('/PK');
  });
});

describe('describeConfigChange', () => {
  it('says the store closed, and that nothing changed when nothing did', () => {
    const open = { ...nyc(), storeOpen: true };
    expect(describeConfigChange(open, nyc(), ['storeOpen'])).toBe(
      'Configuration of NYC changed: the store is now closed.',
    );
    expect(describeConfigChange(nyc(), nyc(), [])).toBe('The configuration of NYC is unchanged.');
    expect(
      describeConfigChange(nyc(), { ...nyc(), maxOrdersPerUser: 2, drinksPerCode: 5 }, [
        'maxOrdersPerUser',
        'drinksPerCode',
      ]),
    ).toBe('Configuration of NYC changed: open orders per customer 1 → 2; drinks per QR code 10 → 5.');
  });
});

describe('configChangeEvent', () => {
  it('announces a created config', () => {
    const event = configChangeEvent(undefined, { ...nyc(), storeOpen: true });
    expect(event?.detail).toMatchObject({
      eventId: 'NYC',
      storeOpen: true,
      version: 1,
      Message: 'The configuration of NYC was created: the store is open.',
    });
  });

  it('describes what changed between the two images', () => {
    const before = nyc();
    const after = { ...before, storeOpen: true, maxOrdersInQueue: 30, version: 2 };
    expect(configChangeEvent(before, after)?.detail.Message).toBe(
      'Configuration of NYC changed: the store is now open; queue capacity 20 → 30.',
    );
  });

  it('announces nothing for a rewrite of the same version or a deletion', () => {
    expect(configChangeEvent(nyc(), nyc())).toBeUndefined();
    expect(configChangeEvent(nyc(), undefined)).toBeUndefined();
  });
});

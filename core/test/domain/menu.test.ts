import { describe, expect, it } from '@jest/globals';
import { defaultMenu, type MenuItem } from '../../src/domain/config.js';
import { httpErrorBody, type DomainError } from '../../src/domain/errors.js';
import { customerMenu, sameDrinkOrder, validateDrinkOrder, type DrinkOrder } from '../../src/domain/menu.js';

const menu: MenuItem[] = [
  ...defaultMenu(),
  { drink: 'Hot Chocolate', icon: 'barista-icons_hot-chocolate', available: false, modifiers: [] },
];

function valid(request: unknown): DrinkOrder {
  const result = validateDrinkOrder(menu, request);
  if (!result.ok) throw new Error(`expected a valid order, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function invalid(request: unknown, on: readonly MenuItem[] = menu): DomainError {
  const result = validateDrinkOrder(on, request);
  if (result.ok) throw new Error('expected the order to be refused');
  return result.error;
}

describe('validateDrinkOrder', () => {
  it('accepts a menu drink with options, taking the icon from the menu and the options in menu order', () => {
    expect(valid({ drink: 'Caffe Latte', modifiers: ['Vanilla', 'Oat', 'Large'] })).toEqual({
      drink: 'Caffe Latte',
      modifiers: ['Oat', 'Large', 'Vanilla'],
      icon: 'barista-icons_cafe-latte',
    });
  });

  it('accepts no options at all, or modifiers left out', () => {
    expect(valid({ drink: 'Espresso', modifiers: [] })).toEqual({
      drink: 'Espresso',
      modifiers: [],
      icon: 'barista-icons_espresso',
    });
    expect(valid({ drink: 'Espresso' })).toEqual({ drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso' });
  });

  it("ignores the client's icon and extra fields (the ProducerRobot's body carries them)", () => {
    expect(valid({ drink: 'Flat White', modifiers: ['Whole'], icon: 'evil.png', userId: 'robot' })).toEqual({
      drink: 'Flat White',
      modifiers: ['Whole'],
      icon: 'barista-icons_cappuccino-alternative',
    });
  });

  it('refuses a body that is not a drink order', () => {
    expect(invalid('Flat White')).toEqual({
      status: 422,
      code: 'INVALID_DRINK_ORDER',
      message:
        'The drink order is not valid: the drink order must be an object like {"drink": "Flat White", "modifiers": ["Oat"]}.',
      details: [
        { path: '', message: 'the drink order must be an object like {"drink": "Flat White", "modifiers": ["Oat"]}' },
      ],
    });
    expect(invalid({ modifiers: 'Oat' }).details).toEqual([
      { path: '/drink', message: 'must be the name of a drink on the menu' },
      { path: '/modifiers', message: 'must be an array of option names (e.g. ["Oat"]), or be left out' },
    ]);
    expect(invalid({ drink: 'Flat White', modifiers: ['Oat', 3] }).details).toEqual([
      { path: '/modifiers/1', message: 'must be an option name (a string)' },
    ]);
  });

  it('refuses a drink not on the menu, naming the ones that are (case-sensitive, as on the buttons)', () => {
    const error = invalid({ drink: 'flat white' });
    expect(error.status).toBe(422);
    expect(error.code).toBe('UNKNOWN_DRINK');
    expect(error.message).toBe(
      'The drink order is not valid: drink: "flat white" is not on the menu. Choose one of: Espresso, James Soda, Bens Brew, Flat White, Americano, Caffe Latte.',
    );
    expect(error.details).toEqual([
      {
        path: '/drink',
        message:
          '"flat white" is not on the menu. Choose one of: Espresso, James Soda, Bens Brew, Flat White, Americano, Caffe Latte.',
      },
    ]);
    expect(invalid({ drink: 'Mocha' }, []).details?.[0]?.message).toBe(
      '"Mocha" is not on the menu. Nothing is on the menu right now.',
    );
  });

  it('refuses a drink that is not available', () => {
    expect(invalid({ drink: 'Hot Chocolate' })).toEqual({
      status: 422,
      code: 'DRINK_UNAVAILABLE',
      message: 'The drink order is not valid: drink: Hot Chocolate is not available right now.',
      details: [{ path: '/drink', message: 'Hot Chocolate is not available right now.' }],
    });
  });

  it('refuses an option of no group of the drink, listing the options', () => {
    const error = invalid({ drink: 'Flat White', modifiers: ['Almond'] });
    expect(error.code).toBe('UNKNOWN_MODIFIER');
    expect(error.details).toEqual([
      {
        path: '/modifiers/0',
        message:
          '"Almond" is not an option for Flat White (options: Milk: Whole, Skim, Oat, Soy; Sugar: No sugar, 1 sugar, 2 sugars)',
      },
    ]);
    // An option of another drink is not an option of this one.
    expect(invalid({ drink: 'James Soda', modifiers: ['Oat'] }).details?.[0]?.message).toBe(
      '"Oat" is not an option for James Soda (options: Ice: With ice, No ice)',
    );
    const plain: MenuItem[] = [{ drink: 'Water', icon: 'water', available: true, modifiers: [] }];
    expect(invalid({ drink: 'Water', modifiers: ['Ice'] }, plain).details?.[0]?.message).toBe(
      '"Ice" is not an option for Water (it has no options)',
    );
  });

  it('allows at most one option per group', () => {
    expect(invalid({ drink: 'Flat White', modifiers: ['Oat', 'Soy'] })).toEqual({
      status: 422,
      code: 'ONE_OPTION_PER_GROUP',
      message: 'The drink order is not valid: modifiers/1: "Oat" and "Soy" are both Milk options; choose at most one.',
      details: [{ path: '/modifiers/1', message: '"Oat" and "Soy" are both Milk options; choose at most one' }],
    });
    expect(invalid({ drink: 'Flat White', modifiers: ['Oat', 'Oat'] })).toMatchObject({
      code: 'DUPLICATE_MODIFIER',
      details: [{ path: '/modifiers/1', message: '"Oat" is chosen twice' }],
    });
  });

  it('reports every modifier problem, the first one giving the code', () => {
    const error = invalid({ drink: 'Flat White', modifiers: ['Almond', 'Oat', 'Soy', 'Large'] });
    expect(error.code).toBe('UNKNOWN_MODIFIER');
    expect(error.details?.map((d) => d.path)).toEqual(['/modifiers/0', '/modifiers/2', '/modifiers/3']);
    expect(error.message).toMatch(/\(and 2 more problems\)\.$/);
  });

  it('gives an HTTP 422 body with the code, message and details', () => {
    expect(httpErrorBody(invalid({ drink: 'Hot Chocolate' }))).toEqual({
      error: 'DRINK_UNAVAILABLE',
      message: 'The drink order is not valid: drink: Hot Chocolate is not available right now.',
      details: [{ path: '/drink', message: 'Hot Chocolate is not available right now.' }],
    });
  });
});

describe('customerMenu', () => {
  it('lists the available drinks only, in menu order', () => {
    expect(customerMenu(menu).map((m) => m.drink)).toEqual([
      'Espresso',
      'James Soda',
      'Bens Brew',
      'Flat White',
      'Americano',
      'Caffe Latte',
    ]);
  });
});

describe('sameDrinkOrder', () => {
  const a: DrinkOrder = { drink: 'Caffe Latte', modifiers: ['Oat', 'Large'], icon: 'x' };
  it('compares drink and options, not their order', () => {
    expect(sameDrinkOrder(a, { ...a, modifiers: ['Large', 'Oat'] })).toBe(true);
    expect(sameDrinkOrder(a, { ...a, modifiers: ['Oat'] })).toBe(false);
    expect(sameDrinkOrder(a, { ...a, modifiers: ['Oat', 'Small'] })).toBe(false);
    expect(sameDrinkOrder(a, { ...a, drink: 'Flat White' })).toBe(false);
  });
});

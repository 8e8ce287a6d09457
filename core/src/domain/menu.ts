// A customer's drink order checked against the event's menu. The result carries what the rest of the
// system needs (the menu's icon, modifiers in menu order), never what the client claimed.
import type { MenuItem } from './config.js';
import { fail, ok, unprocessable, type DomainError, type FieldError, type Result } from './errors.js';
import { isRecord } from './values.js';

/** A drink order as the customer's app sends it (the ProducerRobot's body also carries icon and userId, which are ignored). */
export interface DrinkOrderRequest {
  drink: string;
  modifiers?: string[];
}

/** A drink order that passed the menu: the drink, its chosen options in menu order, and the menu's icon. */
export interface DrinkOrder {
  drink: string;
  modifiers: string[];
  icon: string;
}

/** The drinks a customer may order now: the available ones, in menu order. */
export function customerMenu(menu: readonly MenuItem[]): MenuItem[] {
  return menu.filter((item) => item.available);
}

interface Problem extends FieldError {
  code: string;
}

/**
 * Checks a customer's drink order against the menu (an untrusted request body). On failure a 422 whose
 * code is the first problem's (INVALID_DRINK_ORDER, UNKNOWN_DRINK, DRINK_UNAVAILABLE, UNKNOWN_MODIFIER,
 * DUPLICATE_MODIFIER, ONE_OPTION_PER_GROUP) and whose details list every problem with its path.
 * - modifiers may be omitted: no options chosen;
 * - each modifier must be an option of one of the drink's groups, at most one option per group;
 *   choosing nothing from a group is allowed (the barista's default).
 */
export function validateDrinkOrder(menu: readonly MenuItem[], request: unknown): Result<DrinkOrder> {
  const problems: Problem[] = [];
  if (!isRecord(request)) {
    problems.push({
      code: 'INVALID_DRINK_ORDER',
      path: '',
      message: 'the drink order must be an object like {"drink": "Flat White", "modifiers": ["Oat"]}',
    });
    return refuse(problems);
  }
  const { drink, modifiers = [] } = request;
  if (typeof drink !== 'string' || drink === '') {
    problems.push({ code: 'INVALID_DRINK_ORDER', path: '/drink', message: 'must be the name of a drink on the menu' });
  }
  if (!Array.isArray(modifiers)) {
    problems.push({
      code: 'INVALID_DRINK_ORDER',
      path: '/modifiers',
      message: 'must be an array of option names (e.g. ["Oat"]), or be left out',
    });
  } else {
    modifiers.forEach((m: unknown, i) => {
      if (typeof m !== 'string')
        problems.push({
          code: 'INVALID_DRINK_ORDER',
          path: `/modifiers/${i}`,
          message: 'must be an option name (a string)',
        });
    });
  }
  if (problems.length > 0) return refuse(problems);
  const chosen = modifiers as string[];

  const item = menu.find((m) => m.drink === drink);
  if (!item) {
    const offered = customerMenu(menu).map((m) => m.drink);
    const hint = offered.length > 0 ? ` Choose one of: ${offered.join(', ')}.` : ' Nothing is on the menu right now.';
    return refuse([
      { code: 'UNKNOWN_DRINK', path: '/drink', message: `"${String(drink)}" is not on the menu.${hint}` },
    ]);
  }
  if (!item.available) {
    return refuse([
      { code: 'DRINK_UNAVAILABLE', path: '/drink', message: `${item.drink} is not available right now.` },
    ]);
  }

  // Which option of each group was picked, and where in the request, to name both sides of a clash.
  const picked = new Map<string, { option: string; index: number }>();
  chosen.forEach((option, index) => {
    const path = `/modifiers/${index}`;
    const group = item.modifiers.find((g) => g.Options.includes(option));
    if (!group) {
      problems.push({
        code: 'UNKNOWN_MODIFIER',
        path,
        message: `"${option}" is not an option for ${item.drink} (${describeOptions(item)})`,
      });
      return;
    }
    const earlier = picked.get(group.Name);
    if (earlier?.option === option) {
      problems.push({ code: 'DUPLICATE_MODIFIER', path, message: `"${option}" is chosen twice` });
    } else if (earlier) {
      problems.push({
        code: 'ONE_OPTION_PER_GROUP',
        path,
        message: `"${earlier.option}" and "${option}" are both ${group.Name} options; choose at most one`,
      });
    } else {
      picked.set(group.Name, { option, index });
    }
  });
  if (problems.length > 0) return refuse(problems);

  // Menu order, so equal orders compare equal whatever order the options were tapped in.
  const normalized = item.modifiers.flatMap((g) => {
    const p = picked.get(g.Name);
    return p ? [p.option] : [];
  });
  return ok({ drink: item.drink, modifiers: normalized, icon: item.icon });
}

function describeOptions(item: MenuItem): string {
  if (item.modifiers.length === 0) return 'it has no options';
  return `options: ${item.modifiers.map((g) => `${g.Name}: ${g.Options.join(', ')}`).join('; ')}`;
}

function refuse(problems: readonly Problem[]): { ok: false; error: DomainError } {
  const [first] = problems as [Problem, ...Problem[]];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  const where = first.path === '' ? '' : `${first.path.slice(1)}: `;
  const reason = first.message.replace(/\.$/, '');
  return fail(
    unprocessable(
      first.code,
      `The drink order is not valid: ${where}${reason}${more}.`,
      problems.map(({ path, message }) => ({ path, message })),
    ),
  );
}

/** Whether two validated drink orders are the same drink with the same options (as compared for idempotency). */
export function sameDrinkOrder(a: DrinkOrder, b: DrinkOrder): boolean {
  const left = [...a.modifiers].sort();
  const right = [...b.modifiers].sort();
  return a.drink === b.drink && left.length === right.length && left.every((m, i) => m === right[i]);
}

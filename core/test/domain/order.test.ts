import { describe, expect, it } from '@jest/globals';
import type { DomainError } from '../../src/domain/errors.js';
import type { DrinkOrder } from '../../src/domain/menu.js';
import {
  baristaQueue,
  isOpen,
  publicOrder,
  isQueued,
  orderStateOf,
  orderWritePrecondition,
  parseOrderState,
  transition,
  type Actor,
  type Order,
  type OrderAction,
  type TransitionOutcome,
} from '../../src/domain/order.js';

const T0 = Date.UTC(2026, 10, 21, 12, 52, 21);
const system: Actor = { role: 'system' };
const alice: Actor = { role: 'customer', userId: 'alice' };
const mallory: Actor = { role: 'customer', userId: 'mallory' };
const barista1: Actor = { role: 'barista', userId: 'barista-1' };
const barista2: Actor = { role: 'barista', userId: 'barista-2' };
const admin: Actor = { role: 'admin', userId: 'admin-1' };
const flatWhite: DrinkOrder = { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' };
const espresso: DrinkOrder = { drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso' };

const started: OrderAction = {
  type: 'workflowStarted',
  orderId: 'order-1',
  eventId: 'NYC',
  userId: 'alice',
  taskToken: 'token-order',
  at: T0,
};
const submit: OrderAction = { type: 'submitDrink', drinkOrder: flatWhite, at: T0 + 60_000 };
const numbered: OrderAction = { type: 'numbered', orderNumber: '112', taskToken: 'token-completion', at: T0 + 65_000 };
const make: OrderAction = { type: 'make', at: T0 + 120_000 };
const unmake: OrderAction = { type: 'unmake', at: T0 + 130_000 };
const complete: OrderAction = { type: 'complete', at: T0 + 240_000 };
const cancel: OrderAction = { type: 'cancel', at: T0 + 90_000 };

// Frozen deeply: transition must never mutate what it is given.
function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(freeze);
    Object.freeze(value);
  }
  return value;
}

function apply(order: Order | undefined, action: OrderAction, actor: Actor): TransitionOutcome {
  const result = transition(order === undefined ? undefined : freeze(order), action, actor);
  if (!result.ok) throw new Error(`expected ${action.type} to succeed, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function refuse(order: Order | undefined, action: OrderAction, actor: Actor): DomainError {
  const result = transition(order === undefined ? undefined : freeze(order), action, actor);
  if (result.ok) throw new Error(`expected ${action.type} to be refused, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Runs actions in sequence from nothing, returning the last order. */
function orderAfter(...steps: [OrderAction, Actor][]): Order {
  let order: Order | undefined;
  for (const [action, actor] of steps) order = apply(order, action, actor).order;
  if (!order) throw new Error('no steps');
  return order;
}

const created = () => orderAfter([started, system]);
const submitted = () => orderAfter([started, system], [submit, alice]);
const queued = () => orderAfter([started, system], [submit, alice], [numbered, system]);
const making = () => orderAfter([started, system], [submit, alice], [numbered, system], [make, barista1]);
const completed = () =>
  orderAfter([started, system], [submit, alice], [numbered, system], [make, barista1], [complete, barista1]);
const cancelledByAlice = () => orderAfter([started, system], [cancel, alice]);

describe('workflowStarted', () => {
  it('creates the order, CREATED, with the token of the customer wait', () => {
    expect(apply(undefined, started, system)).toEqual({
      order: {
        orderId: 'order-1',
        eventId: 'NYC',
        userId: 'alice',
        status: 'CREATED',
        robot: false,
        version: 1,
        createdAt: T0,
        updatedAt: T0,
        orderTaskToken: 'token-order',
      },
      duplicate: false,
    });
    expect(apply(undefined, { ...started, robot: true }, system).order.robot).toBe(true);
  });

  it('is a duplicate when delivered again with the same token', () => {
    const order = created();
    const again = apply(order, started, system);
    expect(again).toEqual({ order, duplicate: true });
    expect(again.order).toBe(order);
  });

  it('takes a newer token while the customer wait lasts (a retried wait), and refuses it later', () => {
    const retried = apply(created(), { ...started, taskToken: 'token-order-2', at: T0 + 1000 }, system);
    expect(retried.duplicate).toBe(false);
    expect(retried.order).toMatchObject({
      orderTaskToken: 'token-order-2',
      version: 2,
      updatedAt: T0 + 1000,
      createdAt: T0,
    });
    expect(refuse(submitted(), { ...started, taskToken: 'token-order-2' }, system)).toEqual({
      status: 409,
      code: 'STALE_EVENT',
      message: 'Order order-1 is already past the customer wait (SUBMITTED); the new workflow token is stale.',
    });
  });

  it('refuses an orderId already used by another customer or event', () => {
    expect(refuse(created(), { ...started, userId: 'bob' }, system)).toEqual({
      status: 409,
      code: 'ORDER_ID_CONFLICT',
      message: 'Order order-1 already exists for another customer or event.',
    });
    expect(refuse(created(), { ...started, eventId: 'LDN' }, system).code).toBe('ORDER_ID_CONFLICT');
  });

  it('refuses malformed input and anyone but the workflow', () => {
    expect(refuse(undefined, { ...started, eventId: 'N-Y' }, system)).toEqual({
      status: 400,
      code: 'INVALID_EVENT_ID',
      message: 'eventId must be 1 to 40 letters, digits or underscores (e.g. "NYC").',
    });
    expect(refuse(undefined, { ...started, taskToken: '' }, system).code).toBe('INVALID_WORKFLOW_START');
    expect(refuse(undefined, started, alice)).toEqual({
      status: 403,
      code: 'WRONG_ROLE',
      message: 'A customer may not start an order workflow.',
    });
  });
});

describe('submitDrink', () => {
  it('records the drink and resumes the customer wait', () => {
    const outcome = apply(created(), submit, alice);
    expect(outcome.duplicate).toBe(false);
    expect(outcome.order).toMatchObject({
      status: 'SUBMITTED',
      drinkOrder: flatWhite,
      submittedAt: T0 + 60_000,
      version: 2,
      updatedAt: T0 + 60_000,
    });
    expect(outcome.resume).toEqual({ taskToken: 'token-order', output: { cancelled: false } });
    expect(isQueued(outcome.order)).toBe(false);
  });

  it("is only for the order's own customer", () => {
    expect(refuse(created(), submit, mallory)).toEqual({
      status: 403,
      code: 'NOT_YOUR_ORDER',
      message: 'This order belongs to another customer.',
    });
    expect(refuse(created(), submit, barista1)).toEqual({
      status: 403,
      code: 'WRONG_ROLE',
      message: 'A barista may not submit a drink order.',
    });
    expect(refuse(created(), submit, system).code).toBe('WRONG_ROLE');
  });

  it('404s for a missing order, or one of another event for a scoped actor', () => {
    expect(refuse(undefined, submit, alice)).toEqual({
      status: 404,
      code: 'ORDER_NOT_FOUND',
      message: 'No such order.',
    });
    expect(refuse(created(), submit, { ...alice, eventId: 'LDN' }).status).toBe(404);
    expect(apply(created(), submit, { ...alice, eventId: 'NYC' }).order.status).toBe('SUBMITTED');
  });

  it('is a duplicate when the same drink comes again, resuming again while not yet numbered', () => {
    const order = submitted();
    expect(apply(order, { ...submit, drinkOrder: { ...flatWhite } }, alice)).toEqual({
      order,
      duplicate: true,
      resume: { taskToken: 'token-order', output: { cancelled: false } },
    });
    const later = queued();
    expect(apply(later, submit, alice)).toEqual({ order: later, duplicate: true });
  });

  it('refuses a second, different drink', () => {
    expect(refuse(submitted(), { ...submit, drinkOrder: espresso }, alice)).toEqual({
      status: 409,
      code: 'ALREADY_ORDERED',
      message: 'Order order-1 already has a drink (Flat White); order another drink with a new QR code scan.',
    });
    expect(refuse(queued(), { ...submit, drinkOrder: espresso }, alice).message).toBe(
      'Order 112 already has a drink (Flat White); order another drink with a new QR code scan.',
    );
    expect(refuse(completed(), { ...submit, drinkOrder: espresso }, alice)).toMatchObject({
      status: 409,
      code: 'ALREADY_COMPLETED',
    });
  });

  it('refuses a drink for a cancelled order', () => {
    expect(refuse(cancelledByAlice(), submit, alice)).toEqual({
      status: 409,
      code: 'ALREADY_CANCELLED',
      message: 'Order order-1 was cancelled (by the customer).',
    });
  });
});

describe('numbered (OrderProcessor.WaitingCompletion)', () => {
  it('puts a submitted order in the barista queue with its number and the barista-wait token', () => {
    const outcome = apply(submitted(), numbered, system);
    expect(outcome).toEqual({
      order: {
        ...submitted(),
        orderNumber: '112',
        completionTaskToken: 'token-completion',
        queuedAt: T0 + 65_000,
        version: 3,
        updatedAt: T0 + 65_000,
      },
      duplicate: false,
    });
    expect(isQueued(outcome.order)).toBe(true);
  });

  it('is a duplicate with the same token; a newer token replaces the old one but the number stays', () => {
    const order = queued();
    expect(apply(order, numbered, system)).toEqual({ order, duplicate: true });
    const retried = apply(
      order,
      { ...numbered, orderNumber: '113', taskToken: 'token-completion-2', at: T0 + 70_000 },
      system,
    ).order;
    expect(retried).toMatchObject({
      orderNumber: '112',
      completionTaskToken: 'token-completion-2',
      queuedAt: T0 + 65_000,
    });
    const whileMaking = apply(making(), { ...numbered, taskToken: 'token-completion-3' }, system).order;
    expect(whileMaking).toMatchObject({
      status: 'MAKING',
      completionTaskToken: 'token-completion-3',
      baristaUserId: 'barista-1',
    });
  });

  it('out of order: arriving before the drink is recorded, it holds the number until the drink comes', () => {
    const early = apply(created(), numbered, system).order;
    expect(early).toMatchObject({
      status: 'SUBMITTED',
      orderNumber: '112',
      completionTaskToken: 'token-completion',
      orderTaskToken: 'token-order',
    });
    expect(early.drinkOrder).toBeUndefined();
    expect(isQueued(early)).toBe(false);
    expect(refuse(early, make, barista1)).toEqual({
      status: 409,
      code: 'NOT_IN_QUEUE',
      message: 'Order 112 is not in the barista queue: no drink has been ordered yet.',
    });

    // The drink then completes it; the workflow has already moved on, so nothing is resumed.
    const late = apply(early, submit, alice);
    expect(late.resume).toBeUndefined();
    expect(late.order).toMatchObject({ status: 'SUBMITTED', drinkOrder: flatWhite, orderNumber: '112' });
    expect(isQueued(late.order)).toBe(true);
  });

  it('releases the workflow at once when the order was cancelled before it was numbered', () => {
    const cancelled = orderAfter([started, system], [submit, alice], [cancel, alice]);
    const outcome = apply(cancelled, numbered, system);
    expect(outcome.order).toMatchObject({ status: 'CANCELLED', completionTaskToken: 'token-completion' });
    expect(outcome.resume).toEqual({ taskToken: 'token-completion', output: { cancelled: true } });
    expect(apply(outcome.order, numbered, system)).toEqual({
      order: outcome.order,
      duplicate: true,
      resume: { taskToken: 'token-completion', output: { cancelled: true } },
    });
  });

  it('refuses a malformed number or token, a completed order, and anyone but the workflow', () => {
    expect(refuse(submitted(), { ...numbered, orderNumber: 'A12' }, system)).toEqual({
      status: 400,
      code: 'INVALID_ORDER_NUMBER',
      message: 'orderNumber must be a string of digits, got "A12".',
    });
    expect(refuse(submitted(), { ...numbered, taskToken: '' }, system).code).toBe('INVALID_TASK_TOKEN');
    expect(refuse(completed(), { ...numbered, taskToken: 'other' }, system)).toEqual({
      status: 409,
      code: 'ALREADY_COMPLETED',
      message: 'Order 112 is already completed.',
    });
    expect(refuse(submitted(), numbered, admin).code).toBe('WRONG_ROLE');
    expect(refuse(undefined, numbered, system).code).toBe('ORDER_NOT_FOUND');
  });
});

describe('make and unmake', () => {
  it('lets a barista claim a queued order', () => {
    const outcome = apply(queued(), make, barista1);
    expect(outcome.order).toMatchObject({
      status: 'MAKING',
      baristaUserId: 'barista-1',
      claimedAt: T0 + 120_000,
      version: 4,
    });
    expect(outcome.resume).toBeUndefined();
  });

  it('is a duplicate for the same barista, a conflict for another', () => {
    const order = making();
    expect(apply(order, make, barista1)).toEqual({ order, duplicate: true });
    expect(refuse(order, make, barista2)).toEqual({
      status: 409,
      code: 'ALREADY_CLAIMED',
      message: 'Order 112 is already being made by another barista.',
    });
  });

  it('refuses orders not in the queue, finished ones, and customers', () => {
    expect(refuse(created(), make, barista1).message).toBe(
      'Order order-1 is not in the barista queue: no drink has been ordered yet.',
    );
    expect(refuse(submitted(), make, barista1)).toEqual({
      status: 409,
      code: 'NOT_IN_QUEUE',
      message: 'Order order-1 is not in the barista queue: it has no order number yet.',
    });
    expect(refuse(completed(), make, barista1).code).toBe('ALREADY_COMPLETED');
    expect(refuse(queued(), make, alice)).toEqual({
      status: 403,
      code: 'WRONG_ROLE',
      message: 'A customer may not claim an order.',
    });
  });

  it('lets the claiming barista or an admin release the claim, back to the queue', () => {
    const released = apply(making(), unmake, barista1).order;
    expect(released.status).toBe('SUBMITTED');
    expect(released).not.toHaveProperty('baristaUserId');
    expect(released).not.toHaveProperty('claimedAt');
    expect(isQueued(released)).toBe(true);
    expect(apply(making(), unmake, admin).order.status).toBe('SUBMITTED');
  });

  it("forbids releasing someone else's claim", () => {
    expect(refuse(making(), unmake, barista2)).toEqual({
      status: 403,
      code: 'CLAIMED_BY_OTHER',
      message: 'Order 112 is being made by another barista; only they or an admin can change it.',
    });
  });

  it('is a duplicate on an unclaimed order, a conflict before the queue or after the end', () => {
    const order = queued();
    expect(apply(order, unmake, barista1)).toEqual({ order, duplicate: true });
    expect(refuse(created(), unmake, barista1).code).toBe('NOT_IN_QUEUE');
    expect(refuse(completed(), unmake, barista1).code).toBe('ALREADY_COMPLETED');
  });
});

describe('complete', () => {
  it('completes the claimed order and resumes the barista wait', () => {
    const outcome = apply(making(), complete, barista1);
    expect(outcome.order).toMatchObject({
      status: 'COMPLETED',
      completedAt: T0 + 240_000,
      finishedBy: 'barista-1',
      baristaUserId: 'barista-1',
    });
    expect(outcome.resume).toEqual({ taskToken: 'token-completion', output: { cancelled: false } });
    expect(isOpen(outcome.order)).toBe(false);
  });

  it('completes straight from the queue, as the robot baristas do', () => {
    const outcome = apply(queued(), complete, barista2);
    expect(outcome.order).toMatchObject({ status: 'COMPLETED', baristaUserId: 'barista-2', finishedBy: 'barista-2' });
    expect(outcome.resume?.taskToken).toBe('token-completion');
  });

  it('is a duplicate for the same barista (resuming again), a conflict for another', () => {
    const order = completed();
    expect(apply(order, complete, barista1)).toEqual({
      order,
      duplicate: true,
      resume: { taskToken: 'token-completion', output: { cancelled: false } },
    });
    expect(refuse(order, complete, barista2)).toEqual({
      status: 409,
      code: 'ALREADY_COMPLETED',
      message: 'Order 112 was already completed by another barista.',
    });
  });

  it("forbids completing another barista's claim, except for an admin", () => {
    expect(refuse(making(), complete, barista2).code).toBe('CLAIMED_BY_OTHER');
    expect(apply(making(), complete, admin).order).toMatchObject({
      status: 'COMPLETED',
      finishedBy: 'admin-1',
      baristaUserId: 'barista-1',
    });
  });

  it('refuses to complete after a cancellation, before the queue, or for a customer', () => {
    const cancelled = orderAfter([started, system], [submit, alice], [numbered, system], [cancel, barista1]);
    expect(refuse(cancelled, complete, barista1)).toEqual({
      status: 409,
      code: 'ALREADY_CANCELLED',
      message: 'Order 112 was cancelled (by a barista).',
    });
    expect(refuse(created(), complete, barista1).code).toBe('NOT_IN_QUEUE');
    expect(refuse(making(), complete, alice).code).toBe('WRONG_ROLE');
  });
});

describe('cancel', () => {
  it('lets the customer cancel before ordering, releasing the customer wait', () => {
    const outcome = apply(created(), cancel, alice);
    expect(outcome.order).toMatchObject({
      status: 'CANCELLED',
      reason: 'customer',
      cancelledAt: T0 + 90_000,
      finishedBy: 'alice',
    });
    expect(outcome.resume).toEqual({ taskToken: 'token-order', output: { cancelled: true } });
  });

  it('lets the customer cancel a queued order, releasing the barista wait', () => {
    expect(apply(queued(), cancel, alice).resume).toEqual({
      taskToken: 'token-completion',
      output: { cancelled: true },
    });
  });

  it('has nothing to release between submission and numbering (numbered releases it later)', () => {
    const outcome = apply(submitted(), cancel, alice);
    expect(outcome.order.status).toBe('CANCELLED');
    expect(outcome.resume).toBeUndefined();
  });

  it("does not let the customer cancel once a barista is making it, nor cancel another customer's order", () => {
    expect(refuse(making(), cancel, alice)).toEqual({
      status: 409,
      code: 'ORDER_BEING_MADE',
      message: 'A barista is already making order 112; it can no longer be cancelled from the app.',
    });
    expect(refuse(queued(), cancel, mallory).code).toBe('NOT_YOUR_ORDER');
  });

  it('lets a barista cancel queued orders and their own, with reason barista', () => {
    expect(apply(queued(), cancel, barista2).order).toMatchObject({
      status: 'CANCELLED',
      reason: 'barista',
      finishedBy: 'barista-2',
    });
    expect(apply(making(), cancel, barista1).order.reason).toBe('barista');
    expect(refuse(making(), cancel, barista2).code).toBe('CLAIMED_BY_OTHER');
    expect(refuse(created(), cancel, barista1)).toEqual({
      status: 409,
      code: 'NOT_IN_QUEUE',
      message: 'Order order-1 is not in the barista queue: no drink has been ordered yet.',
    });
  });

  it('lets an admin cancel any open order', () => {
    for (const order of [created(), submitted(), queued(), making()]) {
      expect(apply(order, cancel, admin).order).toMatchObject({
        status: 'CANCELLED',
        reason: 'barista',
        finishedBy: 'admin-1',
      });
    }
  });

  it('is a duplicate on a cancelled order, whoever asks; the first reason stays', () => {
    const order = cancelledByAlice();
    expect(apply(order, cancel, alice)).toEqual({
      order,
      duplicate: true,
      resume: { taskToken: 'token-order', output: { cancelled: true } },
    });
    expect(apply(order, cancel, admin).order.reason).toBe('customer');
  });

  it('refuses to cancel a completed order', () => {
    expect(refuse(completed(), cancel, admin)).toEqual({
      status: 409,
      code: 'ALREADY_COMPLETED',
      message: 'Order 112 is already completed.',
    });
  });
});

describe('timeout (OrderProcessor.OrderTimeOut)', () => {
  it('cancels an order whose customer did not order in time', () => {
    const outcome = apply(created(), { type: 'timeout', cause: 'customer', at: T0 + 300_000 }, system);
    expect(outcome.order).toMatchObject({
      status: 'CANCELLED',
      reason: 'timeout',
      timeoutCause: 'customer',
      cancelledAt: T0 + 300_000,
    });
    expect(outcome.order.finishedBy).toBeUndefined();
    expect(outcome.resume).toBeUndefined();
  });

  it('cancels an order the barista did not finish in time, claimed or not', () => {
    const timeout: OrderAction = { type: 'timeout', cause: 'barista', at: T0 + 900_000 };
    expect(apply(making(), timeout, system).order).toMatchObject({
      status: 'CANCELLED',
      reason: 'timeout',
      timeoutCause: 'barista',
    });
    expect(apply(queued(), timeout, system).order.status).toBe('CANCELLED');
  });

  it('is a duplicate on a cancelled order, and ignored (409) on a completed one', () => {
    const timeout: OrderAction = { type: 'timeout', cause: 'barista', at: T0 + 900_000 };
    const order = apply(queued(), timeout, system).order;
    expect(apply(order, timeout, system)).toEqual({ order, duplicate: true });
    expect(apply(cancelledByAlice(), timeout, system).duplicate).toBe(true);
    expect(refuse(completed(), timeout, system)).toEqual({
      status: 409,
      code: 'ALREADY_COMPLETED',
      message: 'Order 112 was completed before the workflow timed out; the timeout is ignored.',
    });
    expect(refuse(apply(queued(), timeout, system).order, complete, barista1).message).toBe(
      'Order 112 was cancelled (it timed out).',
    );
  });

  it('comes from the workflow only', () => {
    expect(refuse(queued(), { type: 'timeout', cause: 'barista', at: T0 }, admin)).toEqual({
      status: 403,
      code: 'WRONG_ROLE',
      message: 'An admin may not time out an order.',
    });
  });
});

describe('the whole life of an order', () => {
  it('counts one version per change and never changes its identity', () => {
    const order = completed();
    expect(order).toMatchObject({
      orderId: 'order-1',
      eventId: 'NYC',
      userId: 'alice',
      createdAt: T0,
      version: 5,
      updatedAt: T0 + 240_000,
    });
  });

  it('refuses an unknown action from an untyped caller loudly', () => {
    expect(() => transition(queued(), { type: 'teleport', at: T0 } as unknown as OrderAction, system)).toThrow(
      'unknown order action {"type":"teleport"',
    );
  });
});

describe('helpers', () => {
  it('write an order only over the version that was read, or where none is stored', () => {
    expect(orderWritePrecondition(undefined)).toEqual({ absent: true });
    expect(orderWritePrecondition(queued())).toEqual({ absent: false, version: 3 });
    // A change writes the next version over the one it read.
    const before = queued();
    const outcome = transition(before, { type: 'make', at: T0 + 1 }, barista1);
    expect(outcome.ok && outcome.value.order.version).toBe(4);
    expect(orderWritePrecondition(before)).toEqual({ absent: false, version: 3 });
  });

  it('write and read the original state strings', () => {
    expect(orderStateOf(completed())).toBe('NYC-COMPLETED');
    expect(parseOrderState('NYC-CANCELLED')).toEqual({ eventId: 'NYC', status: 'CANCELLED' });
    expect(parseOrderState('NEW_YORK-CREATED')).toEqual({ eventId: 'NEW_YORK', status: 'CREATED' });
    for (const s of ['CANCELLED', '-CANCELLED', 'NYC-DONE', 'NYC']) expect(parseOrderState(s)).toBeUndefined();
  });

  it('list the barista board of one event, oldest first', () => {
    const a = { ...queued(), orderId: 'a', orderNumber: '7', queuedAt: T0 + 5 };
    const b = { ...making(), orderId: 'b', orderNumber: '5', queuedAt: T0 + 1 };
    const c = { ...queued(), orderId: 'c', orderNumber: '6', queuedAt: T0 + 5 };
    const elsewhere = { ...queued(), orderId: 'd', eventId: 'LDN' };
    expect(
      baristaQueue([a, completed(), created(), submitted(), elsewhere, c, b], 'NYC').map((o) => o.orderId),
    ).toEqual(['b', 'c', 'a']);
  });
});

describe('a drink that overtakes the workflow start (bus consumers only)', () => {
  const early: OrderAction = { ...submit, robot: true, early: { orderId: 'order-1', eventId: 'NYC' } };

  it('creates the order around the drink, CREATED and without a token: nothing to resume yet', () => {
    expect(apply(undefined, early, alice)).toEqual({
      order: {
        orderId: 'order-1',
        eventId: 'NYC',
        userId: 'alice',
        status: 'CREATED',
        robot: true,
        version: 1,
        createdAt: T0 + 60_000,
        updatedAt: T0 + 60_000,
        drinkOrder: flatWhite,
        submittedAt: T0 + 60_000,
      },
      duplicate: false,
    });
  });

  it('then the workflow start takes the token and resumes the wait at once', () => {
    const order = orderAfter([early, alice]);
    const outcome = apply(order, started, system);
    expect(outcome.order).toMatchObject({
      status: 'SUBMITTED',
      orderTaskToken: 'token-order',
      drinkOrder: flatWhite,
      version: 2,
    });
    expect(outcome.resume).toEqual({ taskToken: 'token-order', output: { cancelled: false } });
    // A redelivered start resumes again (the first attempt may have died before resuming), and changes nothing.
    expect(apply(outcome.order, started, system)).toEqual({
      order: outcome.order,
      duplicate: true,
      resume: { taskToken: 'token-order', output: { cancelled: false } },
    });
    expect(apply(outcome.order, numbered, system).order.status).toBe('SUBMITTED');
    expect(isQueued(apply(outcome.order, numbered, system).order)).toBe(true);
  });

  it('a start finding the early order cancelled resumes the wait as cancelled', () => {
    const order = orderAfter([early, alice], [cancel, alice]);
    expect(apply(order, started, system).resume).toEqual({ taskToken: 'token-order', output: { cancelled: true } });
  });

  it('needs a valid event and order id, and is no way around the 404 for people (HTTP sends no early)', () => {
    expect(refuse(undefined, { ...early, early: { orderId: 'order-1', eventId: 'N-Y' } }, alice).code).toBe(
      'INVALID_EVENT_ID',
    );
    expect(refuse(undefined, { ...early, early: { orderId: '', eventId: 'NYC' } }, alice).code).toBe(
      'INVALID_ORDER_ID',
    );
    expect(refuse(undefined, submit, alice).code).toBe('ORDER_NOT_FOUND');
  });

  it("a robot drink acts on robot orders only: a customer's order refuses it (the bus trusts no body)", () => {
    const robotOrder = { ...created(), userId: 'robot', robot: true };
    const robotCustomer: Actor = { role: 'customer', userId: 'robot' };
    expect(apply(robotOrder, { ...submit, robot: true }, robotCustomer).order.robot).toBe(true);
    expect(refuse(created(), { ...submit, robot: true }, alice)).toMatchObject({
      status: 403,
      code: 'NOT_A_ROBOT_ORDER',
    });
    expect(apply(created(), submit, alice).order.robot).toBe(false);
  });

  it("a robot barista's completion or cancellation is refused on a customer's order", () => {
    const robotBarista: Actor = { role: 'barista', userId: 'robot-barista' };
    for (const action of [
      { ...complete, early: true, robot: true },
      { ...cancel, early: true, robot: true },
    ] as OrderAction[]) {
      const error = refuse(submitted(), action, robotBarista);
      expect(error.code).toBe('NOT_A_ROBOT_ORDER');
      expect(error.message).toContain('is not a robot order');
    }
    const robotOrder = { ...submitted(), userId: 'robot', robot: true };
    expect(apply(robotOrder, { ...cancel, early: true, robot: true }, robotBarista).order.status).toBe('CANCELLED');
  });
});

describe("a robot barista's answer that overtakes the queue (bus consumers only)", () => {
  // OrderRobot.FulfillOrder answers ProducerRobot.FulfillOrder without waiting for the number.
  const robot: Actor = { role: 'barista', userId: 'robot-barista' };
  const earlyComplete: OrderAction = { ...complete, early: true };
  const earlyCancel: OrderAction = { ...cancel, early: true };
  const earlyDrink: OrderAction = { ...submit, robot: true, early: { orderId: 'order-1', eventId: 'NYC' } };

  it('keeps a completion that arrives before the number, then completes the order in the write that queues it', () => {
    const held = apply(submitted(), earlyComplete, robot);
    expect(held.order).toMatchObject({
      status: 'SUBMITTED',
      pendingCompletion: { baristaUserId: 'robot-barista', at: T0 + 240_000 },
      version: 3,
    });
    expect(held.resume).toBeUndefined();
    expect(isQueued(held.order)).toBe(false);
    // Redelivered: nothing changes; another barista's completion is refused.
    expect(apply(held.order, earlyComplete, robot)).toEqual({ order: held.order, duplicate: true });
    expect(refuse(held.order, earlyComplete, barista1).code).toBe('ALREADY_COMPLETED');

    const done = apply(held.order, numbered, system);
    expect(done.order).toMatchObject({
      status: 'COMPLETED',
      orderNumber: '112',
      queuedAt: T0 + 65_000,
      completedAt: T0 + 65_000,
      finishedBy: 'robot-barista',
      baristaUserId: 'robot-barista',
      version: 4,
    });
    expect(done.order).not.toHaveProperty('pendingCompletion');
    expect(done.resume).toEqual({ taskToken: 'token-completion', output: { cancelled: false } });
    // The number redelivered, the robot's answer redelivered: duplicates.
    expect(apply(done.order, numbered, system).duplicate).toBe(true);
    expect(apply(done.order, earlyComplete, robot)).toMatchObject({
      duplicate: true,
      resume: { taskToken: 'token-completion', output: { cancelled: false } },
    });
  });

  it('keeps it through every reordering: drink before the start, number before the drink', () => {
    const early = orderAfter([earlyDrink, alice], [earlyComplete, robot], [started, system]);
    expect(early).toMatchObject({ status: 'SUBMITTED', pendingCompletion: { baristaUserId: 'robot-barista' } });
    expect(apply(early, numbered, system).order).toMatchObject({ status: 'COMPLETED', finishedBy: 'robot-barista' });

    const numberFirst = orderAfter([started, system], [earlyComplete, robot], [numbered, system]);
    expect(numberFirst).toMatchObject({
      status: 'SUBMITTED',
      orderNumber: '112',
      pendingCompletion: { baristaUserId: 'robot-barista' },
    });
    const drink = apply(numberFirst, submit, alice);
    expect(drink.order).toMatchObject({ status: 'COMPLETED', drinkOrder: flatWhite, finishedBy: 'robot-barista' });
    expect(drink.resume).toEqual({ taskToken: 'token-completion', output: { cancelled: false } });
  });

  it('is for bus consumers only: a person still gets 409 NOT_IN_QUEUE', () => {
    expect(refuse(submitted(), complete, barista1).code).toBe('NOT_IN_QUEUE');
    expect(refuse(created(), cancel, barista1).code).toBe('NOT_IN_QUEUE');
  });

  it('refuses what cannot happen any more, idempotently: a finished order stays as it is', () => {
    const cancelled = orderAfter([started, system], [submit, alice], [numbered, system], [cancel, barista1]);
    expect(refuse(cancelled, earlyComplete, robot).code).toBe('ALREADY_CANCELLED');
    expect(refuse(completed(), earlyComplete, robot).code).toBe('ALREADY_COMPLETED');
    expect(apply(cancelled, earlyCancel, robot).duplicate).toBe(true);
  });

  it('applies a cancellation at once: it needs no number, and the workflow is released at its next wait', () => {
    const beforeDrink = apply(created(), earlyCancel, robot);
    expect(beforeDrink.order).toMatchObject({ status: 'CANCELLED', reason: 'barista', finishedBy: 'robot-barista' });
    expect(beforeDrink.resume).toEqual({ taskToken: 'token-order', output: { cancelled: true } });
    const early = apply(orderAfter([earlyDrink, alice]), earlyCancel, robot);
    expect(early.resume).toBeUndefined();
    expect(apply(early.order, started, system).resume).toEqual({
      taskToken: 'token-order',
      output: { cancelled: true },
    });
  });

  it('drops a held completion when the order ends another way', () => {
    const held = orderAfter([started, system], [submit, alice], [earlyComplete, robot]);
    expect(apply(held, cancel, alice).order).not.toHaveProperty('pendingCompletion');
    expect(apply(held, { type: 'timeout', cause: 'customer', at: T0 + 300_000 }, system).order).not.toHaveProperty(
      'pendingCompletion',
    );
  });
});

describe('refused (OrderProcessor.ShopUnavailable)', () => {
  const refused: OrderAction = {
    type: 'refused',
    orderId: 'order-1',
    eventId: 'NYC',
    userId: 'alice',
    code: 'STORE_CLOSED',
    message: 'The coffee bar is closed right now, so it takes no orders.',
    at: T0 + 1_000,
  };
  const earlyDrink: OrderAction = { ...submit, robot: true, early: { orderId: 'order-1', eventId: 'NYC' } };
  const robot: Actor = { role: 'barista', userId: 'robot-barista' };

  it('stores the order refused: cancelled with reason refused, in no queue; a repeat is a duplicate', () => {
    const outcome = apply(undefined, refused, system);
    expect(outcome).toEqual({
      order: {
        orderId: 'order-1',
        eventId: 'NYC',
        userId: 'alice',
        status: 'CANCELLED',
        robot: false,
        version: 1,
        createdAt: T0 + 1_000,
        updatedAt: T0 + 1_000,
        cancelledAt: T0 + 1_000,
        reason: 'refused',
        refusal: { code: 'STORE_CLOSED', message: 'The coffee bar is closed right now, so it takes no orders.' },
      },
      duplicate: false,
    });
    expect(isOpen(outcome.order)).toBe(false);
    expect(baristaQueue([outcome.order], 'NYC')).toEqual([]);
    expect(apply(outcome.order, refused, system)).toEqual({ order: outcome.order, duplicate: true });
  });

  it("refuses the drink that follows (409 ORDER_REFUSED), the robot's or the customer's", () => {
    const order = orderAfter([refused, system]);
    const robotOrder = orderAfter([{ ...refused, userId: 'robot', robot: true }, system]);
    const error = refuse(robotOrder, earlyDrink, { role: 'customer', userId: 'robot' });
    expect(error).toEqual({
      status: 409,
      code: 'ORDER_REFUSED',
      message: 'Order order-1 was refused: The coffee bar is closed right now, so it takes no orders.',
    });
    expect(refuse(order, submit, alice).code).toBe('ORDER_REFUSED');
    expect(refuse(order, { ...complete, early: true }, robot).code).toBe('ORDER_REFUSED');
    expect(apply(order, { ...cancel, early: true }, robot).duplicate).toBe(true);
  });

  it('refuses an order a drink created first, keeping the drink; a redelivered drink is a duplicate', () => {
    const order = apply(orderAfter([earlyDrink, alice]), refused, system).order;
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'refused', drinkOrder: flatWhite, version: 2 });
    expect(apply(order, earlyDrink, alice).duplicate).toBe(true);
    // Whatever the robot barista answers meanwhile is dropped with it.
    const held = orderAfter([earlyDrink, alice], [{ ...complete, early: true }, robot]);
    expect(apply(held, refused, system).order).not.toHaveProperty('pendingCompletion');
  });

  it('changes nothing on an order that ended or started, and checks its input', () => {
    const cancelledEarly = orderAfter([earlyDrink, alice], [{ ...cancel, early: true }, robot]);
    expect(apply(cancelledEarly, refused, system).duplicate).toBe(true);
    expect(refuse(created(), refused, system).code).toBe('STALE_EVENT');
    expect(refuse(created(), { ...refused, userId: 'mallory' }, system).code).toBe('ORDER_ID_CONFLICT');
    expect(refuse(undefined, { ...refused, eventId: 'N-Y' }, system).code).toBe('INVALID_EVENT_ID');
    expect(refuse(undefined, { ...refused, code: '' }, system).code).toBe('INVALID_REFUSAL');
    expect(refuse(undefined, refused, alice).code).toBe('WRONG_ROLE');
  });
});

describe('publicOrder', () => {
  it('never shows the task tokens (whoever holds one can resume the workflow)', () => {
    const view = publicOrder(queued());
    expect(view).not.toHaveProperty('orderTaskToken');
    expect(view).not.toHaveProperty('completionTaskToken');
    expect(view).toMatchObject({ orderId: 'order-1', status: 'SUBMITTED', orderNumber: '112', drinkOrder: flatWhite });
  });
});

describe('failed (OrderProcessor.OrderFailed)', () => {
  const failed: OrderAction = {
    type: 'failed',
    orderId: 'order-1',
    eventId: 'NYC',
    userId: 'alice',
    failure: { error: 'DynamoDB.ValidationException', cause: 'An operand has an incorrect data type' },
    at: T0 + 300_000,
  };

  it.each([
    ['created', created],
    ['submitted', submitted],
    ['queued', queued],
    ['being made', making],
  ])('stops a %s order as FAILED with why: terminal, in no queue; a repeat is a duplicate', (_name, before) => {
    const outcome = apply(before(), failed, system);
    expect(outcome.duplicate).toBe(false);
    expect(outcome.resume).toBeUndefined();
    expect(outcome.order).toMatchObject({
      status: 'FAILED',
      failedAt: T0 + 300_000,
      failure: { error: 'DynamoDB.ValidationException', cause: 'An operand has an incorrect data type' },
      version: before().version + 1,
    });
    expect(isOpen(outcome.order)).toBe(false);
    expect(baristaQueue([outcome.order], 'NYC')).toEqual([]);
    expect(apply(outcome.order, failed, system)).toEqual({ order: outcome.order, duplicate: true });
  });

  it('creates the failed order when none is stored (the workflow failed before its start was recorded)', () => {
    expect(apply(undefined, { ...failed, robot: true }, system).order).toEqual({
      orderId: 'order-1',
      eventId: 'NYC',
      userId: 'alice',
      status: 'FAILED',
      robot: true,
      version: 1,
      createdAt: T0 + 300_000,
      updatedAt: T0 + 300_000,
      failedAt: T0 + 300_000,
      failure: failed.failure,
    });
  });

  it('leaves a finished order as it is, and refuses a failure for another customer or event', () => {
    const done = orderAfter([started, system], [submit, alice], [numbered, system], [complete, barista1]);
    expect(apply(done, failed, system).duplicate).toBe(true);
    const withdrawn = orderAfter([started, system], [cancel, alice]);
    expect(apply(withdrawn, failed, system).duplicate).toBe(true);
    expect(refuse(created(), { ...failed, userId: 'mallory' }, system).code).toBe('ORDER_ID_CONFLICT');
    expect(refuse(created(), failed, alice).code).toBe('WRONG_ROLE');
  });

  it('refuses every later action with a sentence that says what to do (409 ORDER_FAILED); a timeout is ignored', () => {
    const order = orderAfter([started, system], [failed, system]);
    const error = refuse(order, submit, alice);
    expect(error).toEqual({
      status: 409,
      code: 'ORDER_FAILED',
      message:
        'Order order-1 could not be processed and was stopped; its place was given back. Scan the QR code again to order.',
    });
    expect(refuse(order, cancel, alice).code).toBe('ORDER_FAILED');
    expect(refuse(order, numbered, system).code).toBe('ORDER_FAILED');
    const stopped = apply(queued(), failed, system).order;
    expect(refuse(stopped, make, barista1).code).toBe('ORDER_FAILED');
    expect(refuse(stopped, complete, barista1).code).toBe('ORDER_FAILED');
    expect(refuse(stopped, { ...complete, early: true }, barista1).code).toBe('ORDER_FAILED');
    expect(refuse(stopped, cancel, admin).code).toBe('ORDER_FAILED');
    expect(apply(stopped, { type: 'timeout', cause: 'barista', at: T0 + 900_000 }, system).duplicate).toBe(true);
    expect(
      apply(
        stopped,
        { type: 'refused', orderId: 'order-1', eventId: 'NYC', userId: 'alice', code: 'X', message: 'x', at: T0 },
        system,
      ).duplicate,
    ).toBe(true);
  });
});

// The life of one order, as a pure state machine. Handlers load the order, call transition(), write
// the new order (conditionally on its version), resume the workflow when told, and emit the events
// of eventsForChange() — or let the table's stream emit them.
//
//   CREATED ──submitDrink──▶ SUBMITTED ──numbered──▶ SUBMITTED+number (queued) ──make──▶ MAKING ──complete──▶ COMPLETED
//      │                        │                          ▲   │                      │  │
//      │                        │                          └───┼──────unmake──────────┘  │
//      └────────── cancel / timeout ─────────────────────────────────────────────────────┴──▶ CANCELLED
//      (any open state) ──failed──▶ FAILED
//
// At-least-once delivery: an action already applied is a no-op result with duplicate: true (and the
// same workflow resume, in case the first attempt crashed before resuming). Out-of-order delivery:
// the processor's WaitingCompletion (numbered) may arrive before the drink submission is recorded;
// the order then holds its number and waits for the drink, and whichever arrives second queues it.
// The same holds for a robot barista's completion that overtakes the queue (see holdCompletion).
// An order the workflow refused (OrderProcessor.ShopUnavailable) is stored CANCELLED with reason
// refused: it never started, so it is in no queue, puts no event and counts in no metric.
// An order whose workflow failed (OrderProcessor.OrderFailed: a step that threw after its retries, or
// an execution stopped or timed out, found by the reservation sweep) is FAILED, with why: terminal,
// like COMPLETED and CANCELLED; its places were given back.
import { sameDrinkOrder, type DrinkOrder } from './menu.js';
import { badRequest, conflict, fail, forbidden, notFound, ok, type DomainError, type Result } from './errors.js';
import { isOrderNumber } from './orderNumber.js';
import { eventIdProblem } from './tenant.js';

export const ORDER_STATUSES = ['CREATED', 'SUBMITTED', 'MAKING', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const OPEN_STATUSES: readonly OrderStatus[] = ['CREATED', 'SUBMITTED', 'MAKING'];

/**
 * Why an order was cancelled: by its customer, by a barista (or admin), by a workflow timeout, or
 * refused by the workflow before it started (the store closed or at capacity: OrderProcessor.ShopUnavailable).
 */
export type CancelReason = 'customer' | 'barista' | 'timeout' | 'refused';
/** Who the workflow waited for when it timed out: the customer (5 minutes to order) or the barista (15 to finish). */
export type TimeoutCause = 'customer' | 'barista';

/**
 * The user of robot orders, as the original OrderRobot puts it in Validator.NewOrder: simulated
 * baristas (OrderRobot.FulfillOrder) may act on these orders only, and the order processor takes a
 * NewOrder the QR validator did not admit only for this user, on events whose config allows robots.
 */
export const ROBOT_USER_ID = 'robot';

/**
 * Why an order's workflow failed: Step Functions' error name (e.g. DynamoDB.ValidationException,
 * States.Aborted for a stopped execution, States.Timeout) and its cause, as the workflow or the sweep
 * reported it (OrderProcessor.OrderFailed).
 */
export interface OrderFailure {
  error: string;
  cause: string;
}

export interface Order {
  orderId: string;
  /** The tenant. */
  eventId: string;
  /** The customer. */
  userId: string;
  status: OrderStatus;
  /** True when simulated baristas handle it (the OrderRobot). */
  robot: boolean;
  /** Increases with every change: writes are conditional on it (orderWritePrecondition). */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Resumes the workflow waiting for the customer's drink (OrderProcessor.WorkflowStarted). */
  orderTaskToken?: string;
  /** Resumes the workflow waiting for the barista (OrderProcessor.WaitingCompletion). */
  completionTaskToken?: string;
  drinkOrder?: DrinkOrder;
  submittedAt?: number;
  orderNumber?: string;
  /** When the workflow numbered it: the TS of OrderManager.WaitingCompletion. */
  queuedAt?: number;
  /** The barista making it, or who completed it. */
  baristaUserId?: string;
  claimedAt?: number;
  completedAt?: number;
  cancelledAt?: number;
  /** Who completed or cancelled it; absent after a timeout. */
  finishedBy?: string;
  reason?: CancelReason;
  timeoutCause?: TimeoutCause;
  failedAt?: number;
  /** Why its workflow failed (status FAILED). */
  failure?: OrderFailure;
  /** Why the workflow refused it (reason refused): ShopUnavailable's reason code and Message. */
  refusal?: { code: string; message: string };
  /**
   * A robot barista's completion that arrived before the order was in the queue: applied in the
   * write that queues it. Never on a queued or finished order.
   */
  pendingCompletion?: { baristaUserId: string; at: number };
}

/**
 * Who acts. Workflow events act as 'system'. eventId, when given, scopes a person to one event: an
 * order of another event is then reported as not found, so tenants cannot probe each other's orders.
 */
export type Actor =
  | { role: 'customer'; userId: string; eventId?: string }
  | { role: 'barista'; userId: string; eventId?: string }
  | { role: 'admin'; userId: string; eventId?: string }
  | { role: 'system' };

export type OrderAction =
  /** OrderProcessor.WorkflowStarted: creates the order (CREATED) with the token of the customer wait. */
  | {
      type: 'workflowStarted';
      orderId: string;
      eventId: string;
      userId: string;
      taskToken: string;
      robot?: boolean;
      at: number;
    }
  /**
   * The customer's drink, already checked with validateDrinkOrder. robot marks a simulated customer's
   * order (ProducerRobot.FulfillOrder) for the simulated baristas. early is given by bus consumers only:
   * when no order is stored yet (the drink overtook OrderProcessor.WorkflowStarted), the order to
   * create around it; the workflow's start then resumes it at once.
   */
  | {
      type: 'submitDrink';
      drinkOrder: DrinkOrder;
      at: number;
      robot?: boolean;
      early?: { orderId: string; eventId: string };
    }
  /** OrderProcessor.WaitingCompletion: the order number and the token of the barista wait. */
  | { type: 'numbered'; orderNumber: string; taskToken: string; at: number }
  | { type: 'make'; at: number }
  | { type: 'unmake'; at: number }
  /**
   * early is given by bus consumers only (the robot barista, which answers the drink without waiting
   * for the queue): a completion that arrives before the order is queued is kept and applied when it
   * is queued; a cancellation is applied at once (the workflow is released at its next wait).
   */
  | { type: 'complete'; at: number; early?: boolean; robot?: boolean }
  | { type: 'cancel'; at: number; early?: boolean; robot?: boolean }
  /** OrderProcessor.OrderTimeOut. */
  | { type: 'timeout'; cause: TimeoutCause; at: number }
  /**
   * OrderProcessor.ShopUnavailable: the workflow refused the order (code: its reason, e.g.
   * STORE_CLOSED; message: its Message). Creates the refused order when none is stored.
   */
  /**
   * OrderProcessor.OrderFailed: the order's workflow ended without finishing it (a step failed for
   * good, the execution was stopped or timed out). Creates the failed order when none is stored (the
   * workflow failed before its start was recorded).
   */
  | {
      type: 'failed';
      orderId: string;
      eventId: string;
      userId: string;
      failure: OrderFailure;
      robot?: boolean;
      at: number;
    }
  | {
      type: 'refused';
      orderId: string;
      eventId: string;
      userId: string;
      code: string;
      message: string;
      robot?: boolean;
      at: number;
    };

export type OrderActionType = OrderAction['type'];

/** SendTaskSuccess the handler must call: the workflow's Choice reads output.cancelled. */
export interface WorkflowResume {
  taskToken: string;
  output: { cancelled: boolean };
}

export interface TransitionOutcome {
  /** The order to store (the same object when duplicate). */
  order: Order;
  /** The action had already been applied: nothing to write. */
  duplicate: boolean;
  /** Resume the workflow, also on a duplicate (ignore TaskTimedOut / InvalidToken then: it was resumed already). */
  resume?: WorkflowResume;
}

const ROLES: Record<OrderActionType, readonly Actor['role'][]> = {
  workflowStarted: ['system'],
  numbered: ['system'],
  timeout: ['system'],
  refused: ['system'],
  failed: ['system'],
  submitDrink: ['customer'],
  make: ['barista', 'admin'],
  unmake: ['barista', 'admin'],
  complete: ['barista', 'admin'],
  // The customer may withdraw an order a barista has not started; baristas and admins may cancel.
  cancel: ['customer', 'barista', 'admin'],
};

const ACTION_PHRASES: Record<OrderActionType, string> = {
  workflowStarted: 'start an order workflow',
  numbered: 'number an order',
  timeout: 'time out an order',
  refused: 'refuse an order',
  failed: 'fail an order',
  submitDrink: 'submit a drink order',
  make: 'claim an order',
  unmake: 'release an order',
  complete: 'complete an order',
  cancel: 'cancel an order',
};

export const isOpen = (order: Pick<Order, 'status'>): boolean => OPEN_STATUSES.includes(order.status);

/** In the barista queue: the drink is known, the workflow numbered it, nobody is making it yet. */
export const isQueued = (order: Order): boolean =>
  order.status === 'SUBMITTED' &&
  order.drinkOrder !== undefined &&
  order.orderNumber !== undefined &&
  order.completionTaskToken !== undefined;

/** The original's state string, "<eventId>-<STATUS>", e.g. "NYC-COMPLETED" (for ORDERSTATE and its index). */
export const orderStateOf = (order: Pick<Order, 'eventId' | 'status'>): string => `${order.eventId}-${order.status}`;

/** Splits "<eventId>-<STATUS>"; undefined when it is not one. */
export function parseOrderState(state: string): { eventId: string; status: OrderStatus } | undefined {
  const cut = state.lastIndexOf('-');
  const status = state.slice(cut + 1) as OrderStatus;
  if (cut < 1 || !ORDER_STATUSES.includes(status)) return undefined;
  return { eventId: state.slice(0, cut), status };
}

const label = (order: Order): string => (order.orderNumber ? `Order ${order.orderNumber}` : `Order ${order.orderId}`);

const unchanged = (order: Order, resume?: WorkflowResume): Result<TransitionOutcome> =>
  ok(resume ? { order, duplicate: true, resume } : { order, duplicate: true });

/** Completed, cancelled or failed: nothing changes it any more. */
export const isFinished = (status: OrderStatus): boolean =>
  status === 'COMPLETED' || status === 'CANCELLED' || status === 'FAILED';

function changed(before: Order, at: number, patch: Partial<Order>, resume?: WorkflowResume): Result<TransitionOutcome> {
  // A finished order holds nothing pending.
  const { pendingCompletion: _pending, ...rest } = before;
  const kept = patch.status !== undefined && isFinished(patch.status) ? rest : before;
  const order: Order = { ...kept, ...patch, version: before.version + 1, updatedAt: at };
  return ok(resume ? { order, duplicate: false, resume } : { order, duplicate: false });
}

function finishedConflict(order: Order): DomainError {
  if (order.status === 'FAILED')
    return conflict(
      'ORDER_FAILED',
      `${label(order)} could not be processed and was stopped; its place was given back. Scan the QR code again to order.`,
    );
  if (order.status === 'COMPLETED') return conflict('ALREADY_COMPLETED', `${label(order)} is already completed.`);
  if (order.reason === 'refused')
    return conflict(
      'ORDER_REFUSED',
      `${label(order)} was refused: ${order.refusal?.message ?? 'the coffee bar could not take it.'}`,
    );
  const why =
    order.reason === 'timeout' ? 'it timed out' : order.reason === 'customer' ? 'by the customer' : 'by a barista';
  return conflict('ALREADY_CANCELLED', `${label(order)} was cancelled (${why}).`);
}

function notInQueue(order: Order): DomainError {
  const why = order.drinkOrder === undefined ? 'no drink has been ordered yet' : 'it has no order number yet';
  return conflict('NOT_IN_QUEUE', `${label(order)} is not in the barista queue: ${why}.`);
}

const claimedByOther = (order: Order): DomainError =>
  forbidden(
    'CLAIMED_BY_OTHER',
    `${label(order)} is being made by another barista; only they or an admin can change it.`,
  );

// The workflow wait a cancellation must release: the barista wait once numbered, else the customer
// wait while no drink was submitted. A submitted but unnumbered order has none yet: the numbered
// action releases it later (see numbered on a CANCELLED order).
function cancelResume(order: Order): WorkflowResume | undefined {
  if (order.completionTaskToken) return { taskToken: order.completionTaskToken, output: { cancelled: true } };
  if (order.drinkOrder === undefined && order.orderTaskToken)
    return { taskToken: order.orderTaskToken, output: { cancelled: true } };
  return undefined;
}

// The customer wait's resume while the drink is recorded but the workflow has not numbered the order:
// a first attempt may have stored the drink and died before resuming.
function pendingDrinkResume(order: Order): WorkflowResume | undefined {
  const pending =
    order.status === 'SUBMITTED' &&
    order.drinkOrder !== undefined &&
    !order.completionTaskToken &&
    order.orderTaskToken;
  return pending ? { taskToken: pending, output: { cancelled: false } } : undefined;
}

/** A drink that arrived before its order's workflow start: the order, CREATED without a token. */
function earlyOrder(
  a: Extract<OrderAction, { type: 'submitDrink' }>,
  early: { orderId: string; eventId: string },
  userId: string,
): Result<TransitionOutcome> {
  const eventIdError = eventIdProblem(early.eventId);
  if (eventIdError) return fail(badRequest('INVALID_EVENT_ID', `eventId ${eventIdError}.`));
  if (early.orderId === '') return fail(badRequest('INVALID_ORDER_ID', 'orderId must not be empty.'));
  const order: Order = {
    orderId: early.orderId,
    eventId: early.eventId,
    userId,
    status: 'CREATED',
    robot: a.robot ?? false,
    version: 1,
    createdAt: a.at,
    updatedAt: a.at,
    drinkOrder: a.drinkOrder,
    submittedAt: a.at,
  };
  return ok({ order, duplicate: false });
}

/** A robot's action: its drink, or its barista's completion or cancellation. */
const isRobotAction = (a: OrderAction): boolean =>
  (a.type === 'submitDrink' || a.type === 'complete' || a.type === 'cancel') && a.robot === true;

/** Creates the order of a started workflow. */
function startWorkflow(
  order: Order | undefined,
  a: Extract<OrderAction, { type: 'workflowStarted' }>,
): Result<TransitionOutcome> {
  const eventIdError = eventIdProblem(a.eventId);
  if (eventIdError) return fail(badRequest('INVALID_EVENT_ID', `eventId ${eventIdError}.`));
  if (a.orderId === '' || a.userId === '' || a.taskToken === '')
    return fail(badRequest('INVALID_WORKFLOW_START', 'orderId, userId and taskToken must not be empty.'));
  if (!order) {
    return ok({
      order: {
        orderId: a.orderId,
        eventId: a.eventId,
        userId: a.userId,
        status: 'CREATED',
        robot: a.robot ?? false,
        version: 1,
        createdAt: a.at,
        updatedAt: a.at,
        orderTaskToken: a.taskToken,
      },
      duplicate: false,
    });
  }
  if (order.eventId !== a.eventId || order.userId !== a.userId) {
    return fail(conflict('ORDER_ID_CONFLICT', `Order ${order.orderId} already exists for another customer or event.`));
  }
  if (order.orderTaskToken === a.taskToken) return unchanged(order, pendingDrinkResume(order));
  if (order.orderTaskToken === undefined) {
    // Created early by a drink that overtook this event: resume the wait at once, with what happened meanwhile.
    if (order.status === 'CREATED' && order.drinkOrder)
      return changed(
        order,
        a.at,
        { status: 'SUBMITTED', orderTaskToken: a.taskToken },
        { taskToken: a.taskToken, output: { cancelled: false } },
      );
    if (order.status === 'CANCELLED')
      return changed(
        order,
        a.at,
        { orderTaskToken: a.taskToken },
        { taskToken: a.taskToken, output: { cancelled: true } },
      );
  }
  // A new token while still CREATED: Step Functions retried the wait and only the newest token resumes it.
  if (order.status === 'CREATED') return changed(order, a.at, { orderTaskToken: a.taskToken });
  return fail(
    conflict(
      'STALE_EVENT',
      `${label(order)} is already past the customer wait (${order.status}); the new workflow token is stale.`,
    ),
  );
}

/**
 * OrderProcessor.ShopUnavailable. The workflow refuses before it starts, so the order is one it never
 * started: none stored, or created early by a robot's drink (no token). Stored CANCELLED with reason
 * refused and no event (the original stored nothing): a later drink is refused (409 ORDER_REFUSED)
 * and the order is in no queue.
 */
function refuseOrder(
  order: Order | undefined,
  a: Extract<OrderAction, { type: 'refused' }>,
): Result<TransitionOutcome> {
  const eventIdError = eventIdProblem(a.eventId);
  if (eventIdError) return fail(badRequest('INVALID_EVENT_ID', `eventId ${eventIdError}.`));
  if (a.orderId === '' || a.userId === '' || a.code === '')
    return fail(badRequest('INVALID_REFUSAL', 'orderId, userId and the refusal code must not be empty.'));
  const refusal = { code: a.code, message: a.message };
  if (!order) {
    return ok({
      order: {
        orderId: a.orderId,
        eventId: a.eventId,
        userId: a.userId,
        status: 'CANCELLED',
        robot: a.robot ?? false,
        version: 1,
        createdAt: a.at,
        updatedAt: a.at,
        cancelledAt: a.at,
        reason: 'refused',
        refusal,
      },
      duplicate: false,
    });
  }
  if (order.eventId !== a.eventId || order.userId !== a.userId) {
    return fail(conflict('ORDER_ID_CONFLICT', `Order ${order.orderId} already exists for another customer or event.`));
  }
  if (order.reason === 'refused' || order.status === 'FAILED') return unchanged(order);
  if (order.orderTaskToken !== undefined)
    return fail(conflict('STALE_EVENT', `${label(order)} has a running workflow; a refusal for it is stale.`));
  // Ended before the refusal arrived (a robot barista's early cancel): nothing left to refuse.
  if (order.status === 'CANCELLED') return unchanged(order);
  if (order.status === 'COMPLETED') return fail(finishedConflict(order));
  return changed(order, a.at, { status: 'CANCELLED', cancelledAt: a.at, reason: 'refused', refusal });
}

/**
 * OrderProcessor.OrderFailed: the workflow ended without finishing the order, and gave its places
 * back. An open order becomes FAILED with why; an order stored by nothing yet (the workflow failed
 * before its start was recorded) is created FAILED, so the customer who holds its id learns what
 * happened. A finished order stays as it is (the failure came after its end, e.g. its last event).
 */
function failOrder(order: Order | undefined, a: Extract<OrderAction, { type: 'failed' }>): Result<TransitionOutcome> {
  const eventIdError = eventIdProblem(a.eventId);
  if (eventIdError) return fail(badRequest('INVALID_EVENT_ID', `eventId ${eventIdError}.`));
  if (a.orderId === '' || a.userId === '' || a.failure.error === '')
    return fail(badRequest('INVALID_FAILURE', "orderId, userId and the failure's error must not be empty."));
  const failure = { error: a.failure.error, cause: a.failure.cause };
  if (!order) {
    return ok({
      order: {
        orderId: a.orderId,
        eventId: a.eventId,
        userId: a.userId,
        status: 'FAILED',
        robot: a.robot ?? false,
        version: 1,
        createdAt: a.at,
        updatedAt: a.at,
        failedAt: a.at,
        failure,
      },
      duplicate: false,
    });
  }
  if (order.eventId !== a.eventId || order.userId !== a.userId) {
    return fail(conflict('ORDER_ID_CONFLICT', `Order ${order.orderId} already exists for another customer or event.`));
  }
  if (isFinished(order.status)) return unchanged(order);
  return changed(order, a.at, { status: 'FAILED', failedAt: a.at, failure });
}

/**
 * A robot barista's completion before the order is in the queue (OrderRobot.FulfillOrder answers
 * ProducerRobot.FulfillOrder 10 to 30 s later, without waiting for the number). It is kept on the
 * order and applied by the write that queues it (afterQueueing), rather than thrown back for
 * EventBridge to redeliver: Lambda retries a failed asynchronous invocation only twice, a minute and
 * two minutes later, then drops the event, so a late number would still lose the answer and an early
 * one would finish the order minutes late. Kept with the order, the answer is written under the
 * order's version like any change, waits as long as it must, and a redelivery is a duplicate.
 */
function holdCompletion(order: Order, at: number, baristaUserId: string): Result<TransitionOutcome> {
  const held = order.pendingCompletion;
  if (held === undefined) return changed(order, at, { pendingCompletion: { baristaUserId, at } });
  if (held.baristaUserId === baristaUserId) return unchanged(order);
  return fail(
    conflict(
      'ALREADY_COMPLETED',
      `${label(order)} was already completed by another barista; it is applied when the order enters the queue.`,
    ),
  );
}

/** Applies a held completion when this change put the order in the queue: one write, queued then completed. */
function afterQueueing(result: Result<TransitionOutcome>, at: number): Result<TransitionOutcome> {
  if (!result.ok || result.value.duplicate) return result;
  const { order } = result.value;
  const held = order.pendingCompletion;
  if (held === undefined || !isQueued(order) || order.completionTaskToken === undefined) return result;
  // Entering the queue resumes nothing (numbered and a drink after the number never do): the barista wait's resume is the only one.
  const { pendingCompletion: _applied, ...rest } = order;
  return ok({
    order: {
      ...rest,
      status: 'COMPLETED',
      completedAt: at,
      finishedBy: held.baristaUserId,
      baristaUserId: held.baristaUserId,
    },
    duplicate: false,
    resume: { taskToken: order.completionTaskToken, output: { cancelled: false } },
  });
}

/** OrderProcessor.WaitingCompletion: the number and the token of the barista wait. */
function recordNumber(order: Order, a: Extract<OrderAction, { type: 'numbered' }>): Result<TransitionOutcome> {
  const { at } = a;
  if (!isOrderNumber(a.orderNumber))
    return fail(badRequest('INVALID_ORDER_NUMBER', `orderNumber must be a string of digits, got "${a.orderNumber}".`));
  if (a.taskToken === '') return fail(badRequest('INVALID_TASK_TOKEN', 'taskToken must not be empty.'));
  if (order.completionTaskToken === a.taskToken)
    return unchanged(order, order.status === 'CANCELLED' ? cancelResume(order) : undefined);
  switch (order.status) {
    case 'CREATED':
      // The workflow only numbers after the customer's submission resumed it: the drink is on its
      // way. Hold the number; submitDrink completes the order and queues it.
      return changed(order, at, {
        status: 'SUBMITTED',
        orderNumber: a.orderNumber,
        completionTaskToken: a.taskToken,
        queuedAt: at,
      });
    case 'SUBMITTED':
      // A retried wait: the newest token counts, the first number stays (the customer has seen it).
      return changed(order, at, {
        orderNumber: order.orderNumber ?? a.orderNumber,
        completionTaskToken: a.taskToken,
        queuedAt: order.queuedAt ?? at,
      });
    case 'MAKING':
      return changed(order, at, { completionTaskToken: a.taskToken });
    case 'CANCELLED':
      // Cancelled before it was numbered: keep the token and release the workflow at once.
      return changed(
        order,
        at,
        { completionTaskToken: a.taskToken },
        { taskToken: a.taskToken, output: { cancelled: true } },
      );
    case 'COMPLETED':
    case 'FAILED':
      return fail(finishedConflict(order));
  }
}

/**
 * Applies an action to an order (undefined when none is stored: only workflowStarted creates one).
 * Errors: 400 malformed system input; 403 wrong role, not the customer's order, someone else's claim;
 * 404 no such order (or another event's, for a scoped actor); 409 not allowed in the current state.
 *
 * Cancellation rules: a customer may cancel their own order until a barista starts making it; a
 * barista may cancel queued orders and the ones they are making; an admin may cancel any open order.
 * Cancelling a cancelled order is a duplicate whoever asks (the first reason stays).
 */
export function transition(order: Order | undefined, action: OrderAction, actor: Actor): Result<TransitionOutcome> {
  // Looked up as a partial map: an untyped caller may send an action type that does not exist.
  const roles = (ROLES as Partial<Record<string, readonly Actor['role'][]>>)[action.type];
  if (!roles) throw new TypeError(`unknown order action ${JSON.stringify(action)}`);
  if (!roles.includes(actor.role)) {
    const who = actor.role === 'system' ? 'A workflow event' : actor.role === 'admin' ? 'An admin' : `A ${actor.role}`;
    return fail(forbidden('WRONG_ROLE', `${who} may not ${ACTION_PHRASES[action.type]}.`));
  }
  if (action.type === 'workflowStarted') return startWorkflow(order, action);
  if (action.type === 'refused') return refuseOrder(order, action);
  if (action.type === 'failed') return failOrder(order, action);
  if (!order && action.type === 'submitDrink' && action.early && actor.role === 'customer')
    return earlyOrder(action, action.early, actor.userId);
  if (!order || (actor.role !== 'system' && actor.eventId !== undefined && actor.eventId !== order.eventId)) {
    return fail(notFound('ORDER_NOT_FOUND', 'No such order.'));
  }
  if (actor.role === 'customer' && actor.userId !== order.userId)
    return fail(forbidden('NOT_YOUR_ORDER', 'This order belongs to another customer.'));
  // A robot's action (ProducerRobot / OrderRobot.FulfillOrder) is a body on the bus: it may act on
  // the robot's own orders only, never on a customer's.
  if (isRobotAction(action) && !order.robot)
    return fail(
      forbidden(
        'NOT_A_ROBOT_ORDER',
        `${label(order)} is not a robot order: the robots (OrderRobot.FulfillOrder, ProducerRobot.FulfillOrder) act only on the orders of user robot, which the OrderRobot extension creates; a barista completes or cancels it through the API.`,
      ),
    );
  const { at } = action;
  // Only people reach make/unmake/complete/cancel (ROLES), so this is always a real user id there.
  const userId = actor.role === 'system' ? 'system' : actor.userId;

  switch (action.type) {
    case 'submitDrink': {
      if (order.drinkOrder) {
        // Still waiting to be numbered: the first attempt may have died before resuming the workflow.
        if (sameDrinkOrder(order.drinkOrder, action.drinkOrder)) return unchanged(order, pendingDrinkResume(order));
        if (!isOpen(order)) return fail(finishedConflict(order));
        return fail(
          conflict(
            'ALREADY_ORDERED',
            `${label(order)} already has a drink (${order.drinkOrder.drink}); order another drink with a new QR code scan.`,
          ),
        );
      }
      if (!isOpen(order)) return fail(finishedConflict(order));
      const recorded = { drinkOrder: action.drinkOrder, submittedAt: at, ...(action.robot ? { robot: true } : {}) };
      if (order.status === 'CREATED' && order.orderTaskToken) {
        return changed(
          order,
          at,
          { ...recorded, status: 'SUBMITTED' },
          { taskToken: order.orderTaskToken, output: { cancelled: false } },
        );
      }
      // Numbered before the drink was recorded (out of order): the workflow has moved on, nothing to resume.
      return afterQueueing(changed(order, at, recorded), at);
    }

    case 'numbered':
      return afterQueueing(recordNumber(order, action), at);

    case 'make': {
      if (!isOpen(order)) return fail(finishedConflict(order));
      if (order.status === 'MAKING') {
        if (order.baristaUserId === userId) return unchanged(order);
        return fail(conflict('ALREADY_CLAIMED', `${label(order)} is already being made by another barista.`));
      }
      if (!isQueued(order)) return fail(notInQueue(order));
      return changed(order, at, { status: 'MAKING', baristaUserId: userId, claimedAt: at });
    }

    case 'unmake': {
      if (!isOpen(order)) return fail(finishedConflict(order));
      if (order.status === 'SUBMITTED') return unchanged(order);
      if (order.status === 'CREATED') return fail(notInQueue(order));
      if (actor.role === 'barista' && order.baristaUserId !== actor.userId) return fail(claimedByOther(order));
      const { baristaUserId: _released, claimedAt: _claimed, ...rest } = order;
      return changed(rest, at, { status: 'SUBMITTED' });
    }

    case 'complete': {
      const resume = order.completionTaskToken
        ? { taskToken: order.completionTaskToken, output: { cancelled: false } }
        : undefined;
      if (order.status === 'COMPLETED') {
        if (order.finishedBy === userId) return unchanged(order, resume);
        return fail(conflict('ALREADY_COMPLETED', `${label(order)} was already completed by another barista.`));
      }
      if (order.status === 'CANCELLED' || order.status === 'FAILED') return fail(finishedConflict(order));
      if (order.status === 'MAKING') {
        if (actor.role === 'barista' && order.baristaUserId !== userId) return fail(claimedByOther(order));
        return changed(order, at, { status: 'COMPLETED', completedAt: at, finishedBy: userId }, resume);
      }
      // Straight from the queue, without a claim: the OrderRobot's baristas work this way.
      if (!isQueued(order)) return action.early ? holdCompletion(order, at, userId) : fail(notInQueue(order));
      return changed(
        order,
        at,
        { status: 'COMPLETED', completedAt: at, finishedBy: userId, baristaUserId: userId },
        resume,
      );
    }

    case 'cancel': {
      if (order.status === 'CANCELLED')
        return unchanged(order, order.reason === 'timeout' ? undefined : cancelResume(order));
      if (order.status === 'COMPLETED' || order.status === 'FAILED') return fail(finishedConflict(order));
      if (actor.role === 'customer' && order.status === 'MAKING') {
        return fail(
          conflict(
            'ORDER_BEING_MADE',
            `A barista is already making ${label(order).toLowerCase()}; it can no longer be cancelled from the app.`,
          ),
        );
      }
      if (actor.role === 'barista') {
        // The robot barista may cancel before the queue: cancelling needs no number.
        if (order.status === 'CREATED' && !action.early) return fail(notInQueue(order));
        if (order.status === 'MAKING' && order.baristaUserId !== userId) return fail(claimedByOther(order));
      }
      const reason: CancelReason = actor.role === 'customer' ? 'customer' : 'barista';
      return changed(
        order,
        at,
        { status: 'CANCELLED', cancelledAt: at, reason, finishedBy: userId },
        cancelResume(order),
      );
    }

    case 'timeout': {
      if (order.status === 'CANCELLED' || order.status === 'FAILED') return unchanged(order);
      if (order.status === 'COMPLETED') {
        return fail(
          conflict(
            'ALREADY_COMPLETED',
            `${label(order)} was completed before the workflow timed out; the timeout is ignored.`,
          ),
        );
      }
      // Whatever the cause, the workflow has ended: the order cannot go on.
      return changed(order, at, {
        status: 'CANCELLED',
        cancelledAt: at,
        reason: 'timeout',
        timeoutCause: action.cause,
      });
    }
  }
  // Every action type returns above; an unknown one (untyped caller) is a programmer error.
  const unknown: never = action;
  throw new TypeError(`unknown order action ${JSON.stringify(unknown)}`);
}

/**
 * What must hold for a write of an order to be safe against concurrent writers: no order is stored
 * yet (a new order), or the stored one still has the version transition() read. On a failed
 * precondition, reload and apply the action again. The order store turns it into its store's condition.
 */
export type OrderWritePrecondition = { absent: true } | { absent: false; version: number };

export function orderWritePrecondition(before: Order | undefined): OrderWritePrecondition {
  return before ? { absent: false, version: before.version } : { absent: true };
}

/** The barista's board of one event: queued orders and those being made, oldest number first (first come, first served). */
export function baristaQueue(orders: readonly Order[], eventId: string): Order[] {
  return orders
    .filter((o) => o.eventId === eventId && (isQueued(o) || o.status === 'MAKING'))
    .sort(
      (a, b) =>
        (a.queuedAt ?? 0) - (b.queuedAt ?? 0) ||
        Number(a.orderNumber ?? 0) - Number(b.orderNumber ?? 0) ||
        a.orderId.localeCompare(b.orderId),
    );
}

/** An order as people may see it: the workflow's task tokens never leave the core (whoever holds one can resume the workflow). */
export type PublicOrder = Omit<Order, 'orderTaskToken' | 'completionTaskToken' | 'version'>;

export function publicOrder(order: Order): PublicOrder {
  const { orderTaskToken: _order, completionTaskToken: _completion, version: _version, ...rest } = order;
  return rest;
}

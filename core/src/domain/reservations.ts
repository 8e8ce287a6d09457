// A customer's place, reserved by the validator's admission, carries an expiry. Places are given back
// by the order's workflow on every way out it reaches; a workflow that never reaches one (stopped,
// timed out, failed before saying so, or never started because the validator died between the
// admission and Validator.NewOrder) would keep them for good. The reservation sweep (a schedule)
// looks at each reservation past its expiry and decides here what to do: keep it while its workflow
// runs, else give the places back, and, when the order was left open, stop it as FAILED with why.
import { isOpen, type Order, type OrderFailure } from './order.js';

/** The counters-table item of an order's reservation (one per admission). */
export const reservationKey = (orderId: string): string => `reservation-${orderId}`;
/** The item of the workflow that owns an order (the order processor's claim, statemachines/orderProcessor.asl.json). */
export const workflowClaimKey = (orderId: string): string => `workflow-${orderId}`;
/**
 * What the sweep writes as a claim's executionArn when no workflow claimed the order in time: the
 * processor's claim condition then refuses any late Validator.NewOrder, so no workflow takes an order
 * whose places were given back.
 */
export const SWEEP_CLAIM = 'reservation-sweep';

/** A reservation as stored (reservedUntil in epoch milliseconds). */
export interface Reservation {
  orderId: string;
  eventId: string;
  userId: string;
  reservedAt: number;
  reservedUntil: number;
}

export function newReservation(input: {
  orderId: string;
  eventId: string;
  userId: string;
  nowMs: number;
  leaseMs: number;
}): Reservation {
  if (!Number.isFinite(input.leaseMs) || input.leaseMs <= 0)
    throw new RangeError(`a reservation's lease must be a positive number of milliseconds, got ${input.leaseMs}`);
  return {
    orderId: input.orderId,
    eventId: input.eventId,
    userId: input.userId,
    reservedAt: input.nowMs,
    reservedUntil: input.nowMs + input.leaseMs,
  };
}

/** Step Functions' execution statuses (DescribeExecution). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** What is known of the order's workflow. */
export type WorkflowState =
  /** No workflow claimed the order (the validator died before putting NewOrder, or NewOrder was lost). */
  | { claimed: false }
  /** The sweep claimed it on an earlier run. */
  | { claimed: true; bySweep: true }
  /** A workflow claimed it; status undefined when Step Functions no longer knows the execution. */
  | { claimed: true; bySweep: false; status?: ExecutionStatus; error?: string; cause?: string };

export type SweepDecision =
  /** The workflow still runs: it gives the places back itself; look again after a new lease. */
  | { kind: 'keep'; reservedUntil: number }
  /**
   * Give both places back and delete the reservation. claimFirst: claim the order for the sweep first
   * (no workflow has; if one claims it meanwhile, decide again). fail: the order was left open (or never
   * stored): stop it as FAILED with this failure, put OrderProcessor.OrderFailed.
   */
  | { kind: 'reclaim'; claimFirst: boolean; fail?: OrderFailure & { orderNumber?: string } };

// The history event names Step Functions gives these ends (ExecutionAborted, ExecutionTimedOut, ExecutionFailed).
const END_ERRORS: Record<'FAILED' | 'TIMED_OUT' | 'ABORTED', { error: string; cause: string }> = {
  ABORTED: { error: 'ExecutionAborted', cause: 'The order workflow was stopped (StopExecution).' },
  TIMED_OUT: { error: 'ExecutionTimedOut', cause: 'The order workflow exceeded its execution timeout.' },
  FAILED: { error: 'ExecutionFailed', cause: 'The order workflow failed.' },
};

/**
 * What to do with one reservation past its expiry. An order is stopped as FAILED only when it is still
 * open (or was never stored) and its workflow is gone without finishing it: a workflow that succeeded
 * ended the order itself (finished, refused, or timed out: its OrderTimeOut cancels it), and a finished
 * order stays as it is. Repeating a decision is harmless: every step it leads to is idempotent.
 */
export function decideSweep(input: {
  reservation: Reservation;
  workflow: WorkflowState;
  order: Pick<Order, 'status' | 'orderNumber'> | undefined;
  nowMs: number;
  leaseMs: number;
}): SweepDecision {
  const { workflow, order, nowMs } = input;
  if (input.reservation.reservedUntil > nowMs) return { kind: 'keep', reservedUntil: input.reservation.reservedUntil };
  const leftOpen = order === undefined || isOpen(order);
  const withNumber = order?.orderNumber === undefined ? {} : { orderNumber: order.orderNumber };
  if (!workflow.claimed) {
    const seconds = Math.round((nowMs - input.reservation.reservedAt) / 1000);
    return {
      kind: 'reclaim',
      claimFirst: true,
      ...(leftOpen
        ? {
            fail: {
              error: 'WorkflowNeverStarted',
              cause: `No order workflow took the order within ${seconds} s of its admission (Validator.NewOrder was not put, or was lost).`,
              ...withNumber,
            },
          }
        : {}),
    };
  }
  if (workflow.bySweep) return { kind: 'reclaim', claimFirst: false };
  const status = workflow.status;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE')
    return { kind: 'keep', reservedUntil: nowMs + input.leaseMs };
  if (status === 'SUCCEEDED' || !leftOpen) return { kind: 'reclaim', claimFirst: false };
  const end = END_ERRORS[status ?? 'FAILED'];
  return {
    kind: 'reclaim',
    claimFirst: false,
    fail: {
      error: workflow.error || end.error,
      cause:
        workflow.cause ||
        (status === undefined ? 'The order workflow is no longer known to Step Functions.' : end.cause),
      ...withNumber,
    },
  };
}

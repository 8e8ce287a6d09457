// The reservation sweep, on a schedule: every reservation past its expiry is looked at once per run.
// While the order's workflow runs, it is kept (a new lease); otherwise its places are given back and
// it is deleted, and an order the workflow left open (stopped, timed out, failed before saying so,
// or never started: the validator died between the admission and Validator.NewOrder) is stopped as
// FAILED with OrderProcessor.OrderFailed, which its customer and the board see. Every step repeats
// harmlessly, so a run that dies half-way is finished by the next one.
import middy from '@middy/core';
import {
  SWEEP_CLAIM,
  decideSweep,
  orderFailedEvent,
  type Reservation,
  type WorkflowState,
} from '../../domain/index.js';
import { publish } from '../../adapters/bus.js';
import { positiveNumberEnv } from '../../adapters/env.js';
import { applyOrderAction, loadOrder } from '../../adapters/orderStore.js';
import {
  claimForSweep,
  deleteReservation,
  expiredReservations,
  extendReservation,
  releasePlaces,
  workflowClaim,
} from '../../adapters/reservationStore.js';
import { executionState } from '../../adapters/workflow.js';

/** Reservations looked at per run: the next run takes the rest. */
const PER_RUN = 100;

export interface SweepSummary {
  examined: number;
  kept: number;
  reclaimed: number;
  failed: number;
}

async function workflowOf(orderId: string): Promise<WorkflowState> {
  const claim = await workflowClaim(orderId);
  if (claim === undefined) return { claimed: false };
  if (claim === SWEEP_CLAIM) return { claimed: true, bySweep: true };
  const execution = await executionState(claim);
  return { claimed: true, bySweep: false, ...(execution ?? {}) };
}

/** One reservation: 'kept', 'reclaimed' or 'failed' (reclaimed, its order stopped as FAILED). */
async function sweepOne(
  reservation: Reservation,
  nowMs: number,
  leaseMs: number,
): Promise<'kept' | 'reclaimed' | 'failed'> {
  const { orderId, eventId, userId } = reservation;
  for (;;) {
    const workflow = await workflowOf(orderId);
    const decision = decideSweep({ reservation, workflow, order: await loadOrder(orderId), nowMs, leaseMs });
    if (decision.kind === 'keep') {
      await extendReservation(orderId, decision.reservedUntil);
      return 'kept';
    }
    // A workflow claimed the order since it was read: decide again with it.
    if (decision.claimFirst && !(await claimForSweep(orderId, nowMs))) continue;
    if (decision.fail) {
      const { orderNumber, ...failure } = decision.fail;
      // The event first: should the write below fail, the next run puts it again rather than never.
      await publish([
        orderFailedEvent({ orderId, userId, eventId, failure, ...(orderNumber === undefined ? {} : { orderNumber }) }),
      ]);
      const result = await applyOrderAction(
        orderId,
        { type: 'failed', orderId, eventId, userId, failure, robot: userId === 'robot', at: nowMs },
        { role: 'system' },
      );
      if (!result.ok) log('warn', `order not marked failed: ${result.error.code} ${result.error.message}`, reservation);
    }
    await releasePlaces(reservation);
    await deleteReservation(orderId);
    log('info', decision.fail ? `reclaimed; order failed (${decision.fail.error})` : 'reclaimed', reservation);
    return decision.fail ? 'failed' : 'reclaimed';
  }
}

function log(level: 'info' | 'warn', message: string, r: Reservation): void {
  console[level](JSON.stringify({ level, message, orderId: r.orderId, eventId: r.eventId }));
}

export const handler = middy<unknown, SweepSummary>().handler(async () => {
  const nowMs = Date.now();
  const leaseMs = positiveNumberEnv('RESERVATION_LEASE_SECONDS') * 1000;
  const summary: SweepSummary = { examined: 0, kept: 0, reclaimed: 0, failed: 0 };
  for (const reservation of await expiredReservations(nowMs, PER_RUN)) {
    summary.examined++;
    summary[await sweepOne(reservation, nowMs, leaseMs)]++;
  }
  return summary;
});

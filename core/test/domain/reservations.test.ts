import { describe, expect, it } from '@jest/globals';
import {
  decideSweep,
  newReservation,
  reservationKey,
  workflowClaimKey,
  type Order,
  type WorkflowState,
} from '../../src/domain/index.js';

const T0 = Date.UTC(2026, 10, 21, 12, 52, 21);
const LEASE = 120_000;
const reservation = newReservation({ orderId: 'order-1', eventId: 'NYC', userId: 'alice', nowMs: T0, leaseMs: LEASE });
const AFTER = T0 + LEASE + 1_000;
const open: Pick<Order, 'status' | 'orderNumber'> = { status: 'SUBMITTED', orderNumber: '12' };
const decide = (workflow: WorkflowState, order: Pick<Order, 'status' | 'orderNumber'> | undefined, nowMs = AFTER) =>
  decideSweep({ reservation, workflow, order, nowMs, leaseMs: LEASE });
const execution = (
  status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
  more = {},
): WorkflowState => ({
  claimed: true,
  bySweep: false,
  ...(status ? { status } : {}),
  ...more,
});

describe('reservations', () => {
  it('expire a lease after their admission; keys as the processor writes them', () => {
    expect(reservation).toEqual({
      orderId: 'order-1',
      eventId: 'NYC',
      userId: 'alice',
      reservedAt: T0,
      reservedUntil: T0 + LEASE,
    });
    expect(reservationKey('order-1')).toBe('reservation-order-1');
    expect(workflowClaimKey('order-1')).toBe('workflow-order-1');
    expect(() => newReservation({ orderId: 'o', eventId: 'NYC', userId: 'a', nowMs: T0, leaseMs: 0 })).toThrow(
      'positive number',
    );
  });
});

describe('decideSweep', () => {
  it('keeps a reservation that has not expired, and one whose workflow still runs (a new lease)', () => {
    expect(decide({ claimed: false }, undefined, T0 + 1_000)).toEqual({ kind: 'keep', reservedUntil: T0 + LEASE });
    expect(decide(execution('RUNNING'), open)).toEqual({ kind: 'keep', reservedUntil: AFTER + LEASE });
  });

  it('gives the places back of a workflow that ended the order itself, failing nothing', () => {
    expect(decide(execution('SUCCEEDED'), open)).toEqual({ kind: 'reclaim', claimFirst: false });
    expect(decide(execution('SUCCEEDED'), undefined)).toEqual({ kind: 'reclaim', claimFirst: false });
    expect(decide(execution('FAILED'), { status: 'COMPLETED' })).toEqual({ kind: 'reclaim', claimFirst: false });
    expect(decide(execution('ABORTED'), { status: 'FAILED' })).toEqual({ kind: 'reclaim', claimFirst: false });
  });

  it("stops an order its stopped, timed-out or failed workflow left open, with the execution's why", () => {
    expect(decide(execution('ABORTED'), open)).toEqual({
      kind: 'reclaim',
      claimFirst: false,
      fail: { error: 'ExecutionAborted', cause: 'The order workflow was stopped (StopExecution).', orderNumber: '12' },
    });
    expect(decide(execution('TIMED_OUT'), { status: 'CREATED' })).toMatchObject({
      fail: { error: 'ExecutionTimedOut' },
    });
    expect(decide(execution('FAILED', { error: 'DynamoDB.ValidationException', cause: 'bad' }), undefined)).toEqual({
      kind: 'reclaim',
      claimFirst: false,
      fail: { error: 'DynamoDB.ValidationException', cause: 'bad' },
    });
    expect(decide(execution(undefined), open)).toMatchObject({
      fail: { error: 'ExecutionFailed', cause: 'The order workflow is no longer known to Step Functions.' },
    });
  });

  it('claims an order no workflow took, and stops it; a second run only gives back', () => {
    expect(decide({ claimed: false }, undefined)).toEqual({
      kind: 'reclaim',
      claimFirst: true,
      fail: {
        error: 'WorkflowNeverStarted',
        cause:
          'No order workflow took the order within 121 s of its admission (Validator.NewOrder was not put, or was lost).',
      },
    });
    expect(decide({ claimed: true, bySweep: true }, { status: 'FAILED' })).toEqual({
      kind: 'reclaim',
      claimFirst: false,
    });
  });
});

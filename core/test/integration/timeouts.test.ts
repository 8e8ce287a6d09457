// The workflow's waits under the time scale: at speed 60 the customer's 5 minutes are 5 s and the
// barista's 15 minutes 15 s. A timed-out order is cancelled with its cause, and its places are freed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { MESSAGES } from '../../src/domain/index.js';
import { scan, startCore, stored, typesOf, type Core, type User } from './harness.js';

const SPEED = 60;
let core: Core;
let admin: User, alice: User, bob: User;

beforeAll(async () => {
  core = await startCore({ speed: SPEED });
  [admin, alice, bob] = await Promise.all([core.user('ada', ['admin']), core.user('alice'), core.user('bob')]);
}, 180_000);

afterAll(async () => {
  // Every event the core put during these tests is an event of the contract.
  const invalid = core?.invalid ?? [];
  await core?.close();
  expect(invalid).toEqual([]);
});

const byType = (orderId: string, detailType: string, timeoutMs?: number) =>
  core.event(
    `${detailType} of ${orderId}`,
    (e) => e['detail-type'] === detailType && e.detail.orderId === orderId,
    timeoutMs,
  );

describe('timeouts', () => {
  it('a customer who orders no drink within 5 minutes: OrderTimeOut (customer), order cancelled, place freed', async () => {
    const orderId = await scan(core, admin, alice);
    const started = await byType(orderId, 'OrderProcessor.WorkflowStarted');
    const timedOut = await byType(orderId, 'OrderProcessor.OrderTimeOut', 20_000);
    expect(timedOut.detail).toMatchObject({
      cause: 'customer',
      userId: alice.sub,
      eventId: 'NYC',
      Message: MESSAGES.timeout.customer,
    });
    // 300 s of workflow time, scaled.
    expect(Date.parse(timedOut.time) - Date.parse(started.time)).toBeGreaterThanOrEqual(
      Math.floor(300_000 / SPEED / 1000) * 1000 - 1000,
    );
    const cancelled = await byType(orderId, 'OrderManager.OrderNYC-CANCELLED');
    expect(cancelled.detail).toMatchObject({
      reason: 'timeout',
      timeoutCause: 'customer',
      Message: MESSAGES.cancelled.timeout,
    });
    expect(typesOf(core.eventsOf(orderId))).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.OrderTimeOut',
      'OrderManager.OrderNYC-CANCELLED',
    ]);
    expect((await core.http('GET', `/orders/${orderId}`, { user: alice })).body).toMatchObject({
      status: 'CANCELLED',
      reason: 'timeout',
      timeoutCause: 'customer',
    });
    expect(
      (await core.http('PUT', `/orders/${orderId}/drink`, { user: alice, body: { drink: 'Espresso' } })).body.error,
    ).toBe('ALREADY_CANCELLED');
    // Her place is free again.
    await until('alice to be admitted again', async () => {
      const code = (await core.http<{ code: string }>('GET', '/events/NYC/qr-code', { user: admin })).body.code;
      const r = await core.http('POST', '/events/NYC/orders', { user: alice, body: { code } });
      return r.status === 201 ? true : undefined;
    });
  }, 60_000);

  it('a barista who does not finish within 15 minutes: OrderTimeOut (barista), order cancelled', async () => {
    const orderId = await scan(core, admin, bob);
    await stored(core, bob, orderId);
    expect(
      (
        await core.http('PUT', `/orders/${orderId}/drink`, {
          user: bob,
          body: { drink: 'Bens Brew', modifiers: ['Large'] },
        })
      ).status,
    ).toBe(200);
    const queued = await byType(orderId, 'OrderManager.WaitingCompletion');
    const timedOut = await byType(orderId, 'OrderProcessor.OrderTimeOut', 30_000);
    expect(timedOut.detail).toMatchObject({ cause: 'barista', Message: MESSAGES.timeout.barista });
    expect(Date.parse(timedOut.time) - Date.parse(queued.time)).toBeGreaterThanOrEqual(
      Math.floor(900_000 / SPEED / 1000) * 1000 - 1000,
    );
    expect((await byType(orderId, 'OrderManager.OrderNYC-CANCELLED')).detail).toMatchObject({
      reason: 'timeout',
      timeoutCause: 'barista',
      orderNumber: queued.detail.orderNumber,
    });
    // As in the original, a timed-out workflow ends with its OrderTimeOut: no orderFinished.
    expect(typesOf(core.eventsOf(orderId))).toEqual([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderProcessor.OrderTimeOut',
      'OrderManager.OrderNYC-CANCELLED',
    ]);
    expect(core.invalid).toEqual([]);
  }, 60_000);
});

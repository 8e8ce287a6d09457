import { describe, expect, it } from '@jest/globals';
import {
  METRICS_NAMESPACE,
  emfDocument,
  metricsForChange,
  orderCancelledMetrics,
  orderCompletedMetrics,
  orderCreatedMetrics,
  orderTimedOutMetrics,
  type EmfDocument,
} from '../../src/domain/metrics.js';
import { transition, type Actor, type Order, type OrderAction } from '../../src/domain/order.js';

const T0 = Date.UTC(2026, 10, 21, 12, 52, 21);

/** What CloudWatch checks: every dimension and metric a directive names is a root member of the right type. */
function emfProblems(doc: EmfDocument): string[] {
  const problems: string[] = [];
  const root = doc as Record<string, unknown>;
  if (!Number.isInteger(doc._aws.Timestamp)) problems.push('Timestamp');
  for (const d of doc._aws.CloudWatchMetrics) {
    for (const set of d.Dimensions)
      for (const name of set) if (typeof root[name] !== 'string') problems.push(`dimension ${name}`);
    for (const m of d.Metrics) if (typeof root[m.Name] !== 'number') problems.push(`metric ${m.Name}`);
  }
  return problems;
}

describe('emfDocument', () => {
  it('puts dimensions, metrics and properties at the root and the directive under _aws', () => {
    const doc = emfDocument({
      timestamp: T0,
      dimensions: { eventId: 'NYC' },
      metrics: [{ name: 'OrdersCreated', unit: 'Count', value: 1 }],
      properties: { orderId: 'order-1' },
    });
    expect(doc).toEqual({
      orderId: 'order-1',
      eventId: 'NYC',
      OrdersCreated: 1,
      _aws: {
        Timestamp: T0,
        CloudWatchMetrics: [
          {
            Namespace: 'Serverlesspresso',
            Dimensions: [['eventId']],
            Metrics: [{ Name: 'OrdersCreated', Unit: 'Count' }],
          },
        ],
      },
    });
    expect(emfProblems(doc)).toEqual([]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('refuses what CloudWatch would drop', () => {
    const ok = {
      timestamp: T0,
      dimensions: { eventId: 'NYC' },
      metrics: [{ name: 'M', unit: 'Count' as const, value: 1 }],
    };
    expect(() => emfDocument({ ...ok, dimensionSets: [['eventId', 'drink']] })).toThrow(
      'EMF dimension drink needs a non-empty string value',
    );
    expect(() => emfDocument({ ...ok, dimensions: { eventId: '' } })).toThrow(
      'EMF dimension eventId needs a non-empty string value',
    );
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'x']));
    expect(() => emfDocument({ ...ok, dimensions: many })).toThrow(
      'an EMF dimension set has at most 30 dimensions, got 31',
    );
    expect(() => emfDocument({ ...ok, metrics: [] })).toThrow('an EMF directive has 1 to 100 metrics, got 0');
    expect(() => emfDocument({ ...ok, metrics: [{ name: 'M', unit: 'Count', value: NaN }] })).toThrow(
      'EMF metric M needs a finite number, got NaN',
    );
    expect(() => emfDocument({ ...ok, metrics: [{ name: 'eventId', unit: 'Count', value: 1 }] })).toThrow(
      'EMF member eventId is defined twice',
    );
    expect(() => emfDocument({ ...ok, namespace: '' })).toThrow('EMF namespace must be 1 to 255 characters');
    expect(() => emfDocument({ ...ok, timestamp: -1 })).toThrow('EMF Timestamp must be epoch milliseconds, got -1');
  });
});

describe('order metrics', () => {
  it('count a new order per event (no drink yet)', () => {
    const doc = orderCreatedMetrics({ eventId: 'NYC', orderId: 'order-1', at: T0 });
    expect(doc._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['eventId']], Metrics: [{ Name: 'OrdersCreated', Unit: 'Count' }] },
    ]);
    expect(doc).toMatchObject({ eventId: 'NYC', orderId: 'order-1', OrdersCreated: 1 });
    expect(doc).not.toHaveProperty('drink');
  });

  it('count completions per event and per drink, with the time it took', () => {
    const doc = orderCompletedMetrics({ eventId: 'NYC', drink: 'Flat White', at: T0, timeToCompleteMs: 180_000 });
    expect(doc).toEqual({
      eventId: 'NYC',
      drink: 'Flat White',
      OrdersCompleted: 1,
      TimeToComplete: 180_000,
      _aws: {
        Timestamp: T0,
        CloudWatchMetrics: [
          {
            Namespace: 'Serverlesspresso',
            Dimensions: [['eventId'], ['eventId', 'drink']],
            Metrics: [
              { Name: 'OrdersCompleted', Unit: 'Count' },
              { Name: 'TimeToComplete', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
    });
    expect(orderCompletedMetrics({ eventId: 'NYC', at: T0 })._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'OrdersCompleted', Unit: 'Count' },
    ]);
  });

  it('count cancellations with their reason, and timeouts as cancellations too', () => {
    expect(orderCancelledMetrics({ eventId: 'NYC', drink: 'Espresso', reason: 'customer', at: T0 })).toMatchObject({
      OrdersCancelled: 1,
      reason: 'customer',
      drink: 'Espresso',
    });
    const timedOut = orderTimedOutMetrics({ eventId: 'NYC', cause: 'customer', at: T0 });
    expect(timedOut).toMatchObject({ OrdersTimedOut: 1, OrdersCancelled: 1, reason: 'timeout', cause: 'customer' });
    expect(timedOut._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['eventId']]);
    for (const doc of [timedOut, orderCancelledMetrics({ eventId: 'NYC', reason: 'barista', at: T0 })])
      expect(emfProblems(doc)).toEqual([]);
  });
});

describe('metricsForChange', () => {
  const system: Actor = { role: 'system' };
  const alice: Actor = { role: 'customer', userId: 'alice' };
  const barista: Actor = { role: 'barista', userId: 'barista-1' };
  const step = (order: Order | undefined, action: OrderAction, actor: Actor): Order => {
    const result = transition(order, action, actor);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    return result.value.order;
  };
  const created = step(
    undefined,
    { type: 'workflowStarted', orderId: 'order-1', eventId: 'NYC', userId: 'alice', taskToken: 't1', at: T0 },
    system,
  );
  const submitted = step(
    created,
    { type: 'submitDrink', drinkOrder: { drink: 'Flat White', modifiers: [], icon: 'i' }, at: T0 + 60_000 },
    alice,
  );
  const queued = step(submitted, { type: 'numbered', orderNumber: '1', taskToken: 't2', at: T0 + 65_000 }, system);
  const names = (docs: EmfDocument[]) =>
    docs.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((c) => c.Metrics.map((m) => m.Name)));

  it('counts creation once, and nothing in between', () => {
    const docs = metricsForChange(undefined, created);
    expect(names(docs)).toEqual(['OrdersCreated']);
    expect(docs[0]?._aws.Timestamp).toBe(T0);
    expect(metricsForChange(created, submitted)).toEqual([]);
    expect(metricsForChange(submitted, queued)).toEqual([]);
  });

  it('measures the time to complete from the drink order', () => {
    const completed = step(queued, { type: 'complete', at: T0 + 240_000 }, barista);
    const [doc] = metricsForChange(queued, completed);
    expect(doc).toMatchObject({
      eventId: 'NYC',
      drink: 'Flat White',
      orderId: 'order-1',
      OrdersCompleted: 1,
      TimeToComplete: 180_000,
    });
    expect(doc?._aws.Timestamp).toBe(T0 + 240_000);
    expect(metricsForChange(completed, completed)).toEqual([]);
  });

  it('counts cancellations and timeouts', () => {
    const cancelled = step(queued, { type: 'cancel', at: T0 + 100_000 }, alice);
    expect(metricsForChange(queued, cancelled)).toEqual([
      orderCancelledMetrics({
        eventId: 'NYC',
        drink: 'Flat White',
        orderId: 'order-1',
        reason: 'customer',
        at: T0 + 100_000,
      }),
    ]);
    const timedOut = step(created, { type: 'timeout', cause: 'customer', at: T0 + 300_000 }, system);
    expect(names(metricsForChange(created, timedOut))).toEqual(['OrdersTimedOut', 'OrdersCancelled']);
    expect(metricsForChange(created, timedOut)[0]).toMatchObject({ cause: 'customer', eventId: 'NYC' });
    expect(metricsForChange(created, timedOut)[0]).not.toHaveProperty('drink');
  });

  it('counts an order its workflow failed, with the error, once', () => {
    const failure = { error: 'ExecutionAborted', cause: 'stopped' };
    const failed = step(
      queued,
      { type: 'failed', orderId: 'order-1', eventId: 'NYC', userId: 'alice', failure, at: T0 + 200_000 },
      system,
    );
    expect(names(metricsForChange(queued, failed))).toEqual(['OrdersFailed']);
    expect(metricsForChange(queued, failed)[0]).toMatchObject({ error: 'ExecutionAborted', drink: 'Flat White' });
    expect(metricsForChange(failed, failed)).toEqual([]);
  });

  it('counts an order only once its workflow started: never a refused one', () => {
    const refused = step(
      undefined,
      {
        type: 'refused',
        orderId: 'order-2',
        eventId: 'NYC',
        userId: 'robot',
        code: 'STORE_CLOSED',
        message: 'closed',
        at: T0,
      },
      system,
    );
    expect(metricsForChange(undefined, refused)).toEqual([]);
    // A robot's drink that overtakes its workflow: created when the start arrives.
    const drink: OrderAction = {
      type: 'submitDrink',
      drinkOrder: { drink: 'Espresso', modifiers: [], icon: 'i' },
      early: { orderId: 'order-3', eventId: 'NYC' },
      at: T0,
    };
    const early = step(undefined, drink, { role: 'customer', userId: 'robot' });
    expect(metricsForChange(undefined, early)).toEqual([]);
    const refusedLater = step(
      early,
      {
        type: 'refused',
        orderId: 'order-3',
        eventId: 'NYC',
        userId: 'robot',
        code: 'AT_CAPACITY',
        message: 'full',
        at: T0 + 1,
      },
      system,
    );
    expect(metricsForChange(early, refusedLater)).toEqual([]);
    const startedLate = step(
      early,
      { type: 'workflowStarted', orderId: 'order-3', eventId: 'NYC', userId: 'robot', taskToken: 't3', at: T0 + 2 },
      system,
    );
    expect(names(metricsForChange(early, startedLate))).toEqual(['OrdersCreated']);
    // Cancelled before its start: created and cancelled together when it starts, once.
    const cancelledEarly = step(early, { type: 'cancel', early: true, at: T0 + 3 }, barista);
    expect(metricsForChange(early, cancelledEarly)).toEqual([]);
    const released = step(
      cancelledEarly,
      { type: 'workflowStarted', orderId: 'order-3', eventId: 'NYC', userId: 'robot', taskToken: 't3', at: T0 + 4 },
      system,
    );
    expect(names(metricsForChange(cancelledEarly, released))).toEqual(['OrdersCreated', 'OrdersCancelled']);
    expect(
      metricsForChange(released, step(released, { type: 'timeout', cause: 'customer', at: T0 + 5 }, system)),
    ).toEqual([]);
  });
});

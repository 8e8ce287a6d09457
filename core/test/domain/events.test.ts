import { describe, expect, it } from '@jest/globals';
// Tests may use the catalog at run time: only the Lambda code must not (it is bundled alone).
import {
  BUS_NAME as CATALOG_BUS,
  EVENT_SOURCE as CATALOG_SOURCE,
  detailTypeOf,
  validateEvent,
} from '@serverlesspresso/catalog';
import { applyConfigPatch, defaultConfig } from '../../src/domain/config.js';
import {
  BUS_NAME,
  EVENT_SOURCE,
  MESSAGES,
  idempotencyKey,
  configChangedEvent,
  eventsForChange,
  makeOrderEvent,
  newOrderEvent,
  orderCancelledEvent,
  orderCompletedEvent,
  orderFinishedDetailType,
  orderFinishedEvent,
  orderTimeOutEvent,
  processorWaitingCompletionEvent,
  shopUnavailableEvent,
  toPutEventsEntry,
  waitingCompletionEvent,
  workflowStartedEvent,
  type AnyBusEvent,
} from '../../src/domain/events.js';
import { checkCapacity } from '../../src/domain/capacity.js';
import { newBucket } from '../../src/domain/qrcode.js';
import { transition, type Actor, type Order, type OrderAction } from '../../src/domain/order.js';

const T0 = Date.UTC(2026, 10, 21, 12, 52, 21);
const system: Actor = { role: 'system' };
const alice: Actor = { role: 'customer', userId: 'alice' };
const barista: Actor = { role: 'barista', userId: 'barista-1' };
const ref = { orderId: 'order-1', userId: 'alice', eventId: 'NYC' };

const step = (order: Order | undefined, action: OrderAction, actor: Actor): Order => {
  const result = transition(order, action, actor);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value.order;
};
const created = step(undefined, { type: 'workflowStarted', ...ref, taskToken: 'token-order', at: T0 }, system);
const submitted = step(
  created,
  {
    type: 'submitDrink',
    drinkOrder: { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' },
    at: T0 + 60_000,
  },
  alice,
);
const queued = step(
  submitted,
  { type: 'numbered', orderNumber: '112', taskToken: 'token-completion', at: T0 + 65_000 },
  system,
);
const making = step(queued, { type: 'make', at: T0 + 120_000 }, barista);
const completed = step(making, { type: 'complete', at: T0 + 240_000 }, barista);

/** The event as EventBridge would deliver it, checked against the contract. */
function contractErrors(e: AnyBusEvent) {
  const entry = toPutEventsEntry(e);
  const envelope = {
    version: '0',
    id: '00000000-0000-0000-0000-000000000001',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: '2026-11-21T12:52:21Z',
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
  };
  const verdict = validateEvent(envelope);
  return { errors: verdict.errors, contract: verdict.entry?.detailType };
}

describe('event builders', () => {
  const config = defaultConfig('NYC');
  const cancelledByCustomer = step(submitted, { type: 'cancel', at: T0 + 90_000 }, alice);
  const timedOut = step(making, { type: 'timeout', cause: 'barista', at: T0 + 900_000 }, system);
  const all: [string, AnyBusEvent][] = [
    ['ConfigService.ConfigChanged', configChangedEvent(config, 'The store configuration changed.')],
    [
      'Validator.NewOrder',
      newOrderEvent({ orderId: 'order-1', userId: 'alice', bucket: newBucket(config, T0, (n) => new Uint8Array(n)) }),
    ],
    ['OrderProcessor.WorkflowStarted', workflowStartedEvent({ ...ref, taskToken: 'token-order' })],
    [
      'OrderProcessor.WaitingCompletion',
      processorWaitingCompletionEvent({ ...ref, orderNumber: '112', taskToken: 'token-completion' }),
    ],
    [
      'OrderProcessor.ShopUnavailable',
      shopUnavailableEvent({ ...ref, refusal: { reason: 'STORE_CLOSED', message: 'closed' } }),
    ],
    ['OrderProcessor.OrderTimeOut', orderTimeOutEvent({ ...ref, cause: 'customer' })],
    ['OrderProcessor.orderFinished', orderFinishedEvent(ref)],
    ['OrderManager.WaitingCompletion', waitingCompletionEvent(queued)],
    ['OrderManager.MakeOrder', makeOrderEvent(making)],
    ['OrderManager.Order{eventId}-COMPLETED', orderCompletedEvent(completed)],
    ['OrderManager.Order{eventId}-CANCELLED', orderCancelledEvent(cancelledByCustomer)],
    ['OrderManager.Order{eventId}-CANCELLED', orderCancelledEvent(timedOut)],
  ];

  it.each(all)('%s is valid against the contract', (template, e) => {
    expect(e.template).toBe(template);
    expect(contractErrors(e)).toEqual({ errors: [], contract: template });
  });

  it('uses the catalog source and bus, and its family naming', () => {
    expect(EVENT_SOURCE).toBe(CATALOG_SOURCE);
    expect(BUS_NAME).toBe(CATALOG_BUS);
    expect(orderFinishedDetailType('NYC', 'COMPLETED')).toBe(
      detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId: 'NYC' }),
    );
    expect(orderCompletedEvent(completed).detailType).toBe('OrderManager.OrderNYC-COMPLETED');
    expect(orderCancelledEvent({ ...completed, eventId: 'LDN', status: 'CANCELLED' }).detailType).toBe(
      'OrderManager.OrderLDN-CANCELLED',
    );
  });

  it('builds OrderManager.WaitingCompletion as the original recorded it', () => {
    expect(waitingCompletionEvent({ ...queued, robot: true }).detail).toEqual({
      orderId: 'order-1',
      orderNumber: '112',
      state: 'NYC-CREATED',
      drinkOrder: {
        drink: 'Flat White',
        modifiers: ['Oat'],
        icon: 'barista-icons_cappuccino-alternative',
        userId: 'alice',
      },
      userId: 'alice',
      robot: true,
      eventId: 'NYC',
      TS: T0 + 65_000,
      Message: 'The order is in the barista queue.',
      idempotencyKey: `order-1:${queued.version}:OrderManager.WaitingCompletion`,
    });
  });

  it('builds the finished-order events with ORDERSTATE, reason, the order number and the drink', () => {
    expect(orderCompletedEvent(completed).detail).toEqual({
      orderId: 'order-1',
      eventId: 'NYC',
      userId: 'alice',
      ORDERSTATE: 'NYC-COMPLETED',
      orderNumber: '112',
      baristaUserId: 'barista-1',
      drinkOrder: { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' },
      Message: 'Barista has completed the order.',
      idempotencyKey: `order-1:${completed.version}:OrderManager.OrderNYC-COMPLETED`,
    });
    expect(makeOrderEvent(making).detail).toMatchObject({ drinkOrder: { drink: 'Flat White', modifiers: ['Oat'] } });
    expect(orderCancelledEvent(cancelledByCustomer).detail).toEqual({
      orderId: 'order-1',
      eventId: 'NYC',
      userId: 'alice',
      ORDERSTATE: 'NYC-CANCELLED',
      reason: 'customer',
      drinkOrder: { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' },
      Message: 'The customer cancelled the order.',
      idempotencyKey: `order-1:${cancelledByCustomer.version}:OrderManager.OrderNYC-CANCELLED`,
    });
    expect(orderCancelledEvent(timedOut).detail).toMatchObject({
      reason: 'timeout',
      timeoutCause: 'barista',
      orderNumber: '112',
      Message: 'The order was cancelled because it timed out.',
    });
  });

  it('never puts the QR code on the bus', () => {
    const bucket = newBucket(config, T0, (n) => new Uint8Array(n).fill(7));
    const e = newOrderEvent({ orderId: 'order-1', userId: 'alice', bucket });
    expect(JSON.stringify(e.detail)).not.toContain(bucket.code);
    expect(e.detail).toEqual({
      orderId: 'order-1',
      userId: 'alice',
      eventId: 'NYC',
      bucket: { eventId: 'NYC', bucketId: bucket.bucketId, availableTokens: 10 },
      Message: MESSAGES.newOrder,
      idempotencyKey: 'order-1:0:Validator.NewOrder',
    });
  });

  it('keys each fact: the same order, version and kind give the same key, anything else another', () => {
    expect(orderCompletedEvent(completed).detail.idempotencyKey).toBe(
      orderCompletedEvent({ ...completed }).detail.idempotencyKey,
    );
    const keys = all.map(([, e]) => (e.detail as { idempotencyKey?: string }).idempotencyKey);
    expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(idempotencyKey('order-1', 4, 'OrderManager.MakeOrder')).toBe('order-1:4:OrderManager.MakeOrder');
  });

  it('explains a refusal with the capacity decision', () => {
    const decision = checkCapacity({ config: { ...config, storeOpen: false }, orders: [], userId: 'alice' });
    if (decision.accepted) throw new Error('expected a refusal');
    const e = shopUnavailableEvent({ userId: 'alice', eventId: 'NYC', refusal: decision });
    expect(e.detail).toEqual({
      userId: 'alice',
      eventId: 'NYC',
      reason: 'STORE_CLOSED',
      Message: 'The coffee bar is closed right now, so it takes no orders.',
    });
    expect(contractErrors(e).errors).toEqual([]);
  });

  it('says who timed out', () => {
    expect(orderTimeOutEvent({ ...ref, cause: 'barista' }).detail.Message).toBe(
      'The order timed out: the barista did not finish it within 15 minutes.',
    );
    expect(orderTimeOutEvent({ ...ref, cause: 'customer' }).detail.Message).toBe(
      'The order timed out: no drink was ordered within 5 minutes.',
    );
  });

  it('announces a config change exactly as written: the strict schema accepts it', () => {
    const update = applyConfigPatch(config, { storeOpen: true, maxOrdersInQueue: 25 });
    if (!update.ok || !update.value.event) throw new Error('expected a change');
    expect(contractErrors(update.value.event)).toEqual({ errors: [], contract: 'ConfigService.ConfigChanged' });
    // Even when the stored config carries more than the contract allows.
    const sloppy = { ...config, PK: 'config-NYC' } as typeof config;
    expect(Object.keys(configChangedEvent(sloppy, 'x').detail)).not.toContain('PK');
  });

  it('throws when an order lacks what an event needs (a caller bug)', () => {
    expect(() => waitingCompletionEvent(submitted)).toThrow(
      'order order-1 (SUBMITTED) has no orderNumber, needed for OrderManager.WaitingCompletion',
    );
    expect(() => makeOrderEvent(queued)).toThrow('has no baristaUserId');
  });
});

describe('eventsForChange', () => {
  const types = (before: Order | undefined, after: Order) => eventsForChange(before, after).map((e) => e.detailType);

  it('emits along the happy path: queued, making, completed', () => {
    expect(types(undefined, created)).toEqual([]);
    expect(types(created, submitted)).toEqual([]);
    expect(types(submitted, queued)).toEqual(['OrderManager.WaitingCompletion']);
    expect(types(queued, making)).toEqual(['OrderManager.MakeOrder']);
    expect(types(making, completed)).toEqual(['OrderManager.OrderNYC-COMPLETED']);
  });

  it('queues once, whichever of number and drink arrives second', () => {
    const early = step(
      created,
      { type: 'numbered', orderNumber: '112', taskToken: 'token-completion', at: T0 + 65_000 },
      system,
    );
    expect(types(created, early)).toEqual([]);
    const late = step(
      early,
      {
        type: 'submitDrink',
        drinkOrder: { drink: 'Espresso', modifiers: [], icon: 'barista-icons_espresso' },
        at: T0 + 70_000,
      },
      alice,
    );
    expect(types(early, late)).toEqual(['OrderManager.WaitingCompletion']);
  });

  it('puts a released order back in the queue with its own message', () => {
    const released = step(making, { type: 'unmake', at: T0 + 130_000 }, barista);
    const events = eventsForChange(making, released);
    expect(events.map((e) => e.detailType)).toEqual(['OrderManager.WaitingCompletion']);
    expect(events[0]?.detail.Message).toBe(MESSAGES.backInQueue);
  });

  it('emits nothing for a token refresh or a duplicate', () => {
    const refreshed = step(
      queued,
      { type: 'numbered', orderNumber: '112', taskToken: 'token-completion-2', at: T0 + 70_000 },
      system,
    );
    expect(types(queued, refreshed)).toEqual([]);
    expect(types(completed, completed)).toEqual([]);
    expect(types(completed, { ...completed })).toEqual([]);
  });

  it('emits the cancellation, whoever cancelled', () => {
    const byBarista = step(queued, { type: 'cancel', at: T0 + 100_000 }, barista);
    expect(
      eventsForChange(queued, byBarista).map((e) => [e.detailType, (e.detail as { reason?: string }).reason]),
    ).toEqual([['OrderManager.OrderNYC-CANCELLED', 'barista']]);
    const timedOut = step(created, { type: 'timeout', cause: 'customer', at: T0 + 300_000 }, system);
    expect(eventsForChange(created, timedOut).map((e) => e.detailType)).toEqual(['OrderManager.OrderNYC-CANCELLED']);
  });
});

describe('eventsForChange: robots and refusals', () => {
  const robot: Actor = { role: 'barista', userId: 'robot-barista' };

  it("queues, then completes, in the one write that applies a robot barista's early completion", () => {
    const held = step(submitted, { type: 'complete', early: true, at: T0 + 62_000 }, robot);
    expect(eventsForChange(submitted, held)).toEqual([]);
    const done = step(
      held,
      { type: 'numbered', orderNumber: '112', taskToken: 'token-completion', at: T0 + 65_000 },
      system,
    );
    const events = eventsForChange(held, done);
    expect(events.map((e) => e.detailType)).toEqual([
      'OrderManager.WaitingCompletion',
      'OrderManager.OrderNYC-COMPLETED',
    ]);
    expect(events[0]?.detail).toMatchObject({
      orderNumber: '112',
      TS: T0 + 65_000,
      Message: MESSAGES.waitingCompletion,
    });
    expect(events.map((e) => contractErrors(e).errors)).toEqual([[], []]);
  });

  it('puts nothing for an order the workflow refused, whether or not a drink came first', () => {
    const refused = { type: 'refused', ...ref, code: 'AT_CAPACITY', message: 'full', at: T0 } as const;
    expect(eventsForChange(undefined, step(undefined, refused, system))).toEqual([]);
    const early = step(
      undefined,
      {
        type: 'submitDrink',
        drinkOrder: { drink: 'Espresso', modifiers: [], icon: 'x' },
        early: { orderId: 'order-1', eventId: 'NYC' },
        at: T0,
      },
      alice,
    );
    expect(eventsForChange(early, step(early, refused, system))).toEqual([]);
  });
});

describe('toPutEventsEntry', () => {
  it('makes an AWS SDK PutEvents entry', () => {
    const e = orderFinishedEvent(ref);
    expect(toPutEventsEntry(e)).toEqual({
      Source: 'awsserverlessda.serverlesspresso',
      DetailType: 'OrderProcessor.orderFinished',
      Detail: JSON.stringify(e.detail),
      EventBusName: 'Serverlesspresso',
    });
    const time = new Date(T0);
    expect(
      toPutEventsEntry(e, {
        busName: 'arn:aws:events:us-east-1:123456789012:event-bus/Serverlesspresso',
        resources: ['arn:x'],
        time,
      }),
    ).toMatchObject({
      EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/Serverlesspresso',
      Resources: ['arn:x'],
      Time: time,
    });
  });
});

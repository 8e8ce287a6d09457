import { describe, expect, it } from '@jest/globals';
// Tests may use the catalog at run time: only the Lambda code must not (it is bundled alone).
import { validateChannelMessage } from '@serverlesspresso/catalog';
import { defaultConfig } from '../../src/domain/config.js';
import {
  configChangedEvent,
  eventsForChange,
  orderTimeOutEvent,
  orderFailedEvent,
  orderFinishedEvent,
  MESSAGES,
  processorWaitingCompletionEvent,
  shopUnavailableEvent,
  toPutEventsEntry,
  workflowStartedEvent,
  newOrderEvent,
  type AnyBusEvent,
} from '../../src/domain/events.js';
import {
  boardChannel,
  channelMessages,
  customerChannel,
  eventSegment,
  publishBatches,
  staffChannel,
  type BusEnvelope,
  type ChannelPublish,
} from '../../src/domain/realtime.js';
import { transition, type Actor, type Order, type OrderAction } from '../../src/domain/order.js';

const T0 = Date.UTC(2026, 10, 21, 12, 52, 21);
const system: Actor = { role: 'system' };
const CUSTOMER = '6f1c1c2e-0b0e-4a51-9d1a-3c2f1f0a9b11';
const BARISTA = 'b7a0a3f2-5d55-4c1b-8a57-0f1f2e3d4c5b';
const customer: Actor = { role: 'customer', userId: CUSTOMER };
const barista: Actor = { role: 'barista', userId: BARISTA };
const ref = { orderId: 'order-1', userId: CUSTOMER, eventId: 'NYC' };
const ORDER_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAWorderTokenSecret';
const COMPLETION_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAWcompletionTokenSecret';

const step = (order: Order | undefined, action: OrderAction, actor: Actor): Order => {
  const result = transition(order, action, actor);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value.order;
};
const created = step(undefined, { type: 'workflowStarted', ...ref, taskToken: ORDER_TOKEN, at: T0 }, system);
const submitted = step(
  created,
  {
    type: 'submitDrink',
    drinkOrder: { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' },
    at: T0 + 60_000,
  },
  customer,
);
const queued = step(
  submitted,
  { type: 'numbered', orderNumber: '112', taskToken: COMPLETION_TOKEN, at: T0 + 65_000 },
  system,
);
const making = step(queued, { type: 'make', at: T0 + 120_000 }, barista);
const completed = step(making, { type: 'complete', at: T0 + 240_000 }, barista);
const cancelled = step(making, { type: 'cancel', at: T0 + 240_000 }, barista);

let n = 0;
/** The bus event as EventBridge delivers it to the publisher. */
function delivered(e: AnyBusEvent): BusEnvelope {
  const entry = toPutEventsEntry(e);
  n += 1;
  return {
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    'detail-type': entry.DetailType,
    source: entry.Source,
    time: '2026-11-21T12:56:21Z',
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
  };
}
const one = (before: Order | undefined, after: Order): BusEnvelope => {
  const [e] = eventsForChange(before, after);
  if (!e) throw new Error('no event for this change');
  return delivered(e);
};
const channels = (p: ChannelPublish[]) => p.map((x) => x.channel);

/** Every event of an order's life and of a config change, as the core puts them. */
const lifecycle: BusEnvelope[] = [
  delivered(
    newOrderEvent({
      orderId: 'order-1',
      userId: CUSTOMER,
      bucket: { eventId: 'NYC', bucketId: 7, availableTokens: 9 },
    }),
  ),
  delivered(workflowStartedEvent({ ...ref, taskToken: ORDER_TOKEN })),
  delivered(processorWaitingCompletionEvent({ ...ref, orderNumber: '112', taskToken: COMPLETION_TOKEN })),
  one(submitted, queued),
  one(queued, making),
  one(making, completed),
  one(making, cancelled),
  delivered(orderFinishedEvent(ref)),
  delivered(orderTimeOutEvent({ ...ref, cause: 'barista' })),
  delivered(shopUnavailableEvent({ ...ref, refusal: { reason: 'AT_CAPACITY', message: 'Full.' } })),
  delivered(configChangedEvent(defaultConfig('NYC'), 'The store configuration changed.')),
];

describe('channels', () => {
  it('names one channel per audience; an underscore in the eventId becomes a dash', () => {
    expect(customerChannel('NYC', CUSTOMER)).toBe(`/orders/NYC/${CUSTOMER}`);
    expect(staffChannel('NYC')).toBe('/staff/NYC');
    expect(boardChannel('re_Invent_2026')).toBe('/board/re-Invent-2026');
    expect(eventSegment('a_b')).toBe('a-b');
  });

  it('refuses a segment AppSync would refuse, naming it', () => {
    expect(() => customerChannel('NYC', 'alice@example.com')).toThrow(
      'userId "alice@example.com" is not a channel segment',
    );
    expect(() => staffChannel('x'.repeat(51))).toThrow('is not a channel segment');
  });
});

describe('channelMessages', () => {
  it('tells the customer the workflow waits for the drink, and no one else', () => {
    const { publishes } = channelMessages(lifecycle[1]!);
    expect(publishes).toEqual([
      {
        channel: `/orders/NYC/${CUSTOMER}`,
        message: {
          kind: 'order',
          // The fact's key, not the envelope's id: a re-sent WorkflowStarted is the same message.
          id: 'order-1:0:OrderProcessor.WorkflowStarted',
          source: 'OrderProcessor.WorkflowStarted',
          eventId: 'NYC',
          at: '2026-11-21T12:56:21Z',
          orderId: 'order-1',
          state: 'CREATED',
          message: expect.stringContaining('waits for your drink order') as unknown as string,
        },
      },
    ]);
  });

  it("names a message by the fact's idempotency key, so a re-sent event is the same message; else by the envelope", () => {
    const first = channelMessages(lifecycle[1]!).publishes[0]!.message;
    const resent = channelMessages({ ...lifecycle[1]!, id: 'another-envelope-id' }).publishes[0]!.message;
    expect(resent.id).toBe(first.id);
    const { idempotencyKey: _key, ...detail } = lifecycle[1]!.detail;
    const unkeyed = channelMessages({ ...lifecycle[1]!, detail }).publishes[0]!.message;
    expect(unkeyed.id).toBe(lifecycle[1]!.id);
  });

  it('puts a queued order on the customer, staff and board channels with its number, drink and time', () => {
    const { publishes } = channelMessages(one(submitted, queued));
    expect(channels(publishes)).toEqual([`/orders/NYC/${CUSTOMER}`, '/staff/NYC', '/board/NYC']);
    const [mine, staff, board] = publishes.map((p) => p.message);
    expect(mine).toMatchObject({
      kind: 'order',
      orderId: 'order-1',
      state: 'QUEUED',
      orderNumber: '112',
      drink: { drink: 'Flat White', modifiers: ['Oat'], icon: 'barista-icons_cappuccino-alternative' },
      queuedAt: new Date(T0 + 65_000).toISOString(),
    });
    expect(mine).not.toHaveProperty('robot');
    expect(staff).toMatchObject({ orderId: 'order-1', state: 'QUEUED', robot: false });
    expect(board).toMatchObject({ state: 'QUEUED', orderNumber: '112', drink: { drink: 'Flat White' } });
    expect(board).not.toHaveProperty('orderId');
  });

  it('follows the order through making, completed and cancelled, with the drink each time', () => {
    const states = [one(queued, making), one(making, completed), one(making, cancelled)].map((e) =>
      channelMessages(e).publishes.map((p) => [p.channel, (p.message as { state: string }).state]),
    );
    expect(states).toEqual([
      [
        [`/orders/NYC/${CUSTOMER}`, 'MAKING'],
        ['/staff/NYC', 'MAKING'],
        ['/board/NYC', 'MAKING'],
      ],
      [
        [`/orders/NYC/${CUSTOMER}`, 'COMPLETED'],
        ['/staff/NYC', 'COMPLETED'],
        ['/board/NYC', 'COMPLETED'],
      ],
      [
        [`/orders/NYC/${CUSTOMER}`, 'CANCELLED'],
        ['/staff/NYC', 'CANCELLED'],
        ['/board/NYC', 'CANCELLED'],
      ],
    ]);
    const cancel = channelMessages(one(making, cancelled)).publishes[0]!.message;
    expect(cancel).toMatchObject({ reason: 'barista', drink: { drink: 'Flat White' }, orderNumber: '112' });
  });

  it('tells only the customer of a refusal, with its reason code', () => {
    const { publishes } = channelMessages(lifecycle[9]!);
    expect(publishes).toEqual([
      expect.objectContaining({
        channel: `/orders/NYC/${CUSTOMER}`,
        message: expect.objectContaining({ state: 'CANCELLED', reason: 'refused', refusal: 'AT_CAPACITY' }) as unknown,
      }),
    ]);
  });

  it('tells the customer, the staff and the board (by number) that the workflow stopped an order', () => {
    const failure = { error: 'DynamoDB.ValidationException', cause: 'internal detail' };
    const { publishes } = channelMessages(delivered(orderFailedEvent({ ...ref, failure, orderNumber: '112' })));
    expect(channels(publishes)).toEqual([`/orders/NYC/${CUSTOMER}`, '/staff/NYC', '/board/NYC']);
    for (const { channel, message } of publishes) {
      expect(message).toMatchObject({ kind: 'order', state: 'FAILED', orderNumber: '112', message: MESSAGES.failed });
      expect(JSON.stringify(message)).not.toMatch(/ValidationException|internal detail/);
      expect([channel, validateChannelMessage(channel, message).errors]).toEqual([channel, []]);
    }
    // Never numbered: not on the board.
    const early = channelMessages(delivered(orderFailedEvent({ ...ref, failure })));
    expect(channels(early.publishes)).toEqual([`/orders/NYC/${CUSTOMER}`, '/staff/NYC']);
  });

  it('leaves a number-less cancelled order off the board (the board is keyed by number)', () => {
    const early = step(created, { type: 'cancel', at: T0 + 10_000 }, customer);
    expect(channels(channelMessages(one(created, early)).publishes)).toEqual([`/orders/NYC/${CUSTOMER}`, '/staff/NYC']);
  });

  it('gives the staff the config and the board whether the store is open and the menu', () => {
    const { publishes } = channelMessages(lifecycle[10]!);
    expect(channels(publishes)).toEqual(['/staff/NYC', '/board/NYC']);
    const [staff, board] = publishes.map((p) => p.message);
    expect(staff).toMatchObject({
      kind: 'config',
      storeOpen: expect.any(Boolean),
      maxOrdersInQueue: expect.any(Number),
    });
    expect(Object.keys(board!).sort()).toEqual([
      'at',
      'eventId',
      'id',
      'kind',
      'menu',
      'source',
      'storeOpen',
      'version',
    ]);
  });

  it("gives the staff the event's waits and whether it takes robot orders; the board neither", () => {
    const config = { ...defaultConfig('NYC'), customerWaitMinutes: 3, baristaWaitMinutes: 20, robotsAllowed: true };
    const { publishes } = channelMessages(delivered(configChangedEvent(config, 'The waits changed.')));
    const [staff, board] = publishes;
    expect(staff!.message).toMatchObject({ customerWaitMinutes: 3, baristaWaitMinutes: 20, robotsAllowed: true });
    expect(board!.message).not.toHaveProperty('customerWaitMinutes');
    expect(board!.message).not.toHaveProperty('robotsAllowed');
    for (const { channel, message } of publishes)
      expect([channel, validateChannelMessage(channel, message).errors]).toEqual([channel, []]);
  });

  it("publishes nothing for the events whose news the order manager's events carry, and says why", () => {
    for (const e of [lifecycle[0]!, lifecycle[2]!, lifecycle[7]!, lifecycle[8]!]) {
      const out = channelMessages(e);
      expect(out.publishes).toEqual([]);
      expect(out.skipped).toBe(`${e['detail-type']} is not shown on any channel`);
    }
  });

  it('publishes nothing for a replay or a malformed event, and says why', () => {
    const e = one(queued, making);
    expect(channelMessages({ ...e, detail: { ...e.detail, replay: true } }).skipped).toMatch('a replay is history');
    expect(channelMessages({ ...e, detail: { ...e.detail, eventId: undefined } }).skipped).toBe(
      'OrderManager.MakeOrder: detail.eventId is required',
    );
    expect(channelMessages({ ...e, detail: { ...e.detail, userId: 'a b' } }).skipped).toBe(
      'OrderManager.MakeOrder: userId "a b" is not a channel segment',
    );
    expect(channelMessages({ ...e, detail: { ...e.detail, orderId: 7 } }).skipped).toBe(
      'OrderManager.MakeOrder: detail.orderId and detail.userId are required',
    );
  });

  it('never lets a task token, a user id, a QR bucket or a field it does not know reach a channel', () => {
    // The real events, each also carrying every forbidden field a producer might add by mistake.
    const forbidden = {
      TaskToken: 'FORBIDDEN-task-token',
      taskToken: 'FORBIDDEN-task-token-2',
      baristaUserId: 'FORBIDDEN-barista',
      finishedBy: 'FORBIDDEN-finished-by',
      bucket: { code: 'FORBIDDEN-qr-code' },
      code: 'FORBIDDEN-code',
      secret: 'FORBIDDEN-secret',
    };
    const poisoned = lifecycle.map((e) => ({
      ...e,
      detail: {
        ...e.detail,
        ...forbidden,
        drinkOrder:
          e.detail.drinkOrder === undefined
            ? undefined
            : { ...(e.detail.drinkOrder as object), userId: 'FORBIDDEN-drink-user', note: 'FORBIDDEN-note' },
      },
    }));
    const all = [...lifecycle, ...poisoned].flatMap((e) => channelMessages(e).publishes);
    expect(all.length).toBeGreaterThan(20);
    for (const { channel, message } of all) {
      const text = JSON.stringify(message);
      expect(text).not.toMatch(/FORBIDDEN|orderTokenSecret|completionTokenSecret/);
      // No user id at all: the customer's is in its channel's name, a barista's never anywhere.
      expect(text).not.toContain(CUSTOMER);
      expect(text).not.toContain(BARISTA);
      for (const key of ['TaskToken', 'taskToken', 'userId', 'baristaUserId', 'bucket', 'code', 'finishedBy'])
        expect(text).not.toContain(`"${key}"`);
      if (channel.startsWith('/board/')) expect(message).not.toHaveProperty('orderId');
    }
  });
});

describe('the catalog', () => {
  it("finds every message valid on its channel (the channels' schemas reject any field they do not list)", () => {
    const all = lifecycle.flatMap((e) => channelMessages(e).publishes);
    expect(new Set(all.map((p) => p.channel.split('/')[1]))).toEqual(new Set(['orders', 'staff', 'board']));
    for (const { channel, message } of all)
      expect([channel, validateChannelMessage(channel, message).errors]).toEqual([channel, []]);
  });
});

describe('publishBatches', () => {
  it('groups by channel, keeps the order, and sends at most 5 events per request', () => {
    const m = (i: number) =>
      ({ channel: i % 2 ? '/staff/NYC' : '/board/NYC', message: { id: String(i) } }) as unknown as ChannelPublish;
    const batches = publishBatches(Array.from({ length: 13 }, (_, i) => m(i)));
    expect(batches.map((b) => [b.channel, b.events.map((e) => e.id).join(',')])).toEqual([
      ['/board/NYC', '0,2,4,6,8'],
      ['/board/NYC', '10,12'],
      ['/staff/NYC', '1,3,5,7,9'],
      ['/staff/NYC', '11'],
    ]);
    expect(publishBatches([])).toEqual([]);
  });
});

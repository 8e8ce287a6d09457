// The order processor's definition on the local cloud's Step Functions engine, with its Task states
// answered by a small model of the three DynamoDB items it touches (claims, open-order sets, the
// order counter) and a recorder of PutEvents. This checks the workflow's paths; the integration
// tests (test/integration) run the same definition against DynamoDB Local and the real bus.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
// The engine's manual clock: timeouts to the millisecond, no real waits.
import { StepFunctionsEngine, TaskError, createManualClock } from '@serverlesspresso/local';
import { validateEvent } from '@serverlesspresso/catalog';
import {
  MESSAGES,
  timeoutMessage,
  STORE_CLOSED_MESSAGE,
  atCapacityMessage,
  eventOpenOrdersKey,
  userOpenOrdersKey,
} from '../../src/domain/index.js';

const TEXT = readFileSync(new URL('../../statemachines/orderProcessor.asl.json', import.meta.url), 'utf8');
const SUBSTITUTIONS = { BusName: 'TestBus', ConfigTable: 'config-table', CountersTable: 'counters-table' };
const DEFINITION = TEXT.replace(/\$\{(\w+)\}/g, (_, k: keyof typeof SUBSTITUTIONS) => SUBSTITUTIONS[k]);
const SM_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderProcessor';

type Attr = { S?: string; N?: string; BOOL?: boolean; SS?: string[] };
type Item = Record<string, Attr>;
interface Put {
  DetailType: string;
  Detail: Record<string, unknown>;
  EventBusName: string;
  Source: string;
  token?: string;
}

/** The DynamoDB items the workflow reads and writes, with the semantics of its expressions. */
function world(
  options: {
    config?: {
      storeOpen: boolean;
      maxOrdersInQueue: number;
      robotsAllowed?: boolean;
      customerWaitMinutes?: number;
      baristaWaitMinutes?: number;
    };
    failOn?: string;
  } = {},
) {
  const counters = new Map<string, Item>();
  const puts: Put[] = [];
  const set = (key: string): string[] => counters.get(key)?.orderIds?.SS ?? [];
  const ccf = () => new TaskError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
  const runner = async (resource: string, input: unknown, ctx: { taskToken?: string }): Promise<unknown> => {
    const p = input as Record<string, unknown> & {
      Key?: { PK: { S: string } };
      ExpressionAttributeValues?: Record<string, Attr>;
    };
    if (options.failOn && resource.endsWith(options.failOn))
      throw new TaskError('DynamoDB.InternalServerErrorException', 'injected');
    if (resource.includes(':events:putEvents')) {
      for (const e of (p.Entries as Put[]) ?? [])
        puts.push({ ...e, ...(ctx.taskToken ? { token: ctx.taskToken } : {}) });
      return { Entries: [{ EventId: `e${puts.length}` }], FailedEntryCount: 0 };
    }
    // The admission: the customer's open-order set, as the validator left it.
    if (resource.endsWith('dynamodb:getItem') && p.TableName === 'counters-table')
      return counters.has(p.Key!.PK.S) ? { Item: counters.get(p.Key!.PK.S) } : {};
    expect(p.TableName).toBe(resource.endsWith('getItem') ? 'config-table' : 'counters-table');
    if (resource.endsWith('dynamodb:getItem')) {
      const c = options.config;
      return c
        ? {
            Item: {
              PK: { S: 'NYC' },
              storeOpen: { BOOL: c.storeOpen },
              maxOrdersInQueue: { N: String(c.maxOrdersInQueue) },
              ...(c.robotsAllowed === undefined ? {} : { robotsAllowed: { BOOL: c.robotsAllowed } }),
              ...(c.customerWaitMinutes ? { customerWaitMinutes: { N: String(c.customerWaitMinutes) } } : {}),
              ...(c.baristaWaitMinutes ? { baristaWaitMinutes: { N: String(c.baristaWaitMinutes) } } : {}),
            },
          }
        : {};
    }
    if (resource.endsWith('dynamodb:putItem')) {
      const item = p.Item as Item;
      const existing = counters.get(item.PK!.S!);
      if (existing && existing.executionArn?.S !== p.ExpressionAttributeValues?.[':execution']?.S) throw ccf();
      counters.set(item.PK!.S!, item);
      return {};
    }
    const key = p.Key!.PK.S;
    const values = p.ExpressionAttributeValues ?? {};
    switch (p.UpdateExpression) {
      case 'ADD #orders :order': {
        const orderId = values[':orderId']!.S!;
        const members = set(key);
        if (!(members.length < Number(values[':limit']!.N) || members.includes(orderId))) throw ccf();
        counters.set(key, { PK: { S: key }, orderIds: { SS: [...new Set([...members, orderId])] } });
        return {};
      }
      case 'DELETE #orders :order': {
        if (!counters.has(key)) throw ccf();
        counters.set(key, {
          PK: { S: key },
          orderIds: { SS: set(key).filter((m) => !values[':order']!.SS!.includes(m)) },
        });
        return {};
      }
      case 'ADD #value :one': {
        const value = Number(counters.get(key)?.value?.N ?? '0') + 1;
        counters.set(key, { PK: { S: key }, value: { N: String(value) } });
        return { Attributes: { value: { N: String(value) } } };
      }
    }
    throw new Error(`unexpected task ${resource} ${JSON.stringify(input)}`);
  };
  return { counters, puts, set, runner };
}

const newOrder = (orderId = 'order-1', detail: Record<string, unknown> = {}) => ({
  version: '0',
  id: `ev-${orderId}`,
  'detail-type': 'Validator.NewOrder',
  source: 'awsserverlessda.serverlesspresso',
  account: '123456789012',
  time: '2026-11-21T12:52:21Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    orderId,
    userId: 'alice',
    eventId: 'NYC',
    bucket: { eventId: 'NYC' },
    Message: MESSAGES.newOrder,
    ...detail,
  },
});

/** What the validator does before it puts a NewOrder: a place among the customer's open orders. */
function admit(w: ReturnType<typeof world>, input: unknown): void {
  const d = (
    input as { detail?: { orderId?: unknown; userId?: unknown; eventId?: unknown; bucket?: { eventId?: unknown } } }
  ).detail;
  if (typeof d?.orderId !== 'string' || typeof d.userId !== 'string') return;
  const key = userOpenOrdersKey(String(d.eventId ?? d.bucket?.eventId), d.userId);
  w.counters.set(key, { PK: { S: key }, orderIds: { SS: [...new Set([...w.set(key), d.orderId])] } });
}

function processor(w: ReturnType<typeof world>) {
  const clock = createManualClock();
  const engine = new StepFunctionsEngine({ clock, taskRunner: w.runner });
  /** Starts the workflow of a NewOrder the validator admitted (`admitted: false`: one it did not, e.g. a robot's). */
  const start = (input: unknown, name?: string, options: { admitted?: boolean } = {}) => {
    if (options.admitted !== false) admit(w, input);
    return engine.startExecution({
      stateMachine: { arn: SM_ARN, name: 'OrderProcessor', definition: DEFINITION },
      input: JSON.stringify(input),
      ...(name ? { name } : {}),
    }).executionArn;
  };
  /** The put of a detail-type, once the workflow has made it (it reacts within a few settles). */
  const put = async (detailType: string, nth = 0): Promise<Put> => {
    await clock.settle();
    const found = w.puts.filter((p) => p.DetailType === detailType)[nth];
    if (!found) throw new Error(`no ${detailType} was put (puts: ${w.puts.map((p) => p.DetailType).join(', ')})`);
    return found;
  };
  const done = async (arn: string) => {
    await clock.settle();
    const d = engine.describeExecution(arn);
    if (d.status === 'RUNNING') throw new Error(`${arn} is still running`);
    return d;
  };
  const resume = async (token: string | undefined, output: unknown) => {
    engine.sendTaskSuccess(token!, JSON.stringify(output));
    await clock.settle();
  };
  return { engine, clock, start, put, done, resume };
}

/** Every put as an envelope the contract must accept. */
function expectValidEvents(puts: Put[]): void {
  for (const p of puts) {
    expect(p.EventBusName).toBe('TestBus');
    const verdict = validateEvent({
      version: '0',
      id: 'x',
      'detail-type': p.DetailType,
      source: p.Source,
      account: '123456789012',
      time: '2026-11-21T12:52:21Z',
      region: 'us-east-1',
      resources: [],
      detail: p.Detail,
    });
    expect({ detailType: p.DetailType, errors: verdict.errors }).toEqual({ detailType: p.DetailType, errors: [] });
  }
}

const open = { storeOpen: true, maxOrdersInQueue: 20 };

describe('order processor state machine', () => {
  it('is a valid definition with its substitutions as the only placeholders', () => {
    expect(new Set([...TEXT.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))).toEqual(new Set(Object.keys(SUBSTITUTIONS)));
    expect(() => new StepFunctionsEngine({ taskRunner: async () => ({}) }).compileDefinition(DEFINITION)).not.toThrow();
  });

  it('repeats the domain texts and keys word for word', () => {
    expect(TEXT).toContain(JSON.stringify(STORE_CLOSED_MESSAGE));
    expect(TEXT).toContain(atCapacityMessage(7).replace('(7 open', "(' & $string($capacity) & ' open"));
    for (const m of [MESSAGES.workflowStarted, MESSAGES.processorWaitingCompletion, MESSAGES.orderFinished])
      expect(TEXT).toContain(JSON.stringify(m));
    // Inside a JSONata expression: a single-quoted string.
    expect(TEXT).toContain(`'${MESSAGES.failed}'`);
    // The timeouts' texts name the event's wait: built in the definition from timeoutMessage's words.
    for (const cause of ['customer', 'barista'] as const)
      expect(TEXT).toContain(`'${timeoutMessage(cause, 7).replace(/7 minutes\.$/, '')}'`);
    expect(eventOpenOrdersKey('NYC')).toBe('openOrders-NYC');
    expect(TEXT).toContain("'openOrders-' & $eventId");
    expect(userOpenOrdersKey('NYC', 'alice')).toBe('userOrders-NYC-alice');
    expect(TEXT).toContain("'userOrders-' & $eventId & '-' & $userId");
  });

  it('happy path: started, drink ordered, numbered, completed, finished; places given back', async () => {
    const w = world({ config: open });
    w.counters.set('userOrders-NYC-alice', { PK: { S: 'userOrders-NYC-alice' }, orderIds: { SS: ['order-1'] } });
    const p = processor(w);
    const arn = p.start(newOrder());
    const started = await p.put('OrderProcessor.WorkflowStarted');
    expect(started.Detail).toEqual({
      orderId: 'order-1',
      userId: 'alice',
      eventId: 'NYC',
      TaskToken: started.token,
      idempotencyKey: 'order-1:0:OrderProcessor.WorkflowStarted',
      Message: MESSAGES.workflowStarted,
    });
    expect(w.set('openOrders-NYC')).toEqual(['order-1']);
    await p.resume(started.token, { cancelled: false });
    const waiting = await p.put('OrderProcessor.WaitingCompletion');
    expect(waiting.Detail).toMatchObject({ orderId: 'order-1', orderNumber: '1', TaskToken: waiting.token });
    await p.resume(waiting.token, { cancelled: false });
    expect((await p.done(arn)).status).toBe('SUCCEEDED');
    expect(w.puts.map((x) => x.DetailType)).toEqual([
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderProcessor.orderFinished',
    ]);
    expect(w.set('openOrders-NYC')).toEqual([]);
    expect(w.set('userOrders-NYC-alice')).toEqual([]);
    expectValidEvents(w.puts);
  });

  it('numbers each event from its own counter', async () => {
    const w = world({ config: open });
    w.counters.set('orderNumber-NYC', { PK: { S: 'orderNumber-NYC' }, value: { N: '41' } });
    const p = processor(w);
    p.start(newOrder('order-1'));
    await p.resume((await p.put('OrderProcessor.WorkflowStarted')).token, { cancelled: false });
    expect((await p.put('OrderProcessor.WaitingCompletion')).Detail.orderNumber).toBe('42');
  });

  it('takes the eventId from bucket when the NewOrder has none at the top (the original shape)', async () => {
    const w = world({ config: open });
    const p = processor(w);
    const { eventId: _e, ...detail } = newOrder().detail;
    p.start({ ...newOrder(), detail });
    expect((await p.put('OrderProcessor.WorkflowStarted')).Detail.eventId).toBe('NYC');
  });

  it('refuses when the store is closed or has no config, and gives the customer place back', async () => {
    for (const config of [{ storeOpen: false, maxOrdersInQueue: 20 }, undefined]) {
      const w = world(config ? { config } : {});
      w.counters.set('userOrders-NYC-alice', { PK: { S: 'userOrders-NYC-alice' }, orderIds: { SS: ['order-1'] } });
      const p = processor(w);
      expect((await p.done(p.start(newOrder()))).status).toBe('SUCCEEDED');
      expect(w.puts.map((x) => x.DetailType)).toEqual(['OrderProcessor.ShopUnavailable']);
      expect(w.puts[0]!.Detail).toEqual({
        orderId: 'order-1',
        userId: 'alice',
        eventId: 'NYC',
        reason: 'STORE_CLOSED',
        idempotencyKey: 'order-1:0:OrderProcessor.ShopUnavailable',
        Message: STORE_CLOSED_MESSAGE,
      });
      expect(w.set('userOrders-NYC-alice')).toEqual([]);
      expectValidEvents(w.puts);
    }
  });

  it('refuses at capacity, counting only this event', async () => {
    const w = world({ config: { storeOpen: true, maxOrdersInQueue: 2 } });
    w.counters.set('openOrders-NYC', { PK: { S: 'openOrders-NYC' }, orderIds: { SS: ['a', 'b'] } });
    w.counters.set('openOrders-LDN', { PK: { S: 'openOrders-LDN' }, orderIds: { SS: ['c', 'd', 'e'] } });
    const p = processor(w);
    await p.done(p.start(newOrder()));
    expect(w.puts.map((x) => [x.DetailType, x.Detail.reason, x.Detail.Message])).toEqual([
      ['OrderProcessor.ShopUnavailable', 'AT_CAPACITY', atCapacityMessage(2)],
    ]);
    expect(w.set('openOrders-NYC')).toEqual(['a', 'b']);
    // A capacity of 0 refuses without touching the set.
    const zero = world({ config: { storeOpen: true, maxOrdersInQueue: 0 } });
    const q = processor(zero);
    await q.done(q.start(newOrder()));
    expect(zero.puts.map((x) => x.Detail.reason)).toEqual(['AT_CAPACITY']);
    expect(zero.counters.has('openOrders-NYC')).toBe(false);
  });

  it('a second NewOrder for the same order starts no second workflow', async () => {
    const w = world({ config: open });
    const p = processor(w);
    p.start(newOrder(), 'first');
    await p.put('OrderProcessor.WorkflowStarted');
    const second = await p.done(p.start(newOrder(), 'second'));
    expect(second.status).toBe('SUCCEEDED');
    expect(
      p.engine
        .getExecutionHistory(second.executionArn)
        .some((e) => e.stateEnteredEventDetails?.name === 'Duplicate order'),
    ).toBe(true);
    expect(w.puts.filter((x) => x.DetailType === 'OrderProcessor.WorkflowStarted')).toHaveLength(1);
    expect(w.set('openOrders-NYC')).toEqual(['order-1']);
  });

  it('a cancelled order ends without a number and gives its places back', async () => {
    const w = world({ config: open });
    const p = processor(w);
    const arn = p.start(newOrder());
    await p.resume((await p.put('OrderProcessor.WorkflowStarted')).token, { cancelled: true });
    await p.done(arn);
    expect(w.puts.map((x) => x.DetailType)).toEqual(['OrderProcessor.WorkflowStarted', 'OrderProcessor.orderFinished']);
    expect(w.counters.has('orderNumber-NYC')).toBe(false);
    expect(w.set('openOrders-NYC')).toEqual([]);
  });

  it('times out waiting for the customer after 5 minutes, saying whose wait it was', async () => {
    const w = world({ config: open });
    const p = processor(w);
    const arn = p.start(newOrder('late-drink'));
    await p.put('OrderProcessor.WorkflowStarted');
    await p.clock.advance(299_999);
    expect(p.engine.describeExecution(arn).status).toBe('RUNNING');
    await p.clock.advance(1);
    expect((await p.done(arn)).status).toBe('SUCCEEDED');
    // As in the original, a timed-out workflow ends with its OrderTimeOut (the order manager cancels the order from it).
    expect(w.puts.map((x) => x.DetailType)).toEqual(['OrderProcessor.WorkflowStarted', 'OrderProcessor.OrderTimeOut']);
    expect(w.puts[1]!.Detail).toEqual({
      orderId: 'late-drink',
      userId: 'alice',
      eventId: 'NYC',
      cause: 'customer',
      idempotencyKey: 'late-drink:0:OrderProcessor.OrderTimeOut',
      Message: MESSAGES.timeout.customer,
    });
    expect(w.set('openOrders-NYC')).toEqual([]);
    expectValidEvents(w.puts);
  });

  it("waits as long as the event's config says (customerWaitMinutes, baristaWaitMinutes)", async () => {
    const w = world({ config: { ...open, customerWaitMinutes: 1, baristaWaitMinutes: 2 } });
    const p = processor(w);
    const late = p.start(newOrder('one-minute'));
    await p.put('OrderProcessor.WorkflowStarted');
    await p.clock.advance(59_999);
    expect(p.engine.describeExecution(late).status).toBe('RUNNING');
    await p.clock.advance(1);
    await p.done(late);
    expect((await p.put('OrderProcessor.OrderTimeOut')).Detail).toMatchObject({
      cause: 'customer',
      Message: timeoutMessage('customer', 1),
    });
    expect(timeoutMessage('customer', 1)).toBe('The order timed out: no drink was ordered within 1 minute.');

    const slow = p.start(newOrder('two-minutes'));
    await p.resume((await p.put('OrderProcessor.WorkflowStarted', 1)).token, { cancelled: false });
    await p.put('OrderProcessor.WaitingCompletion');
    await p.clock.advance(119_999);
    expect(p.engine.describeExecution(slow).status).toBe('RUNNING');
    await p.clock.advance(1);
    await p.done(slow);
    expect((await p.put('OrderProcessor.OrderTimeOut', 1)).Detail).toMatchObject({
      cause: 'barista',
      Message: timeoutMessage('barista', 2),
    });
    expectValidEvents(w.puts);
  });

  it('times out waiting for the barista after 15 minutes', async () => {
    const w = world({ config: open });
    const p = processor(w);
    const arn = p.start(newOrder('late-barista'));
    await p.clock.advance(240_000);
    await p.resume((await p.put('OrderProcessor.WorkflowStarted')).token, { cancelled: false });
    await p.put('OrderProcessor.WaitingCompletion');
    await p.clock.advance(899_999);
    expect(p.engine.describeExecution(arn).status).toBe('RUNNING');
    await p.clock.advance(1);
    await p.done(arn);
    const timeout = await p.put('OrderProcessor.OrderTimeOut');
    expect(timeout.Detail).toMatchObject({ cause: 'barista', Message: MESSAGES.timeout.barista });
    expect(w.puts.map((x) => x.DetailType).slice(-1)).toEqual(['OrderProcessor.OrderTimeOut']);
    expect(w.set('openOrders-NYC')).toEqual([]);
    expectValidEvents(w.puts);
  });

  it('fails with its places given back when a step fails for good', async () => {
    const w = world({ config: open, failOn: 'dynamodb:getItem' });
    w.counters.set('userOrders-NYC-alice', { PK: { S: 'userOrders-NYC-alice' }, orderIds: { SS: ['order-1'] } });
    const p = processor(w);
    const arn = p.start(newOrder());
    // Three retries with backoff, then the catch.
    await p.clock.advance(60_000);
    const result = await p.done(arn);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DynamoDB.InternalServerErrorException');
    expect(w.set('userOrders-NYC-alice')).toEqual([]);
    // The order is stopped for everyone to see: OrderProcessor.OrderFailed, after the places are back.
    const failed = await p.put('OrderProcessor.OrderFailed');
    expect(failed.Detail).toEqual({
      orderId: 'order-1',
      userId: 'alice',
      eventId: 'NYC',
      error: 'DynamoDB.InternalServerErrorException',
      cause: 'injected',
      Message: MESSAGES.failed,
      idempotencyKey: 'order-1:0:OrderProcessor.OrderFailed',
    });
    expectValidEvents(w.puts);
  });

  it('a step that throws after the order was numbered: OrderFailed with its number, places back', async () => {
    const w = world({ config: open });
    w.counters.set('userOrders-NYC-alice', { PK: { S: 'userOrders-NYC-alice' }, orderIds: { SS: ['order-1'] } });
    const p = processor(w);
    const arn = p.start(newOrder());
    await p.resume((await p.put('OrderProcessor.WorkflowStarted')).token, { cancelled: false });
    const waiting = await p.put('OrderProcessor.WaitingCompletion');
    p.engine.sendTaskFailure(waiting.token!, 'OrderManager.Broken', 'the resume failed');
    await p.clock.settle();
    expect((await p.done(arn)).status).toBe('FAILED');
    expect((await p.put('OrderProcessor.OrderFailed')).Detail).toMatchObject({
      error: 'OrderManager.Broken',
      cause: 'the resume failed',
      orderNumber: '1',
    });
    expect(w.set('openOrders-NYC')).toEqual([]);
    expect(w.set('userOrders-NYC-alice')).toEqual([]);
    expect(w.puts.map((x) => x.DetailType)).not.toContain('OrderProcessor.orderFinished');
    expectValidEvents(w.puts);
  });

  it('a release that fails for good still ends the order (the sweep gives the place back later)', async () => {
    const w = world({ config: open, failOn: 'dynamodb:updateItem' });
    const p = processor(w);
    const arn = p.start(newOrder());
    await p.clock.advance(60_000);
    const result = await p.done(arn);
    expect(result.status).toBe('FAILED');
    expect((await p.put('OrderProcessor.OrderFailed')).Detail).toMatchObject({
      error: 'DynamoDB.InternalServerErrorException',
    });
  });

  it('takes no order the validator did not admit, unless a robot order on an event that allows robots', async () => {
    const w = world({ config: open });
    const p = processor(w);
    const forged = await p.done(p.start(newOrder('forged-1'), undefined, { admitted: false }));
    expect(forged).toMatchObject({ status: 'FAILED', error: 'OrderNotAdmitted' });
    expect(forged.cause).toContain('robotsAllowed');
    // No claim, no place, no event: nothing of an order.
    expect(w.puts).toEqual([]);
    expect(w.counters.has('workflow-forged-1')).toBe(false);
    expect(w.set('openOrders-NYC')).toEqual([]);
    const robot = await p.done(p.start(newOrder('robot-1', { userId: 'robot' }), undefined, { admitted: false }));
    expect(robot).toMatchObject({ status: 'FAILED', error: 'OrderNotAdmitted' });
  });

  it("takes a robot's NewOrder on an event whose config allows robots", async () => {
    const w = world({ config: { ...open, robotsAllowed: true } });
    const p = processor(w);
    p.start(newOrder('robot-1', { userId: 'robot' }), undefined, { admitted: false });
    expect((await p.put('OrderProcessor.WorkflowStarted')).Detail).toMatchObject({
      orderId: 'robot-1',
      userId: 'robot',
    });
    // A customer's unadmitted order is still refused there.
    const forged = await p.done(p.start(newOrder('forged-1'), undefined, { admitted: false }));
    expect(forged).toMatchObject({ status: 'FAILED', error: 'OrderNotAdmitted' });
  });

  it('fails a NewOrder that is not one, naming what it needs', async () => {
    const p = processor(world({ config: open }));
    const result = await p.done(p.start(newOrder('x', { eventId: 'N-Y-C', bucket: {} })));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidNewOrder' });
  });
});

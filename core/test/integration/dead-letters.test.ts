// Nothing lost, exactly-once effects: the core on the local cloud (time 60 times faster, so Lambda's
// retries of a minute and two, and the alarms' one-minute periods, take a second or two).
// - A consumer that fails on a poison event: after its retries the event is in its dead-letter queue,
//   the queue's alarm goes to ALARM, `presso dlq` shows both, and once the cause is gone `presso dlq
//   redrive` delivers it, once.
// - The same event put twice (the same fact, two envelope ids) is acted on once: the order manager
//   stores one order, the journey records one step, the metrics count it once (and a stream batch
//   delivered twice to the metrics counts once).
// @level integration (also runs the presso binary against the core's local cloud)
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { startCore, type Core, type User } from './harness.js';

// The presso binary, run as a user runs it (a path, not an import: the core does not depend on the CLI).
const PRESSO = fileURLToPath(new URL('../../../extensibility/cli/bin/presso.js', import.meta.url));
const run = promisify(execFile);
const presso = async (...args: string[]) =>
  (await run(process.execPath, [PRESSO, ...args, '--endpoint', core.cloud.url])).stdout;

let core: Core;
let alice: User;

beforeAll(async () => {
  core = await startCore({ speed: 60 });
  alice = await core.user('alice');
}, 180_000);

afterAll(async () => {
  const invalid = core?.invalid ?? [];
  await core?.close();
  expect(invalid).toEqual([]);
});

const physicalId = (logicalId: string) => core.physicalId(logicalId);
const queueName = (logicalId: string) => physicalId(logicalId).split('/').at(-1)!;

interface DlqView {
  queues: Array<{
    queueName: string;
    depth: number;
    consumers: string[];
    alarms: Array<{ name: string; state: string }>;
    messages: Array<{ messageId: string; body: string }>;
  }>;
}
const dlqQueue = async (name: string) =>
  ((await (await fetch(`${core.cloud.url}/_presso/dlq`)).json()) as DlqView).queues.find((q) => q.queueName === name);

const processorEvent = (orderId: string, detailType: string, extra: Record<string, unknown>) => ({
  orderId,
  userId: alice.sub,
  eventId: 'NYC',
  idempotencyKey: `${orderId}:0:${detailType}`,
  Message: 'test',
  ...extra,
});

const appliedLines = (orderId: string, what: string) =>
  core.logs.filter((l) => l.includes(`"orderId":"${orderId}"`) && l.includes(`"message":"${what}"`));

describe('a poison event for a rule-invoked consumer', () => {
  it('lands in its dead-letter queue with an alarm, is listed by presso dlq, and is redriven once fixed', async () => {
    const orderId = `dl-${randomUUID()}`;
    const queue = queueName('OrderWorkflowEventsDeadLetterQueue');
    // The order's number before the order exists: the order manager throws it back, Lambda retries
    // it twice (a minute, two minutes), then sends its record of the failure to the queue.
    await core.put(
      'OrderProcessor.WaitingCompletion',
      processorEvent(orderId, 'OrderProcessor.WaitingCompletion', { orderNumber: '7', TaskToken: 'token-barista' }),
    );
    const held = await until(
      'the failed event in the dead-letter queue and its alarm in ALARM',
      async () => {
        const q = await dlqQueue(queue);
        return q?.depth === 1 && q.alarms.some((a) => a.state === 'ALARM') ? q : undefined;
      },
      { ms: 30_000 },
    );
    const record = JSON.parse(held.messages[0]!.body) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      requestPayload: { 'detail-type': string; detail: { orderId: string } };
      responsePayload: { errorType: string };
    };
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { 'detail-type': 'OrderProcessor.WaitingCompletion', detail: { orderId } },
      responsePayload: { errorType: 'OrderNotYetStored' },
    });
    expect(held.consumers.join(' ')).toMatch(/OrderWorkflowEventsFunction/);

    const listed = await presso('dlq');
    expect(listed).toMatch(new RegExp(`^queue ${queue}  depth 1  alarm [^\\n]*ALARM`, 'm'));
    const id = `sqs:${queue}:${held.messages[0]!.messageId}`;
    expect(listed).toContain(`${id}  `);
    expect(listed).toMatch(
      new RegExp(`OrderProcessor\\.WaitingCompletion \\(order ${orderId}\\), function [^:]+: OrderNotYetStored: `),
    );

    // The cause goes away: the workflow's start stores the order. Then the redrive delivers the number.
    await core.put(
      'OrderProcessor.WorkflowStarted',
      processorEvent(orderId, 'OrderProcessor.WorkflowStarted', { TaskToken: 'token-customer' }),
    );
    await until('the order to be stored', async () => {
      const r = await core.http('GET', `/orders/${orderId}`, { user: alice });
      return r.status === 200 || undefined;
    });
    expect(await presso('dlq', 'redrive', id)).toBe(`${id}  delivered\n1 of 1 redriven\n`);
    const order = await core.http<{ orderNumber?: string }>('GET', `/orders/${orderId}`, { user: alice });
    expect(order.body.orderNumber).toBe('7');
    expect(appliedLines(orderId, 'applied numbered')).toHaveLength(1);
    expect((await dlqQueue(queue))?.depth).toBe(0);
    await until('the alarm back to OK', async () =>
      (await dlqQueue(queue))?.alarms.every((a) => a.state === 'OK') ? true : undefined,
    );
  }, 90_000);
});

describe('the same event put twice', () => {
  it('is acted on once: one order, one journey step, counted once in the metrics', async () => {
    const orderId = `dup-${randomUUID()}`;
    const detail = processorEvent(orderId, 'OrderProcessor.WorkflowStarted', { TaskToken: 'token-customer' });
    const journeyRule = () =>
      Object.entries(core.cloud.events.counters.snapshot().rules).find(([arn]) => /JourneyRecorder/.test(arn))?.[1]
        .delivered ?? 0;
    const journeyBefore = journeyRule();
    await core.put('OrderProcessor.WorkflowStarted', detail);
    await core.put('OrderProcessor.WorkflowStarted', detail);
    const copies = core.events.filter((e) => e.detail.orderId === orderId);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.id).not.toBe(copies[1]!.id);

    // The order manager: the second is a repeat of a step it applied.
    await until('both copies at the order manager', () =>
      appliedLines(orderId, 'applied workflowStarted').length + appliedLines(orderId, 'already applied').length === 2
        ? true
        : undefined,
    );
    expect(appliedLines(orderId, 'applied workflowStarted')).toHaveLength(1);
    // The journey: both copies recorded (and neither running), one step.
    const journeyArn = physicalId('JourneyRecorderStateMachine');
    await until('both copies through the journey recorder', async () => {
      if (journeyRule() < journeyBefore + 2) return undefined;
      const { executions = [] } = await core.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: journeyArn, statusFilter: 'RUNNING' }),
      );
      return executions.length === 0 || undefined;
    });
    const journey = await core.http<{ steps: Array<{ detailType?: string; label: string }> }>(
      'GET',
      `/orders/${orderId}/journey`,
      { user: alice },
    );
    expect(journey.status).toBe(200);
    expect(journey.body.steps).toHaveLength(1);

    // The metrics: the order was created once.
    const created = () =>
      core.logs.filter((l) => l.includes('"OrdersCreated"') && l.includes(`"orderId":"${orderId}"`));
    await until('the order counted', () => (created().length > 0 ? true : undefined));
    expect(created()).toHaveLength(1);

    // A stream batch delivered twice (a retry, a redrive) counts once too.
    const { Item: item } = await core.dynamodb.send(
      new GetItemCommand({ TableName: physicalId('OrderTable'), Key: { PK: { S: orderId } }, ConsistentRead: true }),
    );
    // The change that created it (its workflow's token arrived), as the stream delivered it.
    const { orderTaskToken: _token, ...rest } = item!;
    const before = { ...rest, version: { N: String(Number(item!.version!.N) - 1) } };
    const batch = {
      Records: [
        {
          eventID: '1',
          eventName: 'MODIFY',
          eventSource: 'aws:dynamodb',
          dynamodb: { Keys: { PK: { S: orderId } }, NewImage: item, OldImage: before, SequenceNumber: '1' },
        },
      ],
    };
    const metricsFunction = core.cloud.lambda.get(physicalId('OrderMetricsFunction'))!;
    for (let i = 0; i < 2; i++) expect(await metricsFunction.invoke(batch)).toMatchObject({ ok: true });
    // The record is the change already counted (same order, same version): counted once in all.
    expect(created()).toHaveLength(1);
  }, 60_000);
});

// The pure parts of SQS, on a clock the test moves by hand: digests as AWS computes them, a queue's
// visibility, FIFO groups and deduplication window, the redrive hand-off, retention, and which
// messages a mapping keeps after an invocation.
import { describe, expect, it } from '@jest/globals';
import { md5Hex, md5OfAttributes, messageSize } from '../../src/services/sqs/md5.js';
import { FIFO_DEDUP_WINDOW_MS, Queue, type QueueSettings } from '../../src/services/sqs/queue.js';
import { failedMessages } from '../../src/services/sqs/pollers.js';

const settings = (extra: Partial<QueueSettings> = {}): QueueSettings => ({
  delaySeconds: 0,
  maximumMessageSize: 262_144,
  messageRetentionPeriod: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  visibilityTimeout: 30,
  contentBasedDeduplication: false,
  ...extra,
});

function clockedQueue(name: string, extra: Partial<QueueSettings> = {}) {
  const clock = { now: 1_000_000 };
  const queue = new Queue(
    name,
    `arn:aws:sqs:us-east-1:000000000000:${name}`,
    name.endsWith('.fifo'),
    settings(extra),
    () => clock.now,
  );
  return { queue, clock };
}

describe('digests', () => {
  it('matches the MD5s AWS returns (values pinned by moto and LocalStack from AWS)', () => {
    expect(md5Hex('derp')).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe(
      '235c5c510d26fb653d073faed50ae77c',
    );
    expect(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359901' } })).toBe(
      '994258b45346a2cc3f9cbb611aa7af30',
    );
    expect(md5OfAttributes({ 'SOME_Valid.attribute-Name': { DataType: 'Number', StringValue: '1493147359900' } })).toBe(
      '36655e7e9d7c0e8479fa3f3f42247ae7',
    );
    expect(md5OfAttributes({})).toBeUndefined();
  });

  it('counts body and attribute names, types and values against the size limit', () => {
    expect(messageSize('héllo', { k: { DataType: 'String', StringValue: 'vv' } })).toBe(6 + 1 + 6 + 2);
    expect(messageSize('', { b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') } })).toBe(
      1 + 6 + 3,
    );
  });
});

describe('Queue', () => {
  it('hides a received message for the visibility timeout and counts its receives', () => {
    const { queue, clock } = clockedQueue('q');
    queue.send({ body: 'a', senderId: 's' });
    const [first] = queue.receive(10, undefined);
    expect(first!.message.receiveCount).toBe(1);
    expect(queue.receive(10, undefined)).toEqual([]);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
    expect(queue.nextVisibleIn()).toBe(30_000);
    clock.now += 30_000;
    const [again] = queue.receive(10, undefined);
    expect(again!.message.receiveCount).toBe(2);
    expect(queue.changeVisibility(first!.receipt, 10)).toBe('notInflight');
    expect(queue.delete(again!.receipt)).toBe(true);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect(queue.delete('bm90IG91cnM=')).toBe(false);
  });

  it('drops messages past the retention period', () => {
    const { queue, clock } = clockedQueue('short', { messageRetentionPeriod: 60 });
    queue.send({ body: 'old', senderId: 's' });
    clock.now += 60_000;
    expect(queue.counts().visible).toBe(0);
  });

  it('hands a message past maxReceiveCount to the dead-letter callback, and keeps it when that fails', () => {
    const { queue, clock } = clockedQueue('src', {
      redrive: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 1 },
    });
    queue.send({ body: 'poison', senderId: 's' });
    queue.receive(1, 0);
    const moved: string[] = [];
    expect(queue.receive(1, 0, () => false)).toHaveLength(1); // the DLQ is gone: delivered again
    clock.now += 1;
    expect(queue.receive(1, 0, (m) => moved.push(m.body) > 0)).toEqual([]);
    expect(moved).toEqual(['poison']);
  });

  it('FIFO: deduplicates for 5 minutes, keeps groups in order and holds a group in flight', () => {
    const { queue, clock } = clockedQueue('q.fifo', { contentBasedDeduplication: true });
    const a1 = queue.send({ body: 'a1', groupId: 'a', senderId: 's' });
    expect(queue.send({ body: 'a1', groupId: 'a', senderId: 's' }).messageId).toBe(a1.messageId);
    queue.send({ body: 'a2', groupId: 'a', senderId: 's' });
    queue.send({ body: 'b1', groupId: 'b', senderId: 's' });
    expect(queue.receive(1, undefined).map((r) => r.message.body)).toEqual(['a1']);
    expect(queue.receive(10, undefined).map((r) => r.message.body)).toEqual(['b1']);
    clock.now += FIFO_DEDUP_WINDOW_MS;
    expect(queue.send({ body: 'a1', groupId: 'a', senderId: 's' }).messageId).not.toBe(a1.messageId);
    expect(Number(a1.sequenceNumber)).toBeGreaterThan(0);
  });
});

describe('failedMessages (what a mapping keeps after an invocation)', () => {
  const batch = ['m1', 'm2', 'm3'].map((id) => ({ message: { messageId: id }, receipt: id })) as never[];
  it('keeps none on success, all on a function error, and only the reported ones with ReportBatchItemFailures', () => {
    expect(failedMessages({ ok: true, payload: null }, batch, true)).toEqual(new Set());
    expect(failedMessages({ ok: false, error: { errorType: 'E', errorMessage: 'x' } }, batch, false)).toEqual(
      new Set(['m1', 'm2', 'm3']),
    );
    expect(
      failedMessages({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'm2' }] } }, batch, true),
    ).toEqual(new Set(['m2']));
    // Reports are ignored without ReportBatchItemFailures; an unknown or empty id fails the whole batch.
    expect(
      failedMessages({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'm2' }] } }, batch, false),
    ).toEqual(new Set());
    expect(
      failedMessages({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'zz' }] } }, batch, true).size,
    ).toBe(3);
    expect(
      failedMessages({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: '' }] } }, batch, true).size,
    ).toBe(3);
  });
});

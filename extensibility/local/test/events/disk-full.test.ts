// A full disk while PutEvents writes (PRESSO_TEST_FAIL_WRITE makes the chosen write fail with
// ENOSPC, as a write to a full disk does): the events that write was for are refused, each entry
// with InternalFailure and a sentence saying why and what to do, and none of them is delivered;
// the next put, once the disk has room, is accepted and delivered. Nothing is acknowledged that
// was not written, the archive (written before PutEvents answers) and the pending deliveries alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, afterEach, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'presso-disk-full-'));
let cloud: LocalCloud;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, dataDir, iam: 'off', log: (line) => void logs.push(line) });
  const config = {
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    maxAttempts: 1,
  };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(new PutRuleCommand({ Name: 'coffee', EventPattern: JSON.stringify({ source: ['coffee'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'coffee', Targets: [{ Id: 'orders', Arn: Attributes!.QueueArn! }] }));
}, 60_000);

afterEach(() => {
  delete process.env.PRESSO_TEST_FAIL_WRITE;
});

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await cloud?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const put = (...orders: string[]) =>
  events.send(
    new PutEventsCommand({
      Entries: orders.map((order) => ({ Source: 'coffee', DetailType: 'Order', Detail: JSON.stringify({ order }) })),
    }),
  );

/** The orders delivered to the queue, once `count` of them are there. */
async function delivered(count: number): Promise<string[]> {
  const seen: string[] = [];
  await until(`${count} order(s) in the queue`, async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    for (const m of Messages ?? []) seen.push((JSON.parse(m.Body!) as { detail: { order: string } }).detail.order);
    return seen.length >= count || undefined;
  });
  return seen;
}

const refusal = {
  ErrorCode: 'InternalFailure',
  ErrorMessage: expect.stringMatching(
    /^The local cloud could not write the event to .* \(ENOSPC\), so it was not accepted .*put it again\.$/,
  ),
};

it('refuses the events whose archive write fails, and delivers none of them', async () => {
  process.env.PRESSO_TEST_FAIL_WRITE = 'events:archive';
  const refused = await put('lost-1', 'lost-2');
  expect(refused.FailedEntryCount).toBe(2);
  expect(refused.Entries).toEqual([refusal, refusal]);
  expect(logs.join('\n')).toMatch(/\[events\] The local cloud could not write the event to .*\(ENOSPC\)/);
  const accepted = await put('kept-1');
  expect(accepted.FailedEntryCount).toBe(0);
  expect(await delivered(1)).toEqual(['kept-1']);
});

it('refuses an event whose pending delivery write fails, and accepts the others of the put', async () => {
  process.env.PRESSO_TEST_FAIL_WRITE = 'events:accepted:1';
  const result = await put('lost-3', 'kept-2');
  expect(result.FailedEntryCount).toBe(1);
  expect(result.Entries).toEqual([refusal, { EventId: expect.any(String) }]);
  expect(await delivered(1)).toEqual(['kept-2']);
});

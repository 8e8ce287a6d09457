// SQS messages outlive a restart with a data directory (presso up --data-dir): a stack's queue,
// deployed again, finds its messages with their receive counts, visibility, receipt handles and
// message attributes; a FIFO queue keeps its deduplication ids for their 5 minutes; a queue made
// with CreateQueue comes back at once. (The crash of a real process is extensibility/cli's
// up-crash test.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = new URL('./fixtures/persist-queues.yaml', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-sqs-'));
const clouds: LocalCloud[] = [];
const clients: SQSClient[] = [];

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(options: { dataDir?: string } = { dataDir }) {
  const cloud = await startLocalCloud({ port: 0, ...options, log: () => {} });
  clouds.push(cloud);
  const sqs = new SQSClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  clients.push(sqs);
  return { cloud, sqs };
}

const receiveOne = async (sqs: SQSClient, QueueUrl: string) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    )
  ).Messages ?? [];

it('keeps messages, receive counts, visibility, receipt handles, attributes and FIFO dedup ids across a restart', async () => {
  const first = await start();
  const stack = await first.cloud.stacks.deploy({ path: fixture, stackName: 'keep' });
  const { OrdersUrl, TicketsUrl } = stack.outputs as Record<string, string>;
  const sent = await first.sqs.send(
    new SendMessageCommand({
      QueueUrl: OrdersUrl,
      MessageBody: 'flat white',
      MessageAttributes: { milk: { DataType: 'String', StringValue: 'oat' } },
    }),
  );
  await first.sqs.send(new SendMessageCommand({ QueueUrl: OrdersUrl, MessageBody: 'espresso' }));
  // The first is in flight (30 s of visibility) at the restart; the second is done with.
  const [inFlight] = await receiveOne(first.sqs, OrdersUrl!);
  expect(inFlight?.MessageId).toBe(sent.MessageId);
  const [done] = await receiveOne(first.sqs, OrdersUrl!);
  await first.sqs.send(new DeleteMessageCommand({ QueueUrl: OrdersUrl, ReceiptHandle: done!.ReceiptHandle }));
  const ticket = await first.sqs.send(
    new SendMessageCommand({
      QueueUrl: TicketsUrl,
      MessageBody: 'ticket 1',
      MessageGroupId: 'NYC',
      MessageDeduplicationId: 'order-1',
    }),
  );
  const { QueueUrl: scratchUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'scratch' }));
  await first.sqs.send(new SendMessageCommand({ QueueUrl: scratchUrl, MessageBody: 'note' }));
  await first.cloud.close();
  clouds.splice(clouds.indexOf(first.cloud), 1);

  const second = await start();
  // The queue made with CreateQueue is back at once; the stack's messages wait for its deploy.
  expect(second.cloud.resumption.heldMessages()).toBe(2);
  const [note] = await receiveOne(second.sqs, scratchUrl!.replace(first.cloud.url, second.cloud.url));
  expect(note?.Body).toBe('note');
  await second.cloud.stacks.deploy({ path: fixture, stackName: 'keep' });
  expect(second.cloud.resumption.heldMessages()).toBe(0);
  expect(second.cloud.resumption.messages()).toBe(3);
  const orders = OrdersUrl!.replace(first.cloud.url, second.cloud.url);
  const tickets = TicketsUrl!.replace(first.cloud.url, second.cloud.url);

  // Still in flight; its receipt handle from before the restart still changes its visibility.
  expect(await receiveOne(second.sqs, orders)).toEqual([]);
  await second.sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: orders,
      ReceiptHandle: inFlight!.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  const [again] = await receiveOne(second.sqs, orders);
  expect(again).toMatchObject({
    MessageId: sent.MessageId,
    Body: 'flat white',
    MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
    MessageAttributes: { milk: { DataType: 'String', StringValue: 'oat' } },
    Attributes: expect.objectContaining({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: inFlight!.Attributes!.ApproximateFirstReceiveTimestamp,
      SentTimestamp: inFlight!.Attributes!.SentTimestamp,
    }),
  });
  // The deleted one stays deleted.
  await second.sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: orders,
      ReceiptHandle: again!.ReceiptHandle,
      VisibilityTimeout: 60,
    }),
  );
  expect(await receiveOne(second.sqs, orders)).toEqual([]);

  // FIFO: the same deduplication id within its 5 minutes is a duplicate, answered with the first id.
  const duplicate = await second.sqs.send(
    new SendMessageCommand({
      QueueUrl: tickets,
      MessageBody: 'ticket 1',
      MessageGroupId: 'NYC',
      MessageDeduplicationId: 'order-1',
    }),
  );
  expect(duplicate).toMatchObject({ MessageId: ticket.MessageId, SequenceNumber: ticket.SequenceNumber });
  const next = await second.sqs.send(
    new SendMessageCommand({
      QueueUrl: tickets,
      MessageBody: 'ticket 2',
      MessageGroupId: 'NYC',
      MessageDeduplicationId: 'order-2',
    }),
  );
  expect(BigInt(next.SequenceNumber!)).toBeGreaterThan(BigInt(ticket.SequenceNumber!));
  const [firstTicket] = await receiveOne(second.sqs, tickets);
  expect(firstTicket).toMatchObject({ MessageId: ticket.MessageId, Body: 'ticket 1' });
});

it("keeps a CreateQueue queue's attributes and tags set later across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-sqs-attributes-'));
  try {
    const first = await start({ dataDir: dir });
    const { QueueUrl } = await first.sqs.send(
      new CreateQueueCommand({ QueueName: 'later', Attributes: { VisibilityTimeout: '40' }, tags: { team: 'bar' } }),
    );
    await first.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '90', DelaySeconds: '5' } }),
    );
    await first.sqs.send(new TagQueueCommand({ QueueUrl, Tags: { shift: 'morning', floor: '2' } }));
    await first.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    // A write that fails refuses the change: nothing is changed (one attempt: the SDK retries a 500).
    const once = new SQSClient({
      endpoint: first.cloud.url,
      region: first.cloud.account.region,
      credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
      maxAttempts: 1,
    });
    clients.push(once);
    process.env.PRESSO_TEST_FAIL_WRITE = 'sqs:attributes';
    try {
      await expect(
        once.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '9' } })),
      ).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    } finally {
      delete process.env.PRESSO_TEST_FAIL_WRITE;
    }
    await first.cloud.close();
    clouds.splice(clouds.indexOf(first.cloud), 1);

    const second = await start({ dataDir: dir });
    const url = QueueUrl!.replace(first.cloud.url, second.cloud.url);
    const { Attributes } = await second.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({ VisibilityTimeout: '90', DelaySeconds: '5' });
    const { Tags } = await second.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    expect(Tags).toEqual({ shift: 'morning', floor: '2' });
    await second.cloud.close();
    clouds.splice(clouds.indexOf(second.cloud), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('writes no messages file without a data directory of the user', async () => {
  const { cloud, sqs } = await start({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scratch' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'note' }));
  expect(existsSync(join(cloud.dataDir, 'sqs'))).toBe(false);
});

// SQS on the edge through the real SDK v3 client (JSON protocol) and plain form posts (query
// protocol): queues, messages, visibility, redrive, FIFO, and the bad input AWS refuses. The cloud
// runs at speed 600, so a 30-second visibility timeout passes in 50 ms of real time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const SPEED = 600;
let cloud: LocalCloud;
let sqs: SQSClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {} });
  sqs = new SQSClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.close();
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

/** Receives until a message comes (local time runs 600 times faster, so a 20 s long poll is 33 ms real). */
const receiveOne = (url: string, what: string) =>
  until(what, async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['All'] }),
    );
    return Messages?.[0];
  });

const attributesOf = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;

describe('queues', () => {
  it('creates, finds, lists, sets attributes and deletes', async () => {
    const url = await queue('orders', { VisibilityTimeout: '45' });
    expect(url).toBe(`${cloud.url}/000000000000/orders`);
    expect(await queue('orders', { VisibilityTimeout: '45' })).toBe(url);
    await expect(queue('orders', { VisibilityTimeout: '10' })).rejects.toMatchObject({ name: 'QueueNameExists' });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(url);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'ord' }))).QueueUrls).toEqual([url]);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '5' } }));
    expect(await attributesOf(url)).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders',
      VisibilityTimeout: '45',
      DelaySeconds: '5',
      MaximumMessageSize: '262144',
      ApproximateNumberOfMessages: '0',
    });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('refuses a bad attribute naming it', async () => {
    await expect(queue('bad', { VisibilityTimeout: '99999' })).rejects.toMatchObject({
      name: 'InvalidAttributeValue',
      message: expect.stringContaining('VisibilityTimeout'),
    });
    await expect(queue('bad', { Colour: 'blue' })).rejects.toMatchObject({ name: 'InvalidAttributeName' });
    await expect(queue('no spaces')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('answers a receive from a deleted queue with QueueDoesNotExist, and ends a long poll on it', async () => {
    // At real speed, so the 20-second long poll is surely waiting when the queue goes.
    const real = await startLocalCloud({ port: 0, log: () => {} });
    const client = new SQSClient({
      endpoint: real.url,
      region: real.account.region,
      credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    });
    try {
      const { QueueUrl: url } = await client.send(new CreateQueueCommand({ QueueName: 'short-lived' }));
      const started = Date.now();
      const polling = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
      await until('the long poll to reach the queue', () => real.edge.requests()['AmazonSQS.ReceiveMessage'] === 1);
      await client.send(new DeleteQueueCommand({ QueueUrl: url }));
      await expect(polling).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(client.send(new ReceiveMessageCommand({ QueueUrl: url }))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
      // At real speed too: one PurgeQueue a minute.
      const { QueueUrl: other } = await client.send(new CreateQueueCommand({ QueueName: 'purged' }));
      await client.send(new PurgeQueueCommand({ QueueUrl: other }));
      await expect(client.send(new PurgeQueueCommand({ QueueUrl: other }))).rejects.toMatchObject({
        name: 'PurgeQueueInProgress',
        message: 'Only one PurgeQueue operation on purged is allowed every 60 seconds.',
      });
    } finally {
      client.destroy();
      await real.close();
    }
  });
});

describe('messages', () => {
  it('sends and receives with attributes, their MD5s as AWS computes them', async () => {
    const url = await queue('attrs');
    // The SDK checks MD5OfMessageBody and MD5OfMessageAttributes itself and throws on a mismatch.
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'héllo',
        MessageAttributes: {
          tenant: { DataType: 'String', StringValue: 'acme' },
          count: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    const m = Messages![0]!;
    expect(m.Body).toBe('héllo');
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m.MessageAttributes?.tenant).toMatchObject({ DataType: 'String', StringValue: 'acme' });
    expect([...(m.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([1, 2, 3]);
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: expect.any(String) });
  });

  it('matches the MD5 of a known message (AWS documentation example values)', async () => {
    const url = await queue('md5');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
  });

  it('hides a received message for its visibility timeout, then redelivers it counting receives', async () => {
    const url = await queue('visibility', { VisibilityTimeout: '600' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(await attributesOf(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    // 600 s of local time is 1 s real: it comes back once it is visible again.
    const second = await receiveOne(url, 'the message to be visible again');
    expect(second.Attributes?.ApproximateReceiveCount).toBe('2');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle! }));
    expect(await attributesOf(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('changes visibility, and refuses a handle it never issued', async () => {
    const url = await queue('change', { VisibilityTimeout: '3600' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: Messages![0]!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('delays a message, long polling waits for it', async () => {
    const url = await queue('delayed');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 900 }));
    expect(await attributesOf(url)).toMatchObject({ ApproximateNumberOfMessagesDelayed: '1' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect((await receiveOne(url, 'the delayed message')).Body).toBe('later');
  });

  it('refuses a message over 256 KB and a batch over 10 entries as AWS does', async () => {
    const url = await queue('limits');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(262_145) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(262_144) }));
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `${i}` }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }))).rejects.toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 11.',
    });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: '1' },
            { Id: 'a', MessageBody: '2' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))).rejects.toMatchObject(
      { name: 'InvalidParameterValue' },
    );
  });

  it('sends, receives and deletes in batches, reporting a bad entry alone', async () => {
    const url = await queue('batches');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'c', MessageBody: 'three', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'c', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['one', 'two']);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    expect(deleted.Successful).toHaveLength(2);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'purged' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await attributesOf(url)).toMatchObject({ ApproximateNumberOfMessages: '0' });
  });
});

describe('dead-letter queues', () => {
  it('moves a message to the DLQ after maxReceiveCount receives, and StartMessageMoveTask brings it back', async () => {
    // Its visibility timeout the longest SQS takes (72 s of real time at speed 600): the test changes the
    // visibility of what it received there, however loaded the machine.
    const dlq = await queue('work-dlq', { VisibilityTimeout: '43200' });
    const dlqArn = (await attributesOf(dlq)).QueueArn!;
    const url = await queue('work', {
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([url]);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (const count of ['1', '2']) {
      const m = await receiveOne(url, `receive ${count}`);
      expect(m.Attributes?.ApproximateReceiveCount).toBe(count);
    }
    // The next receive finds it past maxReceiveCount once visible: it goes to the DLQ instead.
    await until('the poison message to leave the queue', async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      if (Messages) throw new Error(`received ${Messages[0]!.Body} a third time`);
      return (await attributesOf(dlq)).ApproximateNumberOfMessages === '1';
    });
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }));
    expect(dead.Messages?.[0]).toMatchObject({
      Body: 'poison',
      Attributes: expect.objectContaining({ DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work' }),
    });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: dlq,
        ReceiptHandle: dead.Messages![0]!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(TaskHandle).toEqual(expect.any(String));
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }));
    expect(back.Messages?.[0]).toMatchObject({
      Body: 'poison',
      Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }),
    });
  });
});

describe('FIFO queues', () => {
  it('drops a duplicate within 5 minutes, keeps group order, and locks a group while a message is in flight', async () => {
    const url = await queue('orders.fifo', { FifoQueue: 'true', VisibilityTimeout: '43200' });
    const first = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'd1' }),
    );
    const dup = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'a1 again',
        MessageGroupId: 'a',
        MessageDeduplicationId: 'd1',
      }),
    );
    expect(dup.MessageId).toBe(first.MessageId);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'a2', MessageGroupId: 'a', MessageDeduplicationId: 'd2' }),
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'b1', MessageGroupId: 'b', MessageDeduplicationId: 'd3' }),
    );
    expect(await attributesOf(url)).toMatchObject({ ApproximateNumberOfMessages: '3', FifoQueue: 'true' });
    const one = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }));
    expect(one.Messages?.[0]).toMatchObject({
      Body: 'a1',
      Attributes: expect.objectContaining({ MessageGroupId: 'a' }),
    });
    // Group a is locked while a1 is in flight: only b1 comes.
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(next.Messages?.map((m) => m.Body)).toEqual(['b1']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: one.Messages![0]!.ReceiptHandle! }));
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(after.Messages?.map((m) => m.Body)).toEqual(['a2']);
  });

  it('deduplicates by content when ContentBasedDeduplication is on, until the window passes', async () => {
    const url = await queue('content.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const a = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
    const b = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
    expect(b.MessageId).toBe(a.MessageId);
    expect(await attributesOf(url)).toMatchObject({ ApproximateNumberOfMessages: '1' });
    // Five minutes of local time is half a second real at this speed.
    const later = await until(
      'a send after the window to be a new message',
      async () => {
        const c = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
        return c.MessageId !== a.MessageId && c;
      },
      { ms: 5_000 },
    );
    expect(later.MessageId).not.toBe(a.MessageId);
  });

  it('refuses what a FIFO queue cannot take', async () => {
    const url = await queue('strict.fifo', { FifoQueue: 'true' });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })),
    ).rejects.toMatchObject({
      name: 'MissingParameter',
      message: 'The request must contain the parameter MessageGroupId.',
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(queue('notfifo', { FifoQueue: 'true' })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('query protocol', () => {
  it('answers form-encoded Action requests in XML, errors with the query code', async () => {
    const post = async (body: Record<string, string>) => {
      const res = await fetch(cloud.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
      return { status: res.status, text: await res.text() };
    };
    const created = await post({
      Action: 'CreateQueue',
      QueueName: 'query',
      'Attribute.1.Name': 'DelaySeconds',
      'Attribute.1.Value': '0',
    });
    expect(created.status).toBe(200);
    expect(created.text).toContain(`<QueueUrl>${cloud.url}/000000000000/query</QueueUrl>`);
    const url = `${cloud.url}/000000000000/query`;
    const sent = await post({
      Action: 'SendMessage',
      QueueUrl: url,
      MessageBody: 'via query',
      'MessageAttribute.1.Name': 'k',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'v',
    });
    expect(sent.text).toContain('<MD5OfMessageBody>');
    const received = await post({ Action: 'ReceiveMessage', QueueUrl: url, 'MessageAttributeName.1': 'All' });
    expect(received.text).toMatch(
      /<Message>.*<Body>via query<\/Body>.*<MessageAttribute><Name>k<\/Name><Value><DataType>String<\/DataType><StringValue>v<\/StringValue><\/Value><\/MessageAttribute>/s,
    );
    const missing = await post({ Action: 'GetQueueUrl', QueueName: 'nope' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });
});

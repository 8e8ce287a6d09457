// Queues from a template: AWS::SQS::Queue (Ref is a URL on the edge that a function's SDK client
// uses as is), AWS::SQS::QueuePolicy, a redrive policy to a dead-letter queue, and a SAM SQS event
// whose function reports partial batch failures: the good messages are deleted, the bad one comes
// back after its visibility timeout and, past maxReceiveCount, lands in the dead-letter queue.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let sqs: SQSClient;
const logs: string[] = [];

beforeAll(async () => {
  // 30 s of visibility timeout is 0.3 s real.
  cloud = await startLocalCloud({ port: 0, speed: 100, log: (line) => void logs.push(line) });
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

const detail = () =>
  [
    ...logs.slice(-20),
    JSON.stringify(cloud.sqsPollers.list()),
    JSON.stringify(cloud.sqs.list().map((q) => ({ name: q.name, ...q.counts() }))),
  ].join('\n');

describe('a template with queues and an SQS-triggered function', () => {
  it('delivers batches, deletes what succeeded and dead-letters what keeps failing', async () => {
    const stack = await cloud.stacks.deploy({ path: fixture('sqs-app'), stackName: 'sqs-app' });
    expect(stack.notEmulated).toEqual([]);
    const workUrl = stack.outputs.WorkQueueUrl!;
    expect(workUrl).toMatch(new RegExp(`^${cloud.url}/000000000000/sqs-app-WorkQueue-[A-Z0-9]{12}$`));
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: workUrl, AttributeNames: ['All'] })))
      .Attributes!;
    expect(JSON.parse(attributes.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: stack.outputs.DeadLettersArn,
      maxReceiveCount: 2,
    });
    expect(JSON.parse(attributes.Policy!).Statement[0].Action).toBe('sqs:SendMessage');

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: workUrl,
        Entries: [
          { Id: 'a', MessageBody: 'ok-1' },
          { Id: 'b', MessageBody: 'bad-1' },
          { Id: 'c', MessageBody: 'ok-2' },
        ],
      }),
    );
    const results: string[] = [];
    await until(
      'both good messages forwarded to the results queue',
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: stack.outputs.ResultsQueueUrl!, MaxNumberOfMessages: 10 }),
        );
        results.push(...(Messages ?? []).map((m) => m.Body!));
        // Deleted once read: a FIFO group delivers its next message only then.
        for (const m of Messages ?? [])
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: stack.outputs.ResultsQueueUrl!, ReceiptHandle: m.ReceiptHandle! }),
          );
        return results.length >= 2;
      },
      { detail },
    );
    expect(results.sort()).toEqual(['ok-1 (aws:sqs, receive 1)', 'ok-2 (aws:sqs, receive 1)']);
    const dlqUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: stack.outputs.DeadLettersArn!.split(':').pop()! }))
    ).QueueUrl!;
    const dead = await until(
      'the bad message in the dead-letter queue',
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] })))
          .Messages?.[0],
      { detail },
    );
    expect(dead.Body).toBe('bad-1');
    expect(dead.Attributes?.DeadLetterQueueSourceArn).toBe(
      `arn:aws:sqs:us-east-1:000000000000:${workUrl.split('/').pop()}`,
    );
    // Received twice by the mapping (maxReceiveCount 2), each time reported as failed.
    const mapping = cloud.sqsPollers.list()[0]!;
    expect(mapping.stats.messagesDeleted).toBe(2);
    expect(mapping.stats.invocations).toBeGreaterThanOrEqual(2);

    await cloud.stacks.delete('sqs-app');
    expect(cloud.sqsPollers.list()).toEqual([]);
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl: workUrl }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  }, 60_000);
});

// AWS::Lambda::EventSourceMapping from a queue: checked as CreateEventSourceMapping checks it (the
// deploy names the property and keeps nothing), and a redeploy that changes the queue's attributes
// keeps its messages.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let sqs: SQSClient;
const bodies: string[][] = [];
let failing = true;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100, log: () => {} });
  sqs = new SQSClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  cloud.lambda.register(
    inProcessFunction({
      name: 'worker',
      arn: arns.lambda(cloud.account, 'worker'),
      timeoutSeconds: 60,
      handler: async (event) => {
        if (failing) throw new Error('not yet');
        bodies.push((event as { Records: Array<{ body: string }> }).Records.map((r) => r.body));
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.close();
});

const deploy = (stackName: string, parameterOverrides: Record<string, string>) =>
  cloud.stacks.deploy({
    path: fixture('queue-mapping.yaml'),
    stackName,
    parameterOverrides: { FunctionName: 'worker', Visibility: '120', ...parameterOverrides },
  });

describe('queue event source mappings', () => {
  it('refuses a batch over 10 without a batching window, and a function timeout over the visibility timeout', async () => {
    await expect(deploy('big-batch', { BatchSize: '20' })).rejects.toThrow(
      /Resources\.Mapping\.Properties\.MaximumBatchingWindowInSeconds: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10/,
    );
    await expect(deploy('short-visibility', { Visibility: '30' })).rejects.toThrow(
      /Resources\.Mapping\.Properties\.EventSourceArn: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds/,
    );
    expect(cloud.sqs.list()).toEqual([]);
    expect(cloud.sqsPollers.list()).toEqual([]);
  });

  it('keeps the messages when a redeploy changes the queue, and the mapping goes on with the new batch size', async () => {
    const { outputs } = await deploy('mapped', {});
    for (const n of [1, 2, 3])
      await sqs.send(new SendMessageCommand({ QueueUrl: outputs.WorkUrl!, MessageBody: `m${n}` }));
    await deploy('mapped', { Visibility: '300', BatchSize: '20', Window: '5' });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: outputs.WorkUrl!, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('300');
    expect(cloud.sqsPollers.list().map((p) => p.spec.batchSize)).toEqual([20]);
    failing = false;
    // Failed receives hid some for the visibility timeout (at most 300 s: 3 s real); they all arrive.
    await until('all three messages', () => bodies.flat().length === 3, { ms: 30_000 });
    expect(bodies.flat().sort()).toEqual(['m1', 'm2', 'm3']);
    await cloud.stacks.delete('mapped');
  }, 60_000);
});

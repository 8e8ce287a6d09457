// A poison record in a table stream is moved aside instead of blocking the shard: the mapping
// bisects the failing batch, retries the bad record MaximumRetryAttempts times, then sends Lambda's
// on-failure record (the batch's place in the shard) to the OnFailure SQS queue and goes on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let doc: DynamoDBDocumentClient;
let sqs: SQSClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  sqs = new SQSClient(config);
}, 60_000);

afterAll(async () => {
  doc?.destroy();
  sqs?.destroy();
  await cloud?.close();
});

describe('stream mappings with an OnFailure queue', () => {
  it('sends the poison record aside to the queue, delivers the rest of the shard, and redrives it once fixed', async () => {
    const delivered: string[] = [];
    let fixed = false;
    const name = 'picky-fn';
    const arn = arns.lambda(cloud.account, name);
    cloud.lambda.register(
      inProcessFunction({
        name,
        arn,
        handler: async (event) => {
          const keys = (event as { Records: Array<{ dynamodb: { Keys: { PK: { S: string } } } }> }).Records.map(
            (r) => r.dynamodb.Keys.PK.S,
          );
          if (keys.includes('poison') && !fixed) throw new Error('cannot take it');
          delivered.push(...keys);
        },
      }),
    );
    const { outputs } = await cloud.stacks.deploy({
      path: fixture('stream-on-failure.yaml'),
      stackName: 'stream-on-failure',
      parameterOverrides: { FunctionName: name },
    });
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [outputs.TableName!]: ['a', 'poison', 'b', 'c'].map((PK) => ({ PutRequest: { Item: { PK } } })),
        },
      }),
    );
    await until('the good records', () => delivered.length === 3);
    expect(delivered.sort()).toEqual(['a', 'b', 'c']);
    const record = await until('the on-failure record in the queue', async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: outputs.DiscardedUrl! }));
      return Messages?.[0] && (JSON.parse(Messages[0].Body!) as Record<string, unknown>);
    });
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        functionArn: arn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: expect.any(Number),
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      DDBStreamBatchInfo: { batchSize: 1, streamArn: outputs.StreamArn, shardId: expect.any(String) },
    });
    // Writes after it are not held back.
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'd' } }));
    await until('the record after', () => delivered.includes('d'));

    // presso dlq's view: the queue, its depth and whose it is (the record is visible again by now).
    const dlq = async () =>
      (
        (await (await fetch(`${cloud.url}/_presso/dlq`)).json()) as {
          queues: Array<{
            queueArn: string;
            queueName: string;
            depth: number;
            consumers: string[];
            messages: unknown[];
          }>;
        }
      ).queues.find((q) => q.queueArn === outputs.DiscardedArn);
    const held = await until('the record visible again in its queue', async () => {
      const q = await dlq();
      return q?.depth === 1 ? q : undefined;
    });
    expect(held.consumers).toEqual([`${arn} (OnFailure of ${outputs.StreamArn})`]);
    // Redriven while the function still fails: the message stays.
    const redrive = async () =>
      (
        (await (await fetch(`${cloud.url}/_presso/dlq/redrive`, { method: 'POST', body: '{}' })).json()) as {
          results: Array<{ id: string; delivered: boolean; error?: string }>;
        }
      ).results;
    expect(await redrive()).toEqual([
      { id: expect.stringMatching(/^sqs:/), delivered: false, error: 'Error: cannot take it (kept in the queue)' },
    ]);
    expect((await dlq())?.depth).toBe(1);
    // Fixed, the redrive reads the record again from the shard and delivers it once.
    fixed = true;
    expect(await redrive()).toEqual([{ id: expect.stringMatching(/^sqs:/), delivered: true }]);
    expect(delivered.filter((k) => k === 'poison')).toEqual(['poison']);
    expect((await dlq())?.messages).toEqual([]);
    await cloud.stacks.delete('stream-on-failure');
  }, 60_000);
});

// A function's asynchronous failures land in real queues: after Lambda's retries (here
// EventInvokeConfig's one), the event goes to its DeadLetterQueue with RequestID, ErrorCode and
// ErrorMessage, and Lambda's invocation record to its OnFailure destination.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let sqs: SQSClient;
let lambda: LambdaClient;

beforeAll(async () => {
  // The retry a minute later takes 6 ms.
  cloud = await startLocalCloud({ port: 0, speed: 10_000, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  sqs = new SQSClient(config);
  lambda = new LambdaClient(config);
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  lambda?.destroy();
  await cloud?.close();
});

const receive = (url: string, what: string) =>
  until(what, async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
    return Messages?.[0];
  });

describe('Lambda dead-letter queue and OnFailure destination', () => {
  it('sends a failed asynchronous invocation to both queues after its retries', async () => {
    const { outputs } = await cloud.stacks.deploy({ path: fixture('async-app'), stackName: 'async-app' });
    const fn = cloud.lambda.get(outputs.FunctionName!)!;
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: outputs.FunctionName,
        InvocationType: 'Event',
        Payload: JSON.stringify({ orderId: 'o-42' }),
      }),
    );
    expect(invoked.StatusCode).toBe(202);
    const dead = await receive(outputs.FailedEventsUrl!, 'the event in the dead-letter queue');
    expect(JSON.parse(dead.Body!)).toEqual({ orderId: 'o-42' });
    expect(dead.MessageAttributes).toMatchObject({
      RequestID: { DataType: 'String', StringValue: invoked.$metadata.requestId },
      ErrorCode: { DataType: 'String', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'no beans for o-42' },
    });
    const record = JSON.parse((await receive(outputs.FailureRecordsUrl!, 'the invocation record')).Body!) as unknown;
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: invoked.$metadata.requestId,
        functionArn: `${fn.arn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { orderId: 'o-42' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'RangeError', errorMessage: 'no beans for o-42' },
    });
    await cloud.stacks.delete('async-app');
  }, 60_000);
});

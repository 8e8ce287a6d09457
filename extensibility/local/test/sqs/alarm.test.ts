// AWS::CloudWatch::Alarm on a queue's depth: recorded with the stack, its state computed from the
// queue once a Period (60 s, 100 ms at this speed), shown by the stacks route `presso stacks` reads.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReceiveMessageCommand, SendMessageBatchCommand, DeleteMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let sqs: SQSClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 600, log: () => {} });
  sqs = new SQSClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await cloud?.close();
});

const stateOf = (logicalId: string) => cloud.alarms.list('alarms').find((a) => a.logicalId === logicalId)!.state;

describe('alarms on queue depth', () => {
  it('goes from INSUFFICIENT_DATA to OK, to ALARM when messages wait, and back', async () => {
    const { outputs } = await cloud.stacks.deploy({ path: fixture('alarm-app.yaml'), stackName: 'alarms' });
    const url = outputs.OrdersUrl!;
    expect(stateOf('Backlog')).toBe('INSUFFICIENT_DATA');
    await until('the first datapoint', () => stateOf('Backlog') === 'OK');
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    await until('the alarm', () => stateOf('Backlog') === 'ALARM');
    const alarm = cloud.alarms.list('alarms').find((a) => a.logicalId === 'Backlog')!;
    expect(alarm.reason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[2\] were greater than or equal to threshold \(2\)\.$/,
    );
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    for (const m of Messages!)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    await until('OK again', () => stateOf('Backlog') === 'OK');

    // What `presso stacks` prints comes from here: each alarm with its state.
    const { stacks } = (await (await fetch(`${cloud.url}/_presso/stacks`)).json()) as {
      stacks: Array<{ name: string; alarms: Array<{ logicalId: string; state: string; evaluated: boolean }> }>;
    };
    expect(stacks.find((s) => s.name === 'alarms')!.alarms).toEqual([
      expect.objectContaining({ logicalId: 'Backlog', state: 'OK', evaluated: true }),
      expect.objectContaining({ logicalId: 'Unevaluated', state: 'INSUFFICIENT_DATA', evaluated: false }),
    ]);
    await cloud.stacks.delete('alarms');
    expect(cloud.alarms.list('alarms')).toEqual([]);
  }, 60_000);

  it('refuses an alarm without a valid ComparisonOperator, naming the property, and keeps nothing', async () => {
    await expect(cloud.stacks.deploy({ path: fixture('alarm-bad.yaml'), stackName: 'alarms-bad' })).rejects.toThrow(
      /Resources\.Backlog\.Properties\.ComparisonOperator: must be one of GreaterThanOrEqualToThreshold/,
    );
    expect(cloud.sqs.list().filter((q) => q.name.startsWith('alarms-bad'))).toEqual([]);
  });
});

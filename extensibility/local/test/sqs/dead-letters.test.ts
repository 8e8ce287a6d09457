// Dead letters as real queues: a rule whose target keeps failing puts the event in the SQS queue
// its DeadLetterConfig names, with EventBridge's message attributes; a rule can target a queue.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let sqs: SQSClient;
let eb: EventBridgeClient;

beforeAll(async () => {
  // Lambda's two retries of a failed async invocation (1 and 2 minutes) take 18 ms at this speed.
  cloud = await startLocalCloud({ port: 0, speed: 10_000, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  };
  sqs = new SQSClient(config);
  eb = new EventBridgeClient(config);
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  eb?.destroy();
  await cloud?.close();
});

/** A queue whose policy lets EventBridge send to it for the rule named, as AWS requires. */
async function queue(name: string, forRule: string) {
  const arn = `arn:aws:sqs:${cloud.account.region}:${cloud.account.accountId}:${name}`;
  const Policy = JSON.stringify({
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: arn,
        Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:us-east-1:000000000000:rule/${forRule}` } },
      },
    ],
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy } }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

describe('EventBridge dead letters in SQS', () => {
  it('puts an event whose target keeps failing in the DLQ queue, with RULE_ARN, TARGET_ARN and the error', async () => {
    const dlq = await queue('rule-dlq', 'Failing');
    const fnArn = arns.lambda(cloud.account, 'alwaysFails');
    let fixed = false;
    cloud.lambda.register(
      inProcessFunction({
        name: 'alwaysFails',
        arn: fnArn,
        handler: async () => {
          if (!fixed) throw new TypeError('grinder jammed');
          return 'ok';
        },
      }),
    );
    // What `aws lambda add-permission --principal events.amazonaws.com` writes: EventBridge may invoke it.
    cloud.iam.putResourcePolicy(fnArn, 'events', [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: fnArn,
      },
    ]);
    await eb.send(new PutRuleCommand({ Name: 'Failing', EventPattern: JSON.stringify({ source: ['x.fail'] }) }));
    await eb.send(
      new PutTargetsCommand({
        Rule: 'Failing',
        Targets: [{ Id: 'fn', Arn: fnArn, DeadLetterConfig: { Arn: dlq.arn } }],
      }),
    );
    const put = await eb.send(
      new PutEventsCommand({ Entries: [{ Source: 'x.fail', DetailType: 'Test', Detail: '{"n":1}' }] }),
    );
    await cloud.events.delivery.drain();
    // What `presso dlq` lists: the message in the queue, as a rule's dead letter, and redrivable.
    const listed = (await (await fetch(`${cloud.url}/_presso/dlq`)).json()) as {
      deadLetters: Array<Record<string, unknown>>;
      queues: Array<{ queueName: string; messages: unknown[] }>;
    };
    expect(listed.queues).toEqual([expect.objectContaining({ queueName: 'rule-dlq', messages: [expect.anything()] })]);
    expect(listed.deadLetters).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^sqs:rule-dlq:/),
        ruleName: 'Failing',
        busName: 'default',
        targetId: 'fn',
        errorCode: 'TypeError',
        attempts: 3,
      }),
    ]);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    expect(Messages).toHaveLength(1);
    const message = Messages![0]!;
    expect(JSON.parse(message.Body!)).toMatchObject({
      id: put.Entries![0]!.EventId,
      source: 'x.fail',
      detail: { n: 1 },
    });
    const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
    expect(attribute('RULE_ARN')).toBe('arn:aws:events:us-east-1:000000000000:rule/Failing');
    expect(attribute('TARGET_ARN')).toBe(fnArn);
    expect(attribute('ERROR_CODE')).toBe('TypeError');
    expect(attribute('ERROR_MESSAGE')).toBe('grinder jammed');
    expect(attribute('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumRetryAttempts');
    expect(attribute('RETRY_ATTEMPTS')).toBe('2');
    // Nothing is left in the local store: the queue has it.
    expect(cloud.events.deadLetters.list(dlq.arn)).toEqual([]);

    fixed = true;
    const id = listed.deadLetters[0]!.id as string;
    const redriven = (await (
      await fetch(`${cloud.url}/_presso/dlq/redrive`, { method: 'POST', body: JSON.stringify({ ids: [id] }) })
    ).json()) as { results: unknown[] };
    expect(redriven.results).toEqual([{ id, delivered: true }]);
    expect(cloud.sqs.queueByUrl(dlq.url).counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('delivers matched events to a queue target', async () => {
    const target = await queue('rule-target', 'ToQueue');
    await eb.send(new PutRuleCommand({ Name: 'ToQueue', EventPattern: JSON.stringify({ source: ['x.queue'] }) }));
    await eb.send(
      new PutTargetsCommand({ Rule: 'ToQueue', Targets: [{ Id: 'q', Arn: target.arn, InputPath: '$.detail' }] }),
    );
    await eb.send(
      new PutEventsCommand({ Entries: [{ Source: 'x.queue', DetailType: 'Test', Detail: '{"cup":"flat white"}' }] }),
    );
    await cloud.events.delivery.drain();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: target.url }));
    expect(JSON.parse(Messages![0]!.Body!)).toEqual({ cup: 'flat white' });
  });
});

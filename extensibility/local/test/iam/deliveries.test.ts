// Deliveries by AWS services checked as AWS checks them: a rule invokes a function only when the
// function's resource policy lets events.amazonaws.com do so for that rule. SAM's rule events get
// the permission SAM generates; a plain AWS::Events::Rule needs its AWS::Lambda::Permission, and
// without it the event goes to the target's dead-letter queue with NO_PERMISSIONS, unretried.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '@serverlesspresso/testing/until';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { StackRecord } from '../../src/stacks/model.js';

const app = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'deliveries');
const RULE = 'arn:aws:events:us-east-1:000000000000:rule/';
let cloud: LocalCloud;
let stack: StackRecord;
let logs: string[];

const physical = (id: string) => stack.resources.find((r) => r.logicalId === id)!.physicalId;
const ruleArn = (id: string) => `${RULE}${physical(id)}`;
const put = async (source: string) => {
  const client = new EventBridgeClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
  const out = await client.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 't', Detail: '{}' }] }));
  expect(out.FailedEntryCount).toBe(0);
};
const admin = { accessKeyId: 'test', secretAccessKey: 'test' };
/** The rule's counters once its delivery (and any retry) settled. */
const settled = async (arn: string, expected: Record<string, number>) =>
  until(
    `${arn} to count ${JSON.stringify(expected)}`,
    () => {
      const counts = cloud.events.counters.rule(arn);
      return Object.entries(expected).every(([k, v]) => counts[k as keyof typeof counts] === v) && counts;
    },
    { detail: () => JSON.stringify(cloud.events.counters.rule(arn)) },
  );

beforeAll(async () => {
  logs = [];
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: (l) => logs.push(l) });
  stack = await cloud.stacks.deploy({ path: app, stackName: 'deliveries' });
});

afterAll(async () => {
  await cloud?.close();
});

describe('a rule invokes a function under enforce', () => {
  it("through the permission SAM generates for the function's rule event", async () => {
    await put('deliveries.sam');
    const samRule = await until('the SAM rule to match', () =>
      [...cloud.events.counters.rules.keys()].find((k) => k.startsWith(`${RULE}deliveries-SamTargetPlaced`)),
    );
    await settled(samRule, { matched: 1, delivered: 1, failed: 0 });
  });

  it('through an AWS::Lambda::Permission naming the rule', async () => {
    await put('deliveries.permitted');
    await settled(ruleArn('PermittedRule'), { matched: 1, delivered: 1, failed: 0 });
  });

  it("is refused without one: the event goes to the rule's dead-letter queue with NO_PERMISSIONS, unretried", async () => {
    await put('deliveries.bare');
    await settled(ruleArn('BareRule'), { matched: 1, delivered: 0, failed: 1, deadLettered: 1 });
    const sqs = new SQSClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.outputs.BareDlqUrl, MessageAttributeNames: ['All'] }),
    );
    const attributes = Messages?.[0]?.MessageAttributes ?? {};
    expect(attributes.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(attributes.RETRY_ATTEMPTS?.StringValue).toBe('0');
    expect(attributes.ERROR_MESSAGE?.StringValue).toBe(
      `User: events.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:${physical('Bare')} because no resource-based policy allows the lambda:InvokeFunction action`,
    );
    expect(logs.some((l) => l.startsWith('[iam] denied: User: events.amazonaws.com'))).toBe(true);
  });

  it("is refused when the function's permission names another rule", async () => {
    await put('deliveries.other');
    await settled(ruleArn('OtherRule'), { matched: 1, delivered: 0, failed: 1 });
  });
});

describe('other modes', () => {
  it('audit delivers and logs what would have been denied; off asks nothing', async () => {
    cloud.iam.mode = 'audit';
    try {
      await put('deliveries.other');
      await settled(ruleArn('OtherRule'), { matched: 2, delivered: 1, failed: 1 });
      expect(logs.some((l) => l.startsWith('[iam] audit: would deny: User: events.amazonaws.com'))).toBe(true);
      cloud.iam.mode = 'off';
      const before = logs.length;
      await put('deliveries.other');
      await settled(ruleArn('OtherRule'), { matched: 3, delivered: 2, failed: 1 });
      expect(logs.slice(before).some((l) => l.startsWith('[iam]'))).toBe(false);
    } finally {
      cloud.iam.mode = 'enforce';
    }
  });
});

describe("SAM's DeadLetterConfig Type SQS on a rule event", () => {
  it('creates <Function><Event>Queue with its policy, and takes the events the function failed', async () => {
    const types = Object.fromEntries(stack.resources.map((r) => [r.logicalId, r.type]));
    expect(types).toMatchObject({
      FailingJammedQueue: 'AWS::SQS::Queue',
      FailingJammedQueuePolicy: 'AWS::SQS::QueuePolicy',
    });
    await put('deliveries.failing');
    const rule = await until('the failing rule to dead-letter its event', () =>
      [...cloud.events.counters.rules].find(
        ([k, c]) => k.startsWith(`${RULE}deliveries-FailingJammed`) && c.deadLettered === 1,
      ),
    );
    const sqs = new SQSClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.outputs.FailingDlqUrl, MessageAttributeNames: ['All'] }),
    );
    expect(Messages).toHaveLength(1);
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ source: 'deliveries.failing' });
    expect(Messages![0]!.MessageAttributes?.RULE_ARN?.StringValue).toBe(rule[0]);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.outputs.FailingDlqUrl, AttributeNames: ['Policy'] }),
    );
    expect(JSON.parse(Attributes!.Policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: stack.outputs.FailingDlqArn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule[0] } },
        },
      ],
    });
  });
});

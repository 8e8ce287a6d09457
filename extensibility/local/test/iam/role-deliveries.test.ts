// Deliveries that AWS services make through a role or a resource policy, checked as AWS checks
// them: a rule's state machine and bus targets act with the target's role (SAM generates the
// state machine event's), queue targets and dead-letter queues need the queue's policy, EventBridge
// Scheduler invokes with the schedule's role (SAM's ScheduleV2 generates it), API Gateway invokes
// a route's function with the function's permission (SAM generates it), and Lambda sends a
// function's failed asynchronous invocations to its dead-letter queue and OnFailure destination
// with the function's execution role (SAM grants its generated role the send).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '@serverlesspresso/testing/until';
import { EventBridgeClient, PutEventsCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { StackRecord } from '../../src/stacks/model.js';

const app = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'role-deliveries');
const ACCOUNT = '000000000000';
const RULE = `arn:aws:events:us-east-1:${ACCOUNT}:rule/`;
const admin = { accessKeyId: 'test', secretAccessKey: 'test' };
let cloud: LocalCloud;
let stack: StackRecord;
let logs: string[];

const physical = (id: string) => stack.resources.find((r) => r.logicalId === id)!.physicalId;
const ruleArn = (id: string) => `${RULE}${physical(id)}`;
const roleArn = (id: string) => `arn:aws:iam::${ACCOUNT}:role/${physical(id)}`;
const put = async (source: string) => {
  const client = new EventBridgeClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
  const out = await client.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 't', Detail: '{}' }] }));
  expect(out.FailedEntryCount).toBe(0);
};
const settled = async (arn: string, expected: Record<string, number>) =>
  until(
    `${arn} to count ${JSON.stringify(expected)}`,
    () => {
      const counts = cloud.events.counters.rule(arn);
      return Object.entries(expected).every(([k, v]) => counts[k as keyof typeof counts] === v) && counts;
    },
    { detail: () => JSON.stringify(cloud.events.counters.rule(arn)) },
  );
const sqs = () => new SQSClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
/** The dead letter of a rule in the shared DLQ (received and left to become visible again). */
const deadLetterOf = async (rule: string) =>
  until(`a dead letter of ${rule}`, async () => {
    const { Messages } = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: stack.outputs.DlqUrl,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    return Messages?.find((m) => m.MessageAttributes?.RULE_ARN?.StringValue === rule);
  });
const executions = async (machine: string) => {
  const sfn = new SFNClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
  const { executions: list } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: physical(machine) }));
  return list ?? [];
};

beforeAll(async () => {
  logs = [];
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: (l) => logs.push(l) });
  stack = await cloud.stacks.deploy({ path: app, stackName: 'roles' });
});

afterAll(async () => {
  await cloud?.close();
});

describe("a rule's state machine target acts with the target's role", () => {
  it("starts an execution with the role SAM generates for the state machine's rule event", async () => {
    await put('roles.sam-machine');
    await until('an execution of Machine', async () => (await executions('Machine')).length === 1);
    const samRule = [...cloud.events.counters.rules.keys()].find((k) => k.startsWith(`${RULE}roles-MachineStarted`))!;
    await settled(samRule, { matched: 1, delivered: 1, failed: 0 });
  });

  it('is refused when the role may not start that state machine: NO_PERMISSIONS in the DLQ, unretried', async () => {
    await put('roles.narrow');
    await settled(ruleArn('NarrowRule'), { matched: 1, delivered: 0, failed: 1, deadLettered: 1 });
    const letter = await deadLetterOf(ruleArn('NarrowRule'));
    expect(letter.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(letter.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
    expect(letter.MessageAttributes?.ERROR_MESSAGE?.StringValue).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('NarrowRole')}/${physical('NarrowRole')} is not authorized to perform: states:StartExecution on resource: ${physical('Machine')} because no identity-based policy allows the states:StartExecution action`,
    );
    // Recorded on the role, as a call of its own: `presso iam` lists it.
    const [report] = cloud.iam.report(physical('NarrowRole'));
    expect(report!.denied).toEqual([
      expect.objectContaining({ action: 'states:StartExecution', resource: physical('Machine'), enforced: true }),
    ]);
  });

  it("is refused with FAILED_TO_ASSUME_ROLE when the role's trust policy does not name EventBridge", async () => {
    await put('roles.untrusting');
    await settled(ruleArn('UntrustingRule'), { matched: 1, failed: 1, deadLettered: 1 });
    const letter = await deadLetterOf(ruleArn('UntrustingRule'));
    expect(letter.MessageAttributes?.ERROR_CODE?.StringValue).toBe('FAILED_TO_ASSUME_ROLE');
    expect(letter.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain(
      `events.amazonaws.com could not assume the role ${roleArn('UntrustingRole')}`,
    );
  });
});

describe('audit', () => {
  it("delivers what the target's role may not, and logs what would have been denied", async () => {
    cloud.iam.mode = 'audit';
    try {
      const before = (await executions('Machine')).length;
      await put('roles.narrow');
      await settled(ruleArn('NarrowRule'), { matched: 2, delivered: 1, failed: 1 });
      expect((await executions('Machine')).length).toBe(before + 1);
      expect(
        logs.some((l) =>
          l.startsWith(
            `[iam] audit: would deny: User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('NarrowRole')}/`,
          ),
        ),
      ).toBe(true);
    } finally {
      cloud.iam.mode = 'enforce';
    }
  });
});

describe('PutTargets', () => {
  it('refuses a state machine target without a RoleArn, in AWS words', async () => {
    const client = new EventBridgeClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
    await expect(
      client.send(
        new PutTargetsCommand({ Rule: physical('NarrowRule'), Targets: [{ Id: 'x', Arn: physical('Machine') }] }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: `RoleArn is required for target ${physical('Machine')}.`,
    });
  });
});

describe("a rule's bus target acts with the target's role", () => {
  it('puts the event on the other bus when the role allows events:PutEvents there', async () => {
    await put('roles.forward');
    await settled(ruleArn('ForwardRule'), { matched: 1, delivered: 1 });
    await until('the downstream listener to run', () => logs.some((l) => l.includes('ran for roles.forward')));
  });

  it('is refused when the role may not put events on that bus', async () => {
    await put('roles.forward-denied');
    await settled(ruleArn('ForwardDeniedRule'), { matched: 1, failed: 1, deadLettered: 1 });
    const letter = await deadLetterOf(ruleArn('ForwardDeniedRule'));
    expect(letter.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(letter.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain(
      'is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/roles-downstream',
    );
    expect(logs.some((l) => l.includes('ran for roles.forward-denied'))).toBe(false);
  });
});

describe("a rule's queue target and dead-letter queue need the queue's policy", () => {
  it('sends to a queue whose policy lets EventBridge send for the rule', async () => {
    await put('roles.inbox');
    await settled(ruleArn('InboxRule'), { matched: 1, delivered: 1 });
    const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: stack.outputs.InboxUrl }));
    expect(JSON.parse(Messages![0]!.Body!)).toMatchObject({ source: 'roles.inbox' });
  });

  it('is refused by a queue without such a policy', async () => {
    await put('roles.closed-inbox');
    await settled(ruleArn('ClosedInboxRule'), { matched: 1, failed: 1, deadLettered: 1 });
    const letter = await deadLetterOf(ruleArn('ClosedInboxRule'));
    expect(letter.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(letter.MessageAttributes?.ERROR_MESSAGE?.StringValue).toBe(
      `User: events.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:${physical('ClosedInbox').split('/').pop()} because no resource-based policy allows the sqs:SendMessage action`,
    );
  });

  it('drops the event, and says so, when the dead-letter queue does not let EventBridge send to it', async () => {
    await put('roles.shut-dlq');
    await settled(ruleArn('ShutDlqRule'), { matched: 1, failed: 1, deadLettered: 0 });
    await until('the log to say the dead letter was refused', () =>
      logs.some((l) => l.includes('could not be sent to the dead-letter queue') && l.includes('sqs:SendMessage')),
    );
    const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: stack.outputs.ShutDlqUrl }));
    expect(Messages ?? []).toEqual([]);
  });
});

describe('EventBridge Scheduler invokes with the schedule role', () => {
  it('runs a ScheduleV2 function and state machine with the role SAM generates (<Resource><Event>Role)', async () => {
    await until('the scheduled function to run', () => logs.some((l) => l.includes('ran for a schedule')), {
      detail: () => logs.filter((l) => /schedul|Scheduled/.test(l)).join('\n'),
    });
    await until('an execution of ScheduledMachine', async () => (await executions('ScheduledMachine')).length > 0, {
      detail: () => logs.filter((l) => /ScheduledMachine|\[iam\]|\[scheduler\]/.test(l)).join('\n'),
    });
    const [report] = cloud.iam.report('roles-ScheduledHourlyRole');
    expect(report!.used).toEqual([expect.objectContaining({ action: 'lambda:InvokeFunction' })]);
  });

  it('sends an invocation its role may not make to its DeadLetterConfig queue (with the role), and logs why', async () => {
    const line = await until('the refused schedule to be logged', () =>
      logs.find((l) => l.startsWith(`[scheduler] ${physical('UnscheduledSchedule')} ->`)),
    );
    const refusal = `User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('NoInvokeRole')}/${physical('NoInvokeRole')} is not authorized to perform: lambda:InvokeFunction`;
    expect(line).toContain(`NO_PERMISSIONS: ${refusal}`);
    expect(line).toContain('sent to the dead-letter queue');
    const scheduleArn = `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/${physical('UnscheduledSchedule')}`;
    const letter = await until('the dead-letter event of the schedule', async () => {
      const { Messages } = await sqs().send(
        new ReceiveMessageCommand({
          QueueUrl: stack.outputs.ScheduleDlqUrl,
          MessageAttributeNames: ['All'],
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      return Messages?.find((m) => m.MessageAttributes?.SCHEDULE_ARN?.StringValue === scheduleArn);
    });
    const attribute = (name: string) => letter.MessageAttributes?.[name]?.StringValue;
    expect(attribute('ERROR_CODE')).toBe('NO_PERMISSIONS');
    expect(attribute('ERROR_MESSAGE')).toContain(refusal);
    expect(attribute('TARGET_ARN')).toBe(cloud.lambda.get(physical('Unscheduled'))!.arn);
    expect(attribute('RETRY_ATTEMPTS')).toBe('0');
    expect(attribute('EXECUTION_ID')).toMatch(/^[0-9a-f]{16}$/);
    expect(attribute('SCHEDULED_TIME')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(letter.Body).toBe('{}');
  });

  it('drops the dead-letter event when the role may not send to the queue, and says so', async () => {
    const line = await until('the unsent dead letter to be logged', () =>
      logs.find((l) => l.startsWith(`[scheduler] ${physical('UnsentSchedule')} ->`)),
    );
    expect(line).toContain(
      `could not be sent to the dead-letter queue ${physical('ScheduleDlq').replace(/^.*\//, `arn:aws:sqs:us-east-1:${ACCOUNT}:`)}: User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('NoSendRole')}/${physical('NoSendRole')} is not authorized to perform: sqs:SendMessage`,
    );
  });

  it("gives SAM's ScheduleV2 DeadLetterConfig { Type: SQS } its queue, and the schedule role the send", () => {
    expect(physical('ScheduledMachineHourlyQueue')).toBeDefined();
    const [report] = cloud.iam.report('roles-ScheduledMachineHourlyRole');
    const grants = [...report!.used, ...report!.unusedGrants].map((g) => JSON.stringify(g));
    expect(grants.some((g) => g.includes('sqs:SendMessage'))).toBe(true);
  });
});

describe('API Gateway invokes a route function with its resource policy', () => {
  it("through the permission SAM generates for the function's HttpApi event, and answers 500 without it", async () => {
    const url = `${stack.apis.ServerlessHttpApi!.url}/menu/latte`;
    expect((await fetch(url)).status).toBe(200);
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${physical('Menu')}`;
    const name = 'roles/ServerlessHttpApi GET /menu/{item}';
    cloud.iam.putResourcePolicy(fn, name, undefined);
    const refused = await fetch(url);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.some((l) => l.startsWith('[iam] denied: User: apigateway.amazonaws.com'))).toBe(true);
  });
});

describe('a plain AWS::ApiGatewayV2 HTTP API', () => {
  it("invokes a route's function only as the template's AWS::Lambda::Permission allows, else answers 500", async () => {
    const base = `${cloud.url}/apis/${physical('PlainApi')}`;
    const open = await fetch(`${base}/open`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ ok: true });
    const shut = await fetch(`${base}/shut`);
    expect(shut.status).toBe(500);
    expect(await shut.json()).toEqual({ message: 'Internal Server Error' });
    expect(
      logs.some(
        (l) =>
          l.startsWith(
            '[iam] denied: User: apigateway.amazonaws.com is not authorized to perform: lambda:InvokeFunction',
          ) && l.includes(physical('Plain')),
      ),
    ).toBe(true);
  });
});

describe("Lambda sends a function's dead letters and destination records with its execution role", () => {
  const invokeAsync = async (fn: string, id: string) => {
    const lambda = new LambdaClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: physical(fn), InvocationType: 'Event', Payload: JSON.stringify({ id }) }),
    );
    expect(out.StatusCode).toBe(202);
  };
  /** The message of a queue whose body names the id (received, then deleted). */
  const takeFrom = async (url: string, id: string) =>
    until(`a message for ${id} in ${url}`, async () => {
      const { Messages } = await sqs().send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      const found = Messages?.find((m) => m.Body!.includes(`"${id}"`));
      if (found) await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: found.ReceiptHandle }));
      return found;
    });
  const queueArn = (id: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${physical(id).split('/').pop()}`;

  it('delivers both with the permissions SAM grants its generated role for DeadLetterQueue and OnFailure (Type SQS)', async () => {
    await invokeAsync('Doomed', 'granted');
    expect(JSON.parse((await takeFrom(stack.outputs.FailedEventsUrl!, 'granted')).Body!)).toEqual({ id: 'granted' });
    expect(JSON.parse((await takeFrom(stack.outputs.FailureRecordsUrl!, 'granted')).Body!)).toMatchObject({
      requestPayload: { id: 'granted' },
      requestContext: { condition: 'RetriesExhausted' },
    });
    const [report] = cloud.iam.report(`roles-DoomedRole`);
    expect(report!.used).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'sqs:SendMessage', resource: queueArn('FailedEvents') }),
        expect.objectContaining({ action: 'sqs:SendMessage', resource: queueArn('FailureRecords') }),
      ]),
    );
    expect(report!.denied).toEqual([]);
  });

  it('refuses both when the role does not allow sqs:SendMessage: logged as AWS fails them, listed by presso iam', async () => {
    await invokeAsync('DoomedWithoutSends', 'refused');
    const line = await until('the failed sends to be logged', () =>
      logs.find((l) => l.startsWith(`[lambda] ${physical('DoomedWithoutSends')}: Error: fails for refused;`)),
    );
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/${physical('LogsOnlyRole')}/${physical('DoomedWithoutSends')}`;
    for (const [queue, metric] of [
      ['FailedEvents', 'DeadLetterErrors'],
      ['FailureRecords', 'DestinationDeliveryFailures'],
    ] as const)
      expect(line).toContain(
        `not sent to ${queueArn(queue)}: User: ${session} is not authorized to perform: sqs:SendMessage on resource: ${queueArn(queue)} because no identity-based policy allows the sqs:SendMessage action (counted in ${metric})`,
      );
    const [report] = cloud.iam.report(physical('LogsOnlyRole'));
    expect(report!.denied).toEqual([
      expect.objectContaining({ action: 'sqs:SendMessage', resource: queueArn('FailedEvents'), enforced: true }),
      expect.objectContaining({ action: 'sqs:SendMessage', resource: queueArn('FailureRecords'), enforced: true }),
    ]);
  });

  it('sends OnSuccess records to a function and a bus with what SAM grants (Type Lambda, EventBridge), not without', async () => {
    await invokeAsync('Succeeds', 'to-a-function');
    await until('the record to reach the function', () =>
      logs.some((l) => l.includes('recorded Success of to-a-function') && !l.includes(' via ')),
    );
    await invokeAsync('SucceedsToBus', 'to-a-bus');
    await until('the record to reach the bus', () =>
      logs.some((l) => l.includes('recorded Success of to-a-bus via Lambda Function Invocation Result - Success')),
    );
    await invokeAsync('SucceedsWithoutSends', 'nowhere');
    const line = await until('the refused record to be logged', () =>
      logs.find((l) => l.startsWith(`[lambda] ${physical('SucceedsWithoutSends')}: asynchronous invocation`)),
    );
    const recorder = cloud.lambda.get(physical('Recorder'))!.arn;
    expect(line).toContain(
      `its record was not sent to its OnSuccess destination ${recorder}: User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('LogsOnlyRole')}/${physical('SucceedsWithoutSends')} is not authorized to perform: lambda:InvokeFunction on resource: ${recorder}`,
    );
    expect(logs.some((l) => l.includes('recorded Success of nowhere'))).toBe(false);
  });

  it('sends them under audit, logging what would have been denied', async () => {
    cloud.iam.mode = 'audit';
    try {
      await invokeAsync('DoomedWithoutSends', 'audited');
      await takeFrom(stack.outputs.FailedEventsUrl!, 'audited');
      await takeFrom(stack.outputs.FailureRecordsUrl!, 'audited');
      expect(
        logs.some((l) =>
          l.startsWith(
            `[iam] audit: would deny: User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('LogsOnlyRole')}/`,
          ),
        ),
      ).toBe(true);
    } finally {
      cloud.iam.mode = 'enforce';
    }
  });
});

describe("a stream mapping's OnFailure destination is sent to with the function's execution role", () => {
  it("sends the discarded batch's record with the permission SAM grants (Type SQS), and refuses it to a role without", async () => {
    const dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin });
    await dynamodb.send(new PutItemCommand({ TableName: stack.outputs.StockTable, Item: { PK: { S: 'beans' } } }));
    const queue = `arn:aws:sqs:us-east-1:${ACCOUNT}:${physical('StreamFailures').split('/').pop()}`;
    const record = await until('the record of the discarded batch', async () => {
      const { Messages } = await sqs().send(
        new ReceiveMessageCommand({ QueueUrl: stack.outputs.StreamFailuresUrl, MaxNumberOfMessages: 10 }),
      );
      return Messages?.[0];
    });
    expect(JSON.parse(record.Body!)).toMatchObject({
      requestContext: { functionArn: cloud.lambda.get(physical('StreamDoomed'))!.arn },
      DDBStreamBatchInfo: { batchSize: 1 },
    });
    const line = await until('the refused send to be logged', () =>
      logs.find((l) => l.startsWith('[streams]') && l.includes('its metadata not sent to')),
    );
    expect(line).toContain(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/${physical('StreamReaderRole')}/${physical('StreamDoomedWithoutSends')} is not authorized to perform: sqs:SendMessage on resource: ${queue}`,
    );
    const [report] = cloud.iam.report(physical('StreamReaderRole'));
    expect(report!.denied).toEqual([expect.objectContaining({ action: 'sqs:SendMessage', resource: queue })]);
  });
});

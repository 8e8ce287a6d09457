// The local Step Functions through the real SDK client against the running edge: state machines,
// executions and history, callbacks through EventBridge, Lambda tasks, and rules that start executions.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartSyncExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { lookup as dnsLookup, type LookupOptions } from 'node:dns';
import { Agent } from 'node:http';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let sfn: SFNClient;
let eb: EventBridgeClient;
const ROLE = 'arn:aws:iam::000000000000:role/sfn';

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  };
  // StartSyncExecution's endpoint carries a "sync-" host prefix, which an IP endpoint cannot take
  // (see the test that calls it through localhost, and the README).
  sfn = new SFNClient({ ...config, disableHostPrefix: true });
  eb = new EventBridgeClient(config);
});

afterAll(async () => {
  sfn.destroy();
  eb.destroy();
  await cloud.close();
});

async function machine(name: string, definition: object, type: 'STANDARD' | 'EXPRESS' = 'STANDARD'): Promise<string> {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }),
  );
  return stateMachineArn!;
}

async function run(stateMachineArn: string, input: object = {}, name?: string) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }),
  );
  await cloud.states.engine.waitForExecution(executionArn!);
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** An in-process function that records its events and answers with `handler`. */
function fn(name: string, handler: (event: unknown) => Promise<unknown>): { arn: string; received: unknown[] } {
  const received: unknown[] = [];
  const arn = arns.lambda(cloud.account, name);
  cloud.lambda.register(
    inProcessFunction({
      name,
      arn,
      handler: async (event) => {
        received.push(event);
        return handler(event);
      },
    }),
  );
  // What `aws lambda add-permission --principal events.amazonaws.com` writes: EventBridge may invoke it.
  cloud.iam.putResourcePolicy(arn, 'events', [
    { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: arn },
  ]);
  return { arn, received };
}

async function rule(name: string, pattern: object, targetArn: string) {
  await eb.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  const { FailedEntryCount } = await eb.send(
    // EventBridge starts executions with the target's role (required); a role no stack defines is not checked.
    new PutTargetsCommand({
      Rule: name,
      Targets: [{ Id: 't1', Arn: targetArn, ...(targetArn.includes(':states:') ? { RoleArn: ROLE } : {}) }],
    }),
  );
  expect(FailedEntryCount).toBe(0);
}

const pass = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, ResultPath: '$.pass', End: true } } };

describe('state machines', () => {
  it('creates, describes, lists and deletes', async () => {
    const arn = await machine('Crud', pass);
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:Crud');
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(described).toMatchObject({
      name: 'Crud',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: ROLE,
      definition: JSON.stringify(pass),
    });
    expect(described.creationDate).toBeInstanceOf(Date);
    expect(Math.abs(described.creationDate!.getTime() - Date.now())).toBeLessThan(60_000);
    // Same definition again is idempotent; a different one under the name is not.
    expect(
      (await sfn.send(new CreateStateMachineCommand({ name: 'Crud', definition: JSON.stringify(pass), roleArn: ROLE })))
        .stateMachineArn,
    ).toBe(arn);
    await expect(
      sfn.send(
        new CreateStateMachineCommand({
          name: 'Crud',
          definition: JSON.stringify({ ...pass, Comment: 'other' }),
          roleArn: ROLE,
        }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineAlreadyExists' });
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((s) => s.name)).toContain('Crud');
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'nope' }))).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('rejects an invalid definition naming the state and field, and an invalid name', async () => {
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'Broken', definition: JSON.stringify(broken), roleArn: ROLE })),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining("State 'A': Next 'Nowhere' does not exist"),
    });
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'bad name', definition: JSON.stringify(pass), roleArn: ROLE })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
  });
});

describe('executions', () => {
  it('starts, describes, lists and returns history; a name is used once', async () => {
    const arn = await machine('Basic', pass);
    const done = await run(arn, { order: 1 }, 'first');
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: 'first', stateMachineArn: arn, input: '{"order":1}' });
    expect(JSON.parse(done.output!)).toEqual({ order: 1, pass: { ok: true } });
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate).toBeInstanceOf(Date);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
    expect(events!.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events![0]!.timestamp).toBeInstanceOf(Date);
    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: done.executionArn, reverseOrder: true }),
    );
    expect(reversed.events![0]!.type).toBe('ExecutionSucceeded');
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'first', input: '{"other":1}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await run(arn, {}, 'second');
    const listed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED', maxResults: 1 }),
    );
    expect(listed.executions).toHaveLength(1);
    expect(listed.nextToken).toBeDefined();
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${arn.replace('stateMachine', 'execution')}:missing` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arns.stateMachine(cloud.account, 'Missing') })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('StartSyncExecution answers with the finished execution of an EXPRESS machine only', async () => {
    const express = await machine('Express', pass, 'EXPRESS');
    const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: '{"a":1}' }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: express });
    expect(JSON.parse(result.output!)).toEqual({ a: 1, pass: { ok: true } });
    expect(result.stopDate).toBeInstanceOf(Date);
    await expect(
      sfn.send(new StartSyncExecutionCommand({ stateMachineArn: await machine('NotExpress', pass) })),
    ).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
  });

  it('StartSyncExecution through an endpoint named localhost reaches the edge at sync-localhost, as the README says', async () => {
    const express = await machine('ExpressByName', pass, 'EXPRESS');
    const config = { region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' }, maxAttempts: 1 };
    // Without disableHostPrefix the SDK sends the call to "sync-" + the endpoint's host: an IP cannot take it.
    const byIp = new SFNClient({ ...config, endpoint: cloud.url });
    await expect(byIp.send(new StartSyncExecutionCommand({ stateMachineArn: express }))).rejects.toThrow(
      /ENOTFOUND sync-127\.0\.0\.1/,
    );
    byIp.destroy();
    // A resolver that knows sync-localhost stands in for the README's hosts line (127.0.0.1 sync-localhost).
    const asked: string[] = [];
    const lookup = (hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
      asked.push(hostname);
      if (hostname !== 'sync-localhost') return dnsLookup(hostname, options, callback as never);
      return options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
    };
    const byName = new SFNClient({
      ...config,
      endpoint: `http://localhost:${cloud.port}`,
      requestHandler: { httpAgent: new Agent({ lookup: lookup as never }) },
    });
    const result = await byName.send(
      new StartSyncExecutionCommand({ stateMachineArn: express, input: '{"via":"sync-localhost"}' }),
    );
    byName.destroy();
    expect(asked).toContain('sync-localhost');
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual({ via: 'sync-localhost', pass: { ok: true } });
  });

  it('stops a running execution', async () => {
    const arn = await machine('Waiting', {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 86_400 * 365, End: true } },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Stopped', cause: 'test' }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Stopped',
    });
  });
});

describe('callbacks through EventBridge', () => {
  const callback = (detailType: string, extra: object = {}) => ({
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
        ...extra,
        Parameters: {
          Entries: [
            {
              Source: 'test.sfn',
              DetailType: detailType,
              Detail: { 'TaskToken.$': '$$.Task.Token', 'order.$': '$.order' },
            },
          ],
        },
        End: true,
      },
    },
  });

  it('a Lambda on the bus gets the token and SendTaskSuccess completes the task', async () => {
    const approver = fn('approver', async (event) => {
      const { detail } = event as { detail: { TaskToken: string; order: string } };
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: detail.TaskToken }));
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: detail.TaskToken, output: JSON.stringify({ approved: detail.order }) }),
      );
      return {};
    });
    await rule('approvals', { source: ['test.sfn'], 'detail-type': ['Approve'] }, approver.arn);
    const arn = await machine('Approve', callback('Approve'));
    const done = await run(arn, { order: 'A-1' });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ approved: 'A-1' });
    const event = approver.received[0] as { resources: string[]; detail: object };
    expect(event.resources).toEqual([arn, done.executionArn]);
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
    expect(events!.map((e) => e.type)).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskSubmitted', 'TaskSucceeded']),
    );
  });

  it('SendTaskFailure fails the execution with the error and cause given', async () => {
    const rejecter = fn('rejecter', async (event) => {
      const { detail } = event as { detail: { TaskToken: string } };
      await sfn.send(
        new SendTaskFailureCommand({ taskToken: detail.TaskToken, error: 'Rejected', cause: 'out of beans' }),
      );
      return {};
    });
    await rule('rejections', { source: ['test.sfn'], 'detail-type': ['Reject'] }, rejecter.arn);
    const done = await run(await machine('Reject', callback('Reject')), { order: 'A-2' });
    expect(done).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'out of beans' });
  });

  it('a failed entry fails the task with EventBridge.FailedEntry', async () => {
    const definition = {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'test.sfn', Detail: {} }] },
          End: true,
        },
      },
    };
    const done = await run(await machine('FailedEntry', definition));
    expect(done).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
    expect(JSON.parse(done.cause!)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InvalidArgument' }] });
  });

  it('an unknown token is InvalidToken', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('a missed heartbeat under the time scale is caught as States.Timeout', async () => {
    const base = callback('NobodyListens', {
      HeartbeatSeconds: 60,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
    });
    const { End: _end, ...ask } = base.States.Ask;
    const withCatch = {
      StartAt: 'Ask',
      States: { Ask: { ...ask, Next: 'TimedOut' }, TimedOut: { Type: 'Pass', End: true } },
    };
    const done = await run(await machine('Heartbeat', withCatch), { order: 'A-3' });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ order: 'A-3', error: { Error: 'States.Timeout' } });
  });
});

describe('rules targeting state machines', () => {
  it('start an execution named by the event id, once per event', async () => {
    const arn = await machine('FromRule', pass);
    await rule('to-machine', { source: ['test.orders'] }, arn);
    const { Entries } = await eb.send(
      new PutEventsCommand({ Entries: [{ Source: 'test.orders', DetailType: 'New', Detail: '{"n":1}' }] }),
    );
    const eventId = Entries![0]!.EventId!;
    const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${eventId}`;
    await cloud.events.delivery.drain();
    const done = await cloud.states.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.input)).toMatchObject({ id: eventId, source: 'test.orders', detail: { n: 1 } });
    // Redelivering the same event finds the execution there: delivered, not started twice.
    const bus = cloud.events.bus('default');
    const ruleRecord = bus.rules.get('to-machine')!;
    const event = JSON.parse(done.input) as Parameters<typeof cloud.events.delivery.deliverToTarget>[0];
    expect(
      await cloud.events.delivery.deliverToTarget(event, ruleRecord, ruleRecord.targets.get('t1')!, Date.now()),
    ).toBe(true);
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(executions!.map((e) => e.name)).toEqual([eventId]);
  });
});

describe('Lambda tasks', () => {
  it('lambda:invoke wraps the payload; a function error can be caught; a plain function ARN returns the payload', async () => {
    const barista = fn('barista', async (event) => ({ brewed: (event as { drink: string }).drink }));
    fn('broken', async () => {
      throw new TypeError('no milk');
    });
    const arn = await machine('Brew', {
      StartAt: 'Invoke',
      States: {
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'barista', 'Payload.$': '$' },
          ResultPath: '$.invoke',
          Next: 'Direct',
        },
        Direct: { Type: 'Task', Resource: barista.arn, ResultPath: '$.direct', Next: 'Broken' },
        Broken: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: arns.lambda(cloud.account, 'broken'), Payload: {} },
          Catch: [{ ErrorEquals: ['TypeError'], ResultPath: '$.failure', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    });
    const done = await run(arn, { drink: 'latte' });
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as {
      invoke: object;
      direct: object;
      failure: { Error: string; Cause: string };
    };
    expect(output.invoke).toEqual({ Payload: { brewed: 'latte' }, StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(output.direct).toEqual({ brewed: 'latte' });
    expect(output.failure.Error).toBe('TypeError');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'TypeError', errorMessage: 'no milk' });
  });

  it('an unsupported resource is refused when the state machine is created, naming the state and the resource', async () => {
    const resource = 'arn:aws:states:::sqs:sendMessage';
    const nested = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true } } }],
        },
      },
    };
    await expect(machine('Unsupported', nested)).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining(
        `'/States/P/Branches/0/States/T/Resource': no local integration for '${resource}'`,
      ),
    });
  });
});

describe('AWS SDK integrations', () => {
  it('aws-sdk:sfn:* calls the Step Functions API with PascalCase parameters', async () => {
    const waiting = await machine('SdkWaiting', {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 86_400 * 365, End: true } },
    });
    await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting, name: 'one' }));
    const counter = await machine('SdkCounter', {
      StartAt: 'List',
      States: {
        List: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:sfn:listExecutions',
          Parameters: { StateMachineArn: waiting, StatusFilter: 'RUNNING' },
          ResultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
          End: true,
        },
      },
    });
    const done = await run(counter);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ running: 1 });
  });

  it('names errors <Service>.<Code>Exception, as AWS does', async () => {
    const failing = await machine('SdkFailing', {
      StartAt: 'Describe',
      States: {
        Describe: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:sfn:describeExecution',
          Parameters: { ExecutionArn: 'arn:aws:states:us-east-1:000000000000:execution:Nope:none' },
          Catch: [{ ErrorEquals: ['Sfn.ExecutionDoesNotExistException'], ResultPath: '$.error', Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    const done = await run(failing);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).error).toMatchObject({ Error: 'Sfn.ExecutionDoesNotExistException' });
  });
});

describe('states:startExecution', () => {
  it('.sync hands on the child as DescribeExecution does, in PascalCase with the output as text', async () => {
    const child = await machine('SyncChild', pass);
    const parent = await machine('SyncParent', {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync',
          Parameters: { StateMachineArn: child, Name: 'child-1', Input: { from: 'parent' } },
          ResultPath: '$.child',
          Next: 'Select',
        },
        Select: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync',
          Parameters: { StateMachineArn: child, Input: { again: true } },
          ResultSelector: { 'Output.$': '$.Output' },
          ResultPath: '$.selected',
          End: true,
        },
      },
    });
    const done = await run(parent);
    expect(done.status).toBe('SUCCEEDED');
    const { child: described, selected } = JSON.parse(done.output!) as {
      child: Record<string, unknown>;
      selected: { Output: string };
    };
    expect(described).toEqual({
      ExecutionArn: `${child.replace(':stateMachine:', ':execution:')}:child-1`,
      StateMachineArn: child,
      Name: 'child-1',
      Status: 'SUCCEEDED',
      StartDate: expect.any(Number),
      StopDate: expect.any(Number),
      Input: '{"from":"parent"}',
      InputDetails: { Included: true },
      Output: '{"from":"parent","pass":{"ok":true}}',
      OutputDetails: { Included: true },
    });
    expect(described.StopDate as number).toBeGreaterThanOrEqual(described.StartDate as number);
    // What the child executed is what DescribeExecution says of it.
    const child1 = await sfn.send(new DescribeExecutionCommand({ executionArn: described.ExecutionArn as string }));
    expect(child1.startDate!.getTime()).toBe(described.StartDate);
    expect(JSON.parse(selected.Output)).toEqual({ again: true, pass: { ok: true } });
  });

  it('.sync:2 hands on the output as JSON', async () => {
    const child = await machine('Child', pass);
    const parent = await machine('Parent', {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, Input: { from: 'parent' } },
          ResultSelector: { 'Output.$': '$.Output', 'Status.$': '$.Status' },
          End: true,
        },
      },
    });
    const done = await run(parent);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ Status: 'SUCCEEDED', Output: { from: 'parent', pass: { ok: true } } });
  });

  it('.sync fails the task with States.TaskFailed when the child fails, the child described in the cause', async () => {
    const child = await machine('FailingChild', {
      StartAt: 'F',
      States: { F: { Type: 'Fail', Error: 'Burnt', Cause: 'too hot' } },
    });
    const parent = await machine('FailingParent', {
      StartAt: 'Start',
      States: {
        Start: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync',
          Parameters: { StateMachineArn: child },
          Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    const done = await run(parent);
    expect(done.status).toBe('SUCCEEDED');
    const { failure } = JSON.parse(done.output!) as { failure: { Error: string; Cause: string } };
    expect(failure.Error).toBe('States.TaskFailed');
    expect(JSON.parse(failure.Cause)).toMatchObject({
      Status: 'FAILED',
      Error: 'Burnt',
      Cause: 'too hot',
      StateMachineArn: child,
    });
  });
});

describe('integration patterns, checked when a state machine is created', () => {
  const task = (resource: string, parameters: object = {}) => ({
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } },
  });

  it.each([
    ['arn:aws:states:::lambda:invoke.sync', 'lambda:invoke takes request-response and .waitForTaskToken'],
    ['arn:aws:states:::events:putEvents.sync', 'events:putEvents takes request-response and .waitForTaskToken'],
    ['arn:aws:states:::dynamodb:getItem.waitForTaskToken', 'dynamodb:getItem takes request-response'],
    [
      'arn:aws:states:::states:startExecution.sync:3',
      'states:startExecution takes request-response and .sync and .sync:2 and .waitForTaskToken',
    ],
    [
      'arn:aws:states:::aws-sdk:sfn:startExecution.sync',
      'AWS SDK integrations take request-response and .waitForTaskToken',
    ],
  ])('refuses %s as AWS does, naming the state', async (resource, hint) => {
    await expect(machine(`Pattern${hint.length}${resource.length}`, task(resource))).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided ${resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region. at /States/T/Resource' (${hint})`,
    });
  });

  it('refuses callbacks and .sync in an EXPRESS machine, and takes them in a STANDARD one', async () => {
    const callback = task('arn:aws:states:::events:putEvents.waitForTaskToken', {
      Entries: [{ Source: 's', DetailType: 'd', Detail: { 'token.$': '$$.Task.Token' } }],
    });
    await expect(machine('ExpressCallback', callback, 'EXPRESS')).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining(
        "'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration. at /States/T/Resource'",
      ),
    });
    await expect(
      machine(
        'ExpressSync',
        task('arn:aws:states:::states:startExecution.sync:2', { StateMachineArn: 'x' }),
        'EXPRESS',
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining("does not support '.sync' service integration") });
    expect(await machine('StandardCallback', callback)).toMatch(/:stateMachine:StandardCallback$/);
    expect(
      await machine(
        'SdkCallback',
        task('arn:aws:states:::aws-sdk:eventbridge:putEvents.waitForTaskToken', { Entries: [] }),
      ),
    ).toMatch(/SdkCallback$/);
  });
});

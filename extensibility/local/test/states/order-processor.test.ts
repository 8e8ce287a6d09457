// The original Serverlesspresso order processor's shape, end to end through the SDK: deployed from a
// SAM template (a DynamoDB config table, DefinitionSubstitutions, an EventBridgeRule event), started
// by Validator.NewOrder on the bus, resumed with SendTaskSuccess, timed out under the time scale.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StopExecutionCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

const app = new URL('./fixtures/order-processor-app', import.meta.url).pathname;
// 1 simulated second = 10 real milliseconds: the 5-minute customer wait lasts 3 s.
const SPEED = 100;
let cloud: LocalCloud;
let sfn: SFNClient;
let eb: EventBridgeClient;
let docs: DynamoDBDocumentClient;
let outputs: { OrderProcessorArn: string; ConfigTable: string; BusName: string };

/** The next archived event of this detail-type for this order; bounded, the failure says what was awaited. */
function next(detailType: string, key: { orderId?: string; userId?: string }, ms = 15_000): Promise<EventEnvelope> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${ms} ms waiting for ${detailType} of ${JSON.stringify(key)}`));
    }, ms);
    const stop = cloud.events.archive.subscribe(({ event }) => {
      const d = event.detail as Record<string, unknown>;
      if (
        event['detail-type'] === detailType &&
        (!key.orderId || d.orderId === key.orderId) &&
        (!key.userId || d.userId === key.userId)
      ) {
        clearTimeout(timer);
        stop();
        resolve(event);
      }
    });
  });
}

const newOrder = (orderId: string) =>
  eb.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: outputs.BusName,
          Source: 'awsserverlessda.serverlesspresso',
          DetailType: 'Validator.NewOrder',
          Detail: JSON.stringify({ orderId, userId: `u-${orderId}` }),
        },
      ],
    }),
  );
const setShop = (storeOpen: boolean) =>
  docs.send(new PutCommand({ TableName: outputs.ConfigTable, Item: { PK: 'config', storeOpen } }));
const execution = (orderId: string, eventId: string) =>
  `${outputs.OrderProcessorArn.replace(':stateMachine:', ':execution:')}:${eventId}`;
const describeExecution = (arn: string) => sfn.send(new DescribeExecutionCommand({ executionArn: arn }));

/** Checks a refusal: the ShopUnavailable event says why, and the order's execution ended without starting a workflow. */
async function expectRefused(refusal: EventEnvelope, orderId: string, eventId: string): Promise<void> {
  expect(refusal.detail).toEqual({ Message: 'The shop is not open', userId: `u-${orderId}` });
  const arn = execution(orderId, eventId);
  await cloud.states.engine.waitForExecution(arn);
  expect((await describeExecution(arn)).status).toBe('SUCCEEDED');
  const workflows = [];
  for await (const e of cloud.events.archive.read(outputs.BusName))
    if (e['detail-type'] === 'OrderProcessor.WorkflowStarted' && e.detail.orderId === orderId) workflows.push(e);
  expect(workflows).toEqual([]);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: () => {} });
  const config = { endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
  sfn = new SFNClient(config);
  eb = new EventBridgeClient(config);
  docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  outputs = (await cloud.stacks.deploy({ path: app, stackName: 'op', parameterOverrides: { Capacity: '2' } }))
    .outputs as typeof outputs;
});

afterAll(async () => {
  sfn.destroy();
  eb.destroy();
  docs.destroy();
  await cloud.close();
});

describe('the order processor through the SDK', () => {
  it('happy path: the customer orders, the barista completes, the order finishes with a number', async () => {
    await setShop(true);
    const started = next('OrderProcessor.WorkflowStarted', { orderId: 'o-1' });
    const put = await newOrder('o-1');
    const workflow = await started;
    const arn = execution('o-1', put.Entries![0]!.EventId!);
    expect(workflow.resources).toEqual([outputs.OrderProcessorArn, arn]);

    const waiting = next('OrderProcessor.WaitingCompletion', { orderId: 'o-1' });
    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: workflow.detail.TaskToken as string,
        output: JSON.stringify({ drink: 'Latte' }),
      }),
    );
    const barista = await waiting;
    expect(barista.detail).toMatchObject({
      orderId: 'o-1',
      userId: 'u-o-1',
      orderNumber: expect.stringMatching(/^\d+$/),
    });

    const finished = next('OrderProcessor.orderFinished', { orderId: 'o-1' });
    // A heartbeat keeps the barista's 15 minutes going; then the order completes.
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: barista.detail.TaskToken as string }));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: barista.detail.TaskToken as string, output: '{"completed":true}' }),
    );
    await finished;
    await cloud.states.engine.waitForExecution(arn);
    expect((await describeExecution(arn)).status).toBe('SUCCEEDED');
  });

  it('a customer who never orders times out after 300 s (3 s at this speed) with States.Timeout', async () => {
    await setShop(true);
    const timedOut = next('OrderProcessor.OrderTimeOut', { orderId: 'o-2' });
    await newOrder('o-2');
    expect((await timedOut).detail).toMatchObject({ orderId: 'o-2', comment: { Error: 'States.Timeout' } });
  });

  it('a resumed token resumed again is refused with TaskTimedOut once the task is gone', async () => {
    await setShop(true);
    const started = next('OrderProcessor.WorkflowStarted', { orderId: 'o-3' });
    await newOrder('o-3');
    const token = (await started).detail.TaskToken as string;
    const waiting = next('OrderProcessor.WaitingCompletion', { orderId: 'o-3' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    await waiting;
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('a closed shop answers ShopUnavailable', async () => {
    await setShop(false);
    const refused = next('OrderProcessor.ShopUnavailable', { userId: 'u-o-4' });
    const put = await newOrder('o-4');
    await expectRefused(await refused, 'o-4', put.Entries![0]!.EventId!);
  });

  it('beyond capacity (running executions from listExecutions) answers ShopUnavailable', async () => {
    await setShop(true);
    // Start from an empty machine: stop what earlier tests left waiting.
    for (const e of (
      await sfn.send(new ListExecutionsCommand({ stateMachineArn: outputs.OrderProcessorArn, statusFilter: 'RUNNING' }))
    ).executions!) {
      await sfn.send(new StopExecutionCommand({ executionArn: e.executionArn }));
    }
    // Two orders wait for their customer; with the new one, three run: more than Capacity (2).
    const waits = [];
    for (let i = 0; i < 2; i++) {
      const started = next('OrderProcessor.WorkflowStarted', { orderId: `fill-${i}` });
      await newOrder(`fill-${i}`);
      waits.push(await started);
    }
    const refused = next('OrderProcessor.ShopUnavailable', { userId: 'u-o-5' });
    const put = await newOrder('o-5');
    await expectRefused(await refused, 'o-5', put.Entries![0]!.EventId!);
    for (const w of waits)
      await sfn.send(new SendTaskSuccessCommand({ taskToken: w.detail.TaskToken as string, output: '{}' }));
  });
});

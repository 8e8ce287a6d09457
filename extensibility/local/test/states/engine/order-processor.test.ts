// The original Serverlesspresso order processor's shape: shop-open Choice, a capacity check, two
// putEvents.waitForTaskToken callbacks (HeartbeatSeconds 300, then 900) whose States.Timeout
// Catch emits a timeout event. A recording TaskRunner stands in for DynamoDB, Step Functions,
// Lambda and EventBridge; the clock is manual, so the 5- and 15-minute limits are exact.
import { describe, it, expect } from '@jest/globals';
import {
  StepFunctionsEngine,
  createManualClock,
  validateDefinition,
} from '../../../src/services/states/engine/index.js';
import type { JsonValue, TaskContext } from '../../../src/services/states/engine/index.js';

const SM_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderProcessor';
const BUS = 'Serverlesspresso';
const SOURCE = 'awsserverlessda.serverlesspresso';

const putEvent = (detailType: string, detail: Record<string, JsonValue>) => ({
  Entries: [{ Detail: detail, DetailType: detailType, EventBusName: BUS, Source: SOURCE }],
});

const definition = {
  Comment: 'Serverlesspresso order processor',
  StartAt: 'Get Shop Status',
  States: {
    'Get Shop Status': {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: 'serverlesspresso-config', Key: { PK: { S: 'config' } } },
      ResultSelector: { 'shopOpen.$': '$.Item.storeOpen.BOOL', 'maxCapacity.$': '$.Item.maxOrdersInQueue.N' },
      ResultPath: '$.GetStore',
      Next: 'Shop Open?',
    },
    'Shop Open?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.GetStore.shopOpen', BooleanEquals: false, Next: 'Emit - Shop not ready' }],
      Default: 'ListExecutions',
    },
    ListExecutions: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:sfn:listExecutions',
      Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', MaxResults: 100, StatusFilter: 'RUNNING' },
      ResultSelector: { 'runningExecutionsCount.$': 'States.ArrayLength($.Executions)' },
      ResultPath: '$.isCapacityAvailable',
      Next: 'Is capacity available?',
    },
    'Is capacity available?': {
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.isCapacityAvailable.runningExecutionsCount',
          NumericGreaterThan: 20,
          Next: 'Emit - Shop not ready',
        },
      ],
      Default: 'Emit - Workflow Started TT',
    },
    'Emit - Workflow Started TT': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      HeartbeatSeconds: 300,
      Parameters: putEvent('OrderProcessor.WorkflowStarted', {
        Message: 'The workflow waits for your order to be submitted. It emits an event with a unique task token.',
        'TaskToken.$': '$$.Task.Token',
        'orderId.$': '$.detail.orderId',
        'userId.$': '$.detail.userId',
      }),
      ResultPath: '$.detail',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Emit - error timeout', ResultPath: '$.comment' }],
      Next: 'Generate Order Number',
    },
    'Generate Order Number': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'GetOrderNumber', 'Payload.$': '$' },
      ResultSelector: { 'orderNumber.$': '$.Payload' },
      ResultPath: '$.Order',
      Next: 'Emit - Awaiting Completion TT',
    },
    'Emit - Awaiting Completion TT': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      HeartbeatSeconds: 900,
      Parameters: putEvent('OrderProcessor.WaitingCompletion', {
        Message: 'You pressed "submit order". The workflow resumes using the stored task token.',
        'TaskToken.$': '$$.Task.Token',
        'orderId.$': '$.detail.orderId',
        'orderNumber.$': '$.Order.orderNumber',
        'userId.$': '$.detail.userId',
      }),
      ResultPath: '$.detail',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Emit - error timeout', ResultPath: '$.comment' }],
      Next: 'Pass',
    },
    Pass: { Type: 'Pass', Next: 'Emit - order finished' },
    'Emit - order finished': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: putEvent('OrderProcessor.orderFinished', {
        Message: 'Order finished',
        'orderId.$': '$.detail.orderId',
        'userId.$': '$.detail.userId',
      }),
      End: true,
    },
    'Emit - error timeout': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: putEvent('OrderProcessor.OrderTimeOut', {
        Message: 'The order timed out',
        'orderId.$': '$.detail.orderId',
        'userId.$': '$.detail.userId',
        'comment.$': '$.comment',
      }),
      End: true,
    },
    'Emit - Shop not ready': {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: putEvent('OrderProcessor.ShopUnavailable', {
        Message: 'The shop is not open',
        'userId.$': '$.detail.userId',
      }),
      End: true,
    },
  },
};

interface Call {
  resource: string;
  input: { Entries?: { DetailType: string; Detail: Record<string, JsonValue> }[] } & Record<string, unknown>;
  ctx: TaskContext;
}

function orderProcessor(shop: { open: boolean; running?: number }) {
  const clock = createManualClock();
  const calls: Call[] = [];
  const engine = new StepFunctionsEngine({
    clock,
    taskRunner: async (resource, input, ctx) => {
      calls.push({ resource, input: input as Call['input'], ctx });
      if (resource.endsWith('dynamodb:getItem'))
        return { Item: { storeOpen: { BOOL: shop.open }, maxOrdersInQueue: { N: '20' } } };
      if (resource.endsWith('sfn:listExecutions'))
        return { Executions: Array.from({ length: shop.running ?? 1 }, (_, i) => ({ name: `e${i}` })) };
      if (resource.endsWith('lambda:invoke')) return { Payload: 42, StatusCode: 200 };
      return { Entries: [{ EventId: `event-${calls.length}` }], FailedEntryCount: 0 };
    },
  });
  const emitted = () =>
    calls.filter((c) => c.resource.includes(':events:putEvents')).map((c) => c.input.Entries?.[0]?.DetailType);
  const tokenOf = (detailType: string): string => {
    const call = calls.find((c) => c.input.Entries?.[0]?.DetailType === detailType);
    const token = call?.input.Entries?.[0]?.Detail.TaskToken;
    if (typeof token !== 'string') throw new Error(`no task token emitted with ${detailType}`);
    return token;
  };
  const start = async (): Promise<string> => {
    const { executionArn } = engine.startExecution({
      stateMachine: { arn: SM_ARN, name: 'OrderProcessor', definition: JSON.stringify(definition) },
      input: JSON.stringify({ detail: { orderId: 'order-1', userId: 'user-1' } }),
    });
    await clock.settle();
    return executionArn;
  };
  return { clock, calls, engine, emitted, tokenOf, start };
}

describe('the Serverlesspresso order processor', () => {
  it('is a valid definition (asl-validator and our checks)', () => {
    expect(validateDefinition(definition)).toEqual({ valid: true, errors: [] });
  });

  it('when the shop is closed, emits ShopUnavailable and ends', async () => {
    const op = orderProcessor({ open: false });
    const arn = await op.start();
    expect(op.engine.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(op.emitted()).toEqual(['OrderProcessor.ShopUnavailable']);
    expect(op.calls[0]?.input).toEqual({ TableName: 'serverlesspresso-config', Key: { PK: { S: 'config' } } });
  });

  it('when the queue is full, emits ShopUnavailable', async () => {
    const op = orderProcessor({ open: true, running: 21 });
    const arn = await op.start();
    expect(op.engine.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(op.calls[1]?.input).toEqual({ StateMachineArn: SM_ARN, MaxResults: 100, StatusFilter: 'RUNNING' });
    expect(op.emitted()).toEqual(['OrderProcessor.ShopUnavailable']);
  });

  it('happy path: order submitted, made by the barista, finished', async () => {
    const op = orderProcessor({ open: true });
    const arn = await op.start();
    expect(op.emitted()).toEqual(['OrderProcessor.WorkflowStarted']);
    const started = op.calls.find((c) => c.input.Entries?.[0]?.DetailType === 'OrderProcessor.WorkflowStarted');
    expect(started?.input.Entries?.[0]).toMatchObject({
      EventBusName: BUS,
      Source: SOURCE,
      Detail: { orderId: 'order-1', userId: 'user-1' },
    });
    expect(started?.ctx.heartbeatSeconds).toBe(300);

    await op.clock.advance(120_000);
    op.engine.sendTaskSuccess(
      op.tokenOf('OrderProcessor.WorkflowStarted'),
      JSON.stringify({ orderId: 'order-1', userId: 'user-1', drink: 'latte' }),
    );
    await op.clock.settle();
    expect(op.emitted()).toEqual(['OrderProcessor.WorkflowStarted', 'OrderProcessor.WaitingCompletion']);
    const waiting = op.calls.find((c) => c.input.Entries?.[0]?.DetailType === 'OrderProcessor.WaitingCompletion');
    expect(waiting?.input.Entries?.[0]?.Detail).toMatchObject({
      orderId: 'order-1',
      orderNumber: 42,
      userId: 'user-1',
    });

    await op.clock.advance(600_000);
    op.engine.sendTaskSuccess(
      op.tokenOf('OrderProcessor.WaitingCompletion'),
      JSON.stringify({ orderId: 'order-1', userId: 'user-1', completed: true }),
    );
    await op.clock.settle();
    expect(op.emitted()).toEqual([
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderProcessor.orderFinished',
    ]);
    const finished = op.engine.describeExecution(arn);
    expect(finished.status).toBe('SUCCEEDED');
    const history = op.engine.getExecutionHistory(arn);
    expect(history.filter((e) => e.type === 'TaskSubmitted')).toHaveLength(2);
    expect(
      history.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails?.heartbeatInSeconds),
    ).toEqual([undefined, undefined, 300, undefined, 900, undefined]);
  });

  it('an order never submitted times out after exactly 300 s and emits OrderTimeOut', async () => {
    const op = orderProcessor({ open: true });
    const arn = await op.start();
    await op.clock.advance(299_999);
    expect(op.engine.describeExecution(arn).status).toBe('RUNNING');
    await op.clock.advance(1);
    expect(op.emitted()).toEqual(['OrderProcessor.WorkflowStarted', 'OrderProcessor.OrderTimeOut']);
    const timeout = op.calls[op.calls.length - 1];
    expect(timeout?.input.Entries?.[0]?.Detail).toEqual({
      Message: 'The order timed out',
      orderId: 'order-1',
      userId: 'user-1',
      comment: { Error: 'States.Timeout' },
    });
    expect(op.engine.describeExecution(arn).status).toBe('SUCCEEDED');
    expect(op.engine.getExecutionHistory(arn).map((e) => e.type)).toContain('TaskTimedOut');
    expect(op.clock.pendingTimers()).toBe(0);
  });

  it('the barista step waits 900 s between heartbeats, as long as they keep coming', async () => {
    const op = orderProcessor({ open: true });
    const arn = await op.start();
    op.engine.sendTaskSuccess(
      op.tokenOf('OrderProcessor.WorkflowStarted'),
      JSON.stringify({ orderId: 'order-1', userId: 'user-1' }),
    );
    await op.clock.settle();
    const token = op.tokenOf('OrderProcessor.WaitingCompletion');
    for (let i = 0; i < 4; i++) {
      await op.clock.advance(899_000);
      op.engine.sendTaskHeartbeat(token);
    }
    expect(op.engine.describeExecution(arn).status).toBe('RUNNING');
    await op.clock.advance(900_000);
    expect(op.emitted()).toEqual([
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderProcessor.OrderTimeOut',
    ]);
    expect(() => op.engine.sendTaskSuccess(token, '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });
});

// Lambda tasks against functions built from TypeScript with esbuild and deployed with their state
// machine from a SAM template: lambda:invoke with a Payload, a plain function ARN, a function error
// caught by Lambda's error name, and lambda:invoke.waitForTaskToken answered by the function
// itself through its own SDK client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const app = new URL('./fixtures/lambda-tasks-app', import.meta.url).pathname;
let cloud: LocalCloud;
let sfn: SFNClient;
let outputs: { BrewArn: string; BaristaArn: string };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  sfn = new SFNClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  outputs = (await cloud.stacks.deploy({ path: app, stackName: 'lambda-tasks' })).outputs as typeof outputs;
});

afterAll(async () => {
  sfn.destroy();
  await cloud.close();
});

async function brew(input: object) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: outputs.BrewArn, input: JSON.stringify(input) }),
  );
  await cloud.states.engine.waitForExecution(executionArn!);
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

describe('Lambda tasks on built functions', () => {
  it('invoke with a Payload, a direct ARN, a caught function error and a callback the function answers', async () => {
    const done = await brew({ drink: 'latte', verdict: 'approve' });
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as {
      invoke: unknown;
      direct: unknown;
      milk: { Error: string; Cause: string };
      approval: unknown;
    };
    // lambda:invoke wraps the function's answer; a plain ARN hands it on as it is.
    expect(output.invoke).toEqual({
      Payload: { brewed: 'latte', size: 'large' },
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
    });
    expect(output.direct).toEqual({ brewed: 'latte', size: 'small' });
    // The function's error, by the name Lambda reports, with Lambda's error payload as the cause.
    expect(output.milk.Error).toBe('OutOfMilk');
    expect(JSON.parse(output.milk.Cause)).toMatchObject({
      errorType: 'OutOfMilk',
      errorMessage: 'no milk for a latte',
      trace: expect.any(Array),
    });
    // The callback's result is what the function sent with SendTaskSuccess, not what it returned.
    expect(output.approval).toEqual({ approved: 'latte' });

    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
    const scheduled = events!.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails!);
    expect(scheduled.map((d) => [d.resourceType, d.resource])).toEqual([
      ['lambda', 'invoke'],
      ['lambda', 'invoke'],
      ['lambda', 'invoke.waitForTaskToken'],
    ]);
    // A plain function ARN is recorded as AWS records it: LambdaFunction* events, not Task* ones.
    expect(
      events!.find((e) => e.type === 'LambdaFunctionScheduled')!.lambdaFunctionScheduledEventDetails!.resource,
    ).toBe(outputs.BaristaArn);
    expect(events!.some((e) => e.type === 'LambdaFunctionSucceeded')).toBe(true);
    expect(events!.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails!.error)).toEqual([
      'OutOfMilk',
    ]);
  });

  it('SendTaskFailure from the function fails the callback task with its error', async () => {
    const done = await brew({ drink: 'mocha', verdict: 'reject' });
    expect(done).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no mocha today' });
  });
});

// Nothing lost, as the template says it (read as CloudFormation would, by the local cloud's loader):
// every asynchronous consumer of the core (a function or state machine a rule invokes, a stream
// mapping) has an SQS dead-letter destination, and every such queue has an alarm on its depth.
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ACCOUNT, loadTemplate } from '@serverlesspresso/local/tooling';

const template = loadTemplate(fileURLToPath(new URL('../../template.yaml', import.meta.url)), {
  stackName: 'core',
  region: DEFAULT_ACCOUNT.region,
  accountId: DEFAULT_ACCOUNT.accountId,
});

type Props = Record<string, unknown>;
interface SamEvent {
  Type: string;
  Properties: Props;
}

// Schedules (the reservation sweep's ScheduleV2) carry no event to lose: a run that fails is made up by
// the next one, so they need no dead-letter queue.
const RULE_EVENTS = new Set(['EventBridgeRule', 'CloudWatchEvent', 'Schedule']);
const STREAM_EVENTS = new Set(['DynamoDB', 'Kinesis']);
const queueNameOf = (arn: unknown) => {
  expect(String(arn)).toMatch(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/);
  return String(arn).split(':').at(-1)!;
};

const consumers = template.resources.flatMap((r) => {
  if (r.type !== 'AWS::Serverless::Function' && r.type !== 'AWS::Serverless::StateMachine') return [];
  const events = Object.entries((r.properties.Events ?? {}) as Record<string, SamEvent>).filter(
    ([, e]) => RULE_EVENTS.has(e.Type) || STREAM_EVENTS.has(e.Type),
  );
  return events.map(([name, event]) => ({ id: `${r.logicalId}.${name}`, resource: r, event }));
});

const alarmedQueues = new Map(
  template.resources
    .filter((r) => r.type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.properties as Props)
    .filter((p) => p.Namespace === 'AWS/SQS' && p.MetricName === 'ApproximateNumberOfMessagesVisible')
    .map((p) => [(p.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'QueueName')?.Value, p]),
);

function expectAlarm(queueName: string): void {
  const alarm = alarmedQueues.get(queueName);
  expect({ queueName, alarm: alarm !== undefined }).toEqual({ queueName, alarm: true });
  // In ALARM as soon as one message is there.
  expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
}

describe("the core's asynchronous consumers", () => {
  it('include the ones the design names (rules to functions and state machines, table streams)', () => {
    expect(consumers.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'ConfigPublisherFunction.ConfigChanges',
        'JourneyRecorderStateMachine.OrderEvents',
        'OrderMetricsFunction.OrderChanges',
        'OrderProcessorStateMachine.NewOrder',
        'OrderPublisherFunction.OrderChanges',
        'OrderWorkflowEventsFunction.WorkflowSteps',
        'RealtimePublisherFunction.ChannelNews',
        'RobotEventsFunction.RobotActions',
      ]),
    );
  });

  it.each(consumers.map((c) => [c.id, c] as const))('%s has an SQS dead-letter destination with an alarm', (_, c) => {
    const props = c.resource.properties as Props;
    if (RULE_EVENTS.has(c.event.Type)) {
      // What EventBridge cannot deliver (after its retries) goes to the rule target's queue ...
      const dlq = c.event.Properties.DeadLetterConfig as { Arn?: string } | undefined;
      expectAlarm(queueNameOf(dlq?.Arn));
      // ... and what a function fails on, after Lambda's asynchronous retries, to its OnFailure queue.
      if (c.resource.type === 'AWS::Serverless::Function') {
        const invoke = props.EventInvokeConfig as
          { MaximumRetryAttempts?: number; DestinationConfig?: { OnFailure?: { Destination?: string } } } | undefined;
        expect(invoke?.MaximumRetryAttempts).toBeLessThanOrEqual(2);
        expectAlarm(queueNameOf(invoke?.DestinationConfig?.OnFailure?.Destination));
      }
    } else {
      // A stream batch that keeps failing is bisected down to the bad record, which then leaves the
      // shard for the queue (its place in the shard) instead of holding it until it expires.
      const p = c.event.Properties;
      expect(p.BisectBatchOnFunctionError).toBe(true);
      expect(p.MaximumRetryAttempts).toEqual(expect.any(Number));
      expect(p.MaximumRetryAttempts as number).toBeGreaterThanOrEqual(0);
      const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure;
      expectAlarm(queueNameOf(onFailure?.Destination));
    }
  });
});

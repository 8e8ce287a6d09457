import { describe, expect, it } from '@jest/globals';
import { type LoadedResource, type LoadedTemplate } from '../../../src/stacks/template/index.js';
import { load, problems } from './helpers.js';

function resource(loaded: LoadedTemplate, logicalId: string): LoadedResource {
  const found = loaded.resources.find((r) => r.logicalId === logicalId);
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

/** A SAM template with one function whose Events are `events` (YAML, indented 8). */
function withEvents(events: string, more = ''): string {
  return `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: src/
      Runtime: nodejs20.x
      Events:
${events}
${more}`;
}

describe('SAM events', () => {
  it('Api events go to the implicit ServerlessRestApi, or to the Api named by RestApiId', () => {
    const loaded = load(
      withEvents(
        `        List:
          Type: Api
          Properties: { Path: /orders, Method: get }
        Create:
          Type: Api
          Properties: { Path: /orders, Method: post, RestApiId: !Ref Rest }`,
        `  Rest:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1 }`,
      ),
    );
    expect(loaded.resources.map((r) => r.logicalId)).toEqual(['ServerlessRestApi', 'Rest', 'Fn']);
    expect(resource(loaded, 'Fn').sam?.events).toEqual([
      expect.objectContaining({ name: 'List', kind: 'api', api: 'ServerlessRestApi', path: '/orders', method: 'GET' }),
      expect.objectContaining({ name: 'Create', kind: 'api', api: 'Rest', path: '/orders', method: 'POST' }),
    ]);
    expect(resource(loaded, 'Fn').dependsOn).toEqual(['ServerlessRestApi', 'Rest']);
  });

  it('ScheduleV2, CloudWatchEvent and pass-through event types', () => {
    const loaded = load(
      withEvents(`        Tick:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(5 minutes)
            ScheduleExpressionTimezone: Europe/London
            Input: '{"tick":true}'
            StartDate: '2030-01-01T00:00:00Z'
            RetryPolicy: { MaximumRetryAttempts: 3 }
        Tock:
          Type: ScheduleV2
          Properties: { ScheduleExpression: 'cron(0 9 * * ? *)', OmitName: true, State: DISABLED }
        Legacy:
          Type: CloudWatchEvent
          Properties:
            Pattern: { source: [aws.ec2] }
            State: DISABLED
            InputPath: $.detail
        Queue:
          Type: SQS
          Properties: { Queue: arn:aws:sqs:us-east-1:123456789012:q, BatchSize: 5 }`),
    );
    const [tick, tock, legacy, queue] = resource(loaded, 'Fn').sam?.events ?? [];
    expect(tick).toMatchObject({
      kind: 'schedule',
      scheduleLogicalId: 'FnTick',
      scheduleExpression: 'rate(5 minutes)',
      timezone: 'Europe/London',
      state: 'ENABLED',
      input: '{"tick":true}',
      startDate: '2030-01-01T00:00:00Z',
      retryPolicy: { MaximumRetryAttempts: 3 },
      // SAM names a schedule after its logical id unless OmitName leaves it to CloudFormation.
      scheduleName: 'FnTick',
    });
    expect(tock).toMatchObject({
      kind: 'schedule',
      state: 'DISABLED',
      scheduleName: expect.stringMatching(/^presso-FnTock-[A-Z0-9]{12}$/),
    });
    expect(legacy).toMatchObject({
      kind: 'rule',
      type: 'CloudWatchEvent',
      eventBusName: 'default',
      state: 'DISABLED',
      inputPath: '$.detail',
    });
    expect(queue).toEqual({
      name: 'Queue',
      type: 'SQS',
      kind: 'sqs',
      mappingLogicalId: 'FnQueue',
      queue: 'arn:aws:sqs:us-east-1:123456789012:q',
      enabled: true,
      properties: { Queue: 'arn:aws:sqs:us-east-1:123456789012:q', BatchSize: 5 },
    });
  });

  it('report missing required event properties, unknown event types and bad API references', () => {
    expect(
      problems(
        withEvents(
          `        NoPattern:
          Type: EventBridgeRule
          Properties: { EventBusName: bus }
        NoSchedule:
          Type: Schedule
        NoPath:
          Type: Api
          Properties: { Method: get }
        NoStream:
          Type: DynamoDB
          Properties: { StartingPosition: LATEST }
        WrongApi:
          Type: HttpApi
          Properties: { ApiId: !Ref Queue }
        Literal:
          Type: HttpApi
          Properties: { ApiId: abc123 }
        Carrier:
          Type: Pigeon`,
          '  Queue:\n    Type: AWS::SQS::Queue',
        ),
      ),
    ).toEqual([
      "t.yaml: Resources.Fn.Properties.Events.Carrier.Type: unknown event type 'Pigeon' for AWS::Serverless::Function",
      't.yaml: Resources.Fn.Properties.Events.WrongApi.Properties.ApiId: ApiId must be a Ref to an AWS::Serverless::HttpApi resource in this template',
      't.yaml: Resources.Fn.Properties.Events.Literal.Properties.ApiId: ApiId must be a Ref to an AWS::Serverless::HttpApi resource in this template',
      't.yaml: Resources.Fn.Properties.Events.NoPattern.Properties: Pattern is required',
      't.yaml: Resources.Fn.Properties.Events.NoSchedule.Properties: Schedule is required',
      't.yaml: Resources.Fn.Properties.Events.NoPath.Properties: Path and Method are required',
      't.yaml: Resources.Fn.Properties.Events.NoStream.Properties: Stream is required',
    ]);
  });

  it('Events must be literal maps with a literal Type', () => {
    expect(problems(withEvents('          !If [X, {}, {}]'))).toEqual([
      't.yaml: Resources.Fn.Properties.Events: Events must be a map of event names to { Type, Properties }',
      "t.yaml: Resources.Fn.Properties.Events: unknown condition 'X'",
    ]);
    expect(problems(withEvents('        E: { Type: !Ref T }'))).toEqual([
      't.yaml: Resources.Fn.Properties.Events.E: an event needs a literal Type',
      "t.yaml: Resources.Fn.Properties.Events.E.Type: Ref to unknown parameter or resource 'T'",
    ]);
  });

  it('refuses a resource named like an implicit API when SAM needs that name', () => {
    expect(
      problems(withEvents('        Get:\n          Type: HttpApi', '  ServerlessHttpApi:\n    Type: AWS::SQS::Queue')),
    ).toEqual([
      "t.yaml: Resources.ServerlessHttpApi: 'ServerlessHttpApi' is the logical id SAM gives the implicit API of events without an API; rename this resource",
    ]);
  });
});

describe("SAM's DeadLetterConfig Type SQS", () => {
  const rule = (config: string) =>
    `        Tick:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 minute)\n            DeadLetterConfig: ${config}`;

  it('creates <Function><Event>Queue (before the function) and its policy, the target naming the queue', () => {
    const loaded = load(withEvents(rule('{ Type: SQS }')));
    expect(loaded.resources.map((r) => [r.logicalId, r.type])).toEqual([
      ['FnTickQueue', 'AWS::SQS::Queue'],
      ['Fn', 'AWS::Serverless::Function'],
      ['FnTickQueuePolicy', 'AWS::SQS::QueuePolicy'],
    ]);
    expect(resource(loaded, 'Fn').dependsOn).toEqual(['FnTickQueue']);
    const { deadLetterConfig } = resource(loaded, 'Fn').sam?.events[0] as { deadLetterConfig?: { Arn?: string } };
    const queueArn = deadLetterConfig?.Arn;
    expect(queueArn).toMatch(/^arn:aws:sqs:us-east-1:123456789012:presso-FnTickQueue-[A-Z0-9]+$/);
    const policy = resource(loaded, 'FnTickQueuePolicy').properties;
    expect(policy.PolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: {
            ArnEquals: {
              'aws:SourceArn': expect.stringMatching(/^arn:aws:events:us-east-1:123456789012:rule\/presso-FnTick-/),
            },
          },
        },
      ],
    });
  });

  it('names the queue QueueLogicalId when given', () => {
    const loaded = load(withEvents(rule('{ Type: SQS, QueueLogicalId: Jams }')));
    expect(loaded.resources.map((r) => r.logicalId)).toEqual(['Jams', 'Fn', 'JamsPolicy']);
  });

  it("refuses Type with Arn, a Type other than SQS, and a resource holding the queue's logical id", () => {
    expect(problems(withEvents(rule('{ Type: SQS, Arn: arn:aws:sqs:us-east-1:123456789012:q }')))).toEqual([
      't.yaml: Resources.Fn.Properties.Events.Tick.Properties.DeadLetterConfig: specify either Type or Arn, not both',
    ]);
    expect(problems(withEvents(rule('{ Type: SNS }')))).toEqual([
      't.yaml: Resources.Fn.Properties.Events.Tick.Properties.DeadLetterConfig.Type: Type must be SQS (the only type of dead-letter queue SAM creates)',
    ]);
    expect(problems(withEvents(rule('{ Type: SQS }'), '  FnTickQueue:\n    Type: AWS::SQS::Queue'))).toEqual([
      "t.yaml: Resources.Fn.Properties.Events.Tick.Properties.DeadLetterConfig: 'FnTickQueue' is the logical id SAM gives this event's dead-letter queue; rename that resource",
    ]);
  });
});

describe('SAM policies', () => {
  it('a single managed policy, templates with intrinsics, documents', () => {
    const loaded = load(`Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: orders }
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: processor
      DefinitionUri: sm.asl.json
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: src/
      Role: !GetAtt Role.Arn
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBReadPolicy: { TableName: !Ref Table }
        - StepFunctionsExecutionPolicy: { StateMachineName: !GetAtt Machine.Name }
        - CloudWatchPutMetricPolicy: {}
        - Version: '2012-10-17'
          Statement: [{ Effect: Allow, Action: 's3:GetObject', Resource: '*' }]
  Role:
    Type: AWS::IAM::Role
    Properties: { RoleName: fn-role }
`);
    const fn = resource(loaded, 'Fn');
    expect(fn.properties['Role']).toBe('arn:aws:iam::123456789012:role/fn-role');
    expect(fn.sam?.policies).toEqual([
      { kind: 'managed', policy: 'AWSLambdaBasicExecutionRole' },
      { kind: 'template', template: 'DynamoDBReadPolicy', parameters: { TableName: 'orders' } },
      { kind: 'template', template: 'StepFunctionsExecutionPolicy', parameters: { StateMachineName: 'processor' } },
      { kind: 'template', template: 'CloudWatchPutMetricPolicy', parameters: {} },
      {
        kind: 'document',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
      },
    ]);
    expect(fn.dependsOn).toEqual(['Table', 'Machine', 'Role']);
  });

  it('reports a policy that is none of those', () => {
    expect(
      problems(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: src/
      Policies: [[x], { A: {}, B: {} }]
`),
    ).toEqual([
      't.yaml: Resources.Fn.Properties.Policies[0]: a policy must be a managed policy name or ARN, a policy template ({ Name: { ... } }) or a policy document',
      't.yaml: Resources.Fn.Properties.Policies[1]: a policy must be a managed policy name or ARN, a policy template ({ Name: { ... } }) or a policy document',
    ]);
  });
});

describe('SAM transform', () => {
  it('is required for AWS::Serverless types; unknown SAM types and other transforms are refused', () => {
    expect(problems('Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n')).toEqual([
      't.yaml: Resources.Fn.Type: AWS::Serverless::Function needs Transform: AWS::Serverless-2016-10-31',
    ]);
    expect(
      problems(
        'Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]\nResources:\n  X:\n    Type: AWS::Serverless::Thing\n',
      ),
    ).toEqual([
      't.yaml: Transform[1]: transform AWS::LanguageExtensions is not supported locally (only AWS::Serverless-2016-10-31)',
      't.yaml: Resources.X.Type: unknown SAM resource type AWS::Serverless::Thing',
    ]);
  });
});

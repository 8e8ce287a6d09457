import { describe, expect, it } from '@jest/globals';
import {
  defaultResourceResolver,
  generatedPhysicalName,
  type TemplateResource,
} from '../../../src/stacks/template/index.js';

const STACK = { stackName: 'presso', region: 'eu-west-1', accountId: '123456789012' };
const resolver = defaultResourceResolver(STACK);

function r(type: string, properties: Record<string, unknown> = {}): TemplateResource {
  return { logicalId: 'X', type, properties, dependsOn: [] };
}

describe('generatedPhysicalName', () => {
  it('is <stack>-<LogicalId>-<12 upper alphanumerics>, the same for the same stack and logical id', () => {
    const name = generatedPhysicalName('presso', 'OrderTable');
    expect(name).toMatch(/^presso-OrderTable-[A-Z0-9]{12}$/);
    expect(generatedPhysicalName('presso', 'OrderTable')).toBe(name);
    expect(generatedPhysicalName('presso', 'CountingTable').slice(-12)).not.toBe(name.slice(-12));
    expect(generatedPhysicalName('other', 'OrderTable').slice(-12)).not.toBe(name.slice(-12));
  });

  it('fits the limit by trimming the longer of stack name and logical id, keeping the suffix', () => {
    const name = generatedPhysicalName(
      'a-rather-long-stack-name-for-testing',
      'AnEvenLongerLogicalIdForTheFunctionResource',
      { maxLength: 64 },
    );
    expect(name).toHaveLength(64);
    // Both parts trimmed to 25 characters: the stack name happens to end in its hyphen.
    expect(name).toMatch(/^a-rather-long-stack-name--AnEvenLongerLogicalIdForT-[A-Z0-9]{12}$/);
    expect(name.slice(-12)).toBe(
      generatedPhysicalName(
        'a-rather-long-stack-name-for-testing',
        'AnEvenLongerLogicalIdForTheFunctionResource',
      ).slice(-12),
    );
  });

  it('can be lower case (S3 buckets) and carry an extension (FIFO queues)', () => {
    expect(generatedPhysicalName('Presso', 'Assets', { lowercase: true })).toMatch(/^presso-assets-[a-z0-9]{12}$/);
    expect(generatedPhysicalName('presso', 'Q', { extension: '.fifo', maxLength: 80 })).toMatch(
      /^presso-Q-[A-Z0-9]{12}\.fifo$/,
    );
  });
});

describe('defaultResourceResolver', () => {
  it('EventBus: Ref name, Arn', () => {
    const bus = r('AWS::Events::EventBus', { Name: 'Serverlesspresso' });
    expect(resolver.ref('X', bus)).toBe('Serverlesspresso');
    expect(resolver.getAtt('X', 'Arn', bus)).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/Serverlesspresso');
    expect(resolver.getAtt('X', 'Name', bus)).toBe('Serverlesspresso');
  });

  it('Rule: Ref <bus>|<name> on a custom bus (given by name or ARN), the name on the default bus', () => {
    expect(resolver.ref('X', r('AWS::Events::Rule', { Name: 'r' }))).toBe('r');
    expect(resolver.ref('X', r('AWS::Events::Rule', { Name: 'r', EventBusName: 'default' }))).toBe('r');
    expect(resolver.ref('X', r('AWS::Events::Rule', { Name: 'r', EventBusName: 'b' }))).toBe('b|r');
    const onArn = r('AWS::Events::Rule', {
      Name: 'r',
      EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/b',
    });
    expect(resolver.ref('X', onArn)).toBe('b|r');
    expect(resolver.getAtt('X', 'Arn', onArn)).toBe('arn:aws:events:eu-west-1:123456789012:rule/b/r');
    expect(resolver.getAtt('X', 'Arn', r('AWS::Events::Rule', { Name: 'r' }))).toBe(
      'arn:aws:events:eu-west-1:123456789012:rule/r',
    );
  });

  it('functions: Ref name, Arn', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::Serverless::Function']) {
      const fn = r(type, { FunctionName: 'f' });
      expect(resolver.ref('X', fn)).toBe('f');
      expect(resolver.getAtt('X', 'Arn', fn)).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f');
    }
    expect(resolver.ref('X', r('AWS::Lambda::Function'))).toMatch(/^presso-X-[A-Z0-9]{12}$/);
  });

  it('tables: Ref name, Arn, StreamArn only with a stream', () => {
    const table = r('AWS::DynamoDB::Table', { TableName: 't', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    expect(resolver.ref('X', table)).toBe('t');
    expect(resolver.getAtt('X', 'Arn', table)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/t');
    const streamArn = resolver.getAtt('X', 'StreamArn', table);
    expect(streamArn).toMatch(
      /^arn:aws:dynamodb:eu-west-1:123456789012:table\/t\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/,
    );
    expect(resolver.getAtt('X', 'StreamArn', table)).toBe(streamArn);
    expect(() => resolver.getAtt('X', 'StreamArn', r('AWS::DynamoDB::Table', { TableName: 't' }))).toThrow(
      'the table has no StreamSpecification, so it has no StreamArn',
    );
    const simple = r('AWS::Serverless::SimpleTable', { TableName: 's' });
    expect(resolver.ref('X', simple)).toBe('s');
    expect(() => resolver.getAtt('X', 'StreamArn', simple)).toThrow(
      "AWS::Serverless::SimpleTable has no attribute 'StreamArn' (it has: Arn)",
    );
  });

  it('state machines: Ref ARN, Arn, Name (StateMachineName or SAM Name)', () => {
    const sm = r('AWS::StepFunctions::StateMachine', { StateMachineName: 'm' });
    expect(resolver.ref('X', sm)).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:m');
    expect(resolver.getAtt('X', 'Name', sm)).toBe('m');
    expect(resolver.ref('X', r('AWS::Serverless::StateMachine', { Name: 'n' }))).toBe(
      'arn:aws:states:eu-west-1:123456789012:stateMachine:n',
    );
  });

  it('APIs: Ref the 10-character id; HttpApi ApiEndpoint; RestApi RootResourceId', () => {
    const http = r('AWS::Serverless::HttpApi');
    const id = resolver.ref('X', http) as string;
    expect(id).toMatch(/^[a-z0-9]{10}$/);
    expect(resolver.getAtt('X', 'ApiEndpoint', http)).toBe(`https://${id}.execute-api.eu-west-1.amazonaws.com`);
    expect(resolver.getAtt('X', 'ApiId', r('AWS::ApiGatewayV2::Api'))).toBe(id);
    expect(resolver.getAtt('X', 'RootResourceId', r('AWS::Serverless::Api'))).toMatch(/^[a-z0-9]{10}$/);
  });

  it('IAM roles, queues, topics, log groups, buckets', () => {
    expect(resolver.getAtt('X', 'Arn', r('AWS::IAM::Role', { RoleName: 'role', Path: '/app/' }))).toBe(
      'arn:aws:iam::123456789012:role/app/role',
    );
    expect(resolver.getAtt('X', 'RoleId', r('AWS::IAM::Role'))).toMatch(/^AROA[A-Z0-9]{17}$/);
    const queue = r('AWS::SQS::Queue', { QueueName: 'q' });
    expect(resolver.ref('X', queue)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/q');
    expect(resolver.getAtt('X', 'Arn', queue)).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
    expect(resolver.ref('X', r('AWS::SNS::Topic', { TopicName: 't' }))).toBe('arn:aws:sns:eu-west-1:123456789012:t');
    expect(resolver.getAtt('X', 'Arn', r('AWS::Logs::LogGroup', { LogGroupName: '/aws/x' }))).toBe(
      'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/x:*',
    );
    expect(resolver.ref('X', r('AWS::S3::Bucket'))).toMatch(/^presso-x-[a-z0-9]{12}$/);
    expect(resolver.getAtt('X', 'Arn', r('AWS::S3::Bucket', { BucketName: 'b' }))).toBe('arn:aws:s3:::b');
  });

  it('Cognito: user pool id, ARN and provider; client id', () => {
    const pool = r('AWS::Cognito::UserPool');
    const id = resolver.ref('X', pool) as string;
    expect(id).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
    expect(resolver.getAtt('X', 'Arn', pool)).toBe(`arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${id}`);
    expect(resolver.getAtt('X', 'ProviderURL', pool)).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${id}`);
    expect(resolver.ref('X', r('AWS::Cognito::UserPoolClient'))).toMatch(/^[a-z0-9]{26}$/);
    expect(resolver.ref('X', r('AWS::Cognito::UserPoolGroup', { GroupName: 'barista' }))).toBe('barista');
    expect(resolver.ref('X', r('AWS::Cognito::UserPoolGroup'))).toMatch(/^presso-X-[A-Z0-9]{12}$/);
  });

  it('other types: Ref a generated name; Fn::GetAtt is an error naming the type', () => {
    expect(resolver.ref('X', r('AWS::Lambda::Permission'))).toMatch(/^presso-X-[A-Z0-9]{12}$/);
    expect(() => resolver.getAtt('X', 'Arn', r('AWS::Kinesis::Stream'))).toThrow(
      'the default resolver knows no attributes of AWS::Kinesis::Stream; pass a resolver that does',
    );
  });
});

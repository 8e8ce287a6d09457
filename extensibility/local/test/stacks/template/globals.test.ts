import { describe, expect, it } from '@jest/globals';
import { type LoadedTemplate } from '../../../src/stacks/template/index.js';
import { load, problems } from './helpers.js';

function properties(loaded: LoadedTemplate, logicalId: string): Record<string, unknown> {
  return loaded.resources.find((r) => r.logicalId === logicalId)?.properties ?? {};
}

const HEADER = 'Transform: AWS::Serverless-2016-10-31\n';

describe('SAM Globals', () => {
  const loaded = load(`${HEADER}Parameters:
  Stage: { Type: String, Default: dev }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 10
    Layers: [arn:aws:lambda:us-east-1:123456789012:layer:common:1]
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: global
    VpcConfig:
      SubnetIds: [subnet-1]
    Tracing: !If [IsProd, Active, PassThrough]
  SimpleTable:
    SSESpecification: { SSEEnabled: true }
Resources:
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.handler
      CodeUri: src/
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      Handler: b.handler
      CodeUri: src/
      Timeout: 60
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:own:2]
      Environment:
        Variables:
          SHARED: local
          OWN: yes
      VpcConfig: !Ref AWS::NoValue
      Tracing: Active
  Ignoring:
    Type: AWS::Serverless::Function
    IgnoreGlobals: '*'
    Properties:
      Handler: c.handler
      CodeUri: src/
      Runtime: python3.12
  IgnoringSome:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Layers, Environment]
    Properties:
      Handler: d.handler
      CodeUri: src/
  Table:
    Type: AWS::Serverless::SimpleTable
  NotSam:
    Type: AWS::Lambda::Function
    Properties:
      Handler: e.handler
`);

  it('gives a function every global property it does not set', () => {
    expect(properties(loaded, 'Plain')).toEqual({
      Runtime: 'nodejs20.x',
      Timeout: 10,
      Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:common:1'],
      Environment: { Variables: { STAGE: 'dev', SHARED: 'global' } },
      VpcConfig: { SubnetIds: ['subnet-1'] },
      Tracing: 'PassThrough',
      Handler: 'a.handler',
      CodeUri: 'src/',
    });
  });

  it('lets the resource win for primitives and intrinsics, merges maps, concatenates lists', () => {
    expect(properties(loaded, 'Custom')).toEqual({
      Runtime: 'nodejs20.x',
      Timeout: 60,
      Layers: [
        'arn:aws:lambda:us-east-1:123456789012:layer:common:1',
        'arn:aws:lambda:us-east-1:123456789012:layer:own:2',
      ],
      Environment: { Variables: { STAGE: 'dev', SHARED: 'local', OWN: 'yes' } },
      Tracing: 'Active',
      Handler: 'b.handler',
      CodeUri: 'src/',
    });
  });

  it("honours SAM's IgnoreGlobals", () => {
    expect(properties(loaded, 'Ignoring')).toEqual({ Handler: 'c.handler', CodeUri: 'src/', Runtime: 'python3.12' });
    expect(properties(loaded, 'IgnoringSome')).not.toHaveProperty('Layers');
    expect(properties(loaded, 'IgnoringSome')).not.toHaveProperty('Environment');
    expect(properties(loaded, 'IgnoringSome')).toMatchObject({ Runtime: 'nodejs20.x', Timeout: 10 });
  });

  it('applies other sections to their types only', () => {
    expect(properties(loaded, 'Table')).toEqual({ SSESpecification: { SSEEnabled: true } });
    expect(properties(loaded, 'NotSam')).toEqual({ Handler: 'e.handler' });
  });

  it('applies Globals.Api to the implicit ServerlessRestApi', () => {
    const api = load(`${HEADER}Globals:
  Api:
    Cors: "'*'"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.handler
      CodeUri: src/
      Events:
        Get:
          Type: Api
          Properties: { Path: /orders, Method: get }
`);
    expect(api.resources[0]).toMatchObject({
      logicalId: 'ServerlessRestApi',
      implicit: true,
      properties: { StageName: 'Prod', Cors: "'*'" },
    });
  });

  it('reports unsupported sections and properties, and Globals without the SAM transform', () => {
    expect(
      problems(`${HEADER}Globals:
  Function:
    FunctionName: shared
    Policies: [AWSLambdaBasicExecutionRole]
  Queue:
    VisibilityTimeout: 30
Resources:
  Fn:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Runtime]
    Properties: { Handler: a.handler, CodeUri: src/ }
`),
    ).toEqual([
      "t.yaml: Globals.Function.FunctionName: 'FunctionName' cannot be set in Globals.Function",
      "t.yaml: Globals.Function.Policies: 'Policies' cannot be set in Globals.Function",
      "t.yaml: Globals.Queue: 'Queue' is not a Globals section; use one of Function, Api, HttpApi, SimpleTable, StateMachine, LayerVersion",
      "t.yaml: Resources.Fn.IgnoreGlobals: IgnoreGlobals: 'Runtime' is not set in Globals",
    ]);
    expect(problems('Globals:\n  Function: { Timeout: 3 }\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n')).toEqual([
      't.yaml: Globals: Globals needs Transform: AWS::Serverless-2016-10-31',
    ]);
  });
});

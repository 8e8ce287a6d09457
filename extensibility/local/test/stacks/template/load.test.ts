import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import {
  deletionOrder,
  loadTemplate,
  parseTemplateText,
  resolveTemplate,
  type LoadedResource,
  type LoadedTemplate,
  type LoadOptions,
  type ResourceRefResolver,
  type SamApiEvent,
  type SamDynamoDbEvent,
  type SamRuleEvent,
} from '../../../src/stacks/template/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };

function loadCore(options: Partial<LoadOptions> = {}): LoadedTemplate {
  return loadTemplate(fixture('core.yaml'), { ...STACK, ...options });
}

function resource(template: LoadedTemplate, logicalId: string): LoadedResource {
  const found = template.resources.find((r) => r.logicalId === logicalId);
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

function event<T>(r: LoadedResource, name: string): T {
  const found = r.sam?.events.find((e) => e.name === name);
  if (!found) throw new Error(`no event ${name} on ${r.logicalId}`);
  return found as T;
}

describe('the core app template', () => {
  const core = loadCore();

  it('resolves parameters from their defaults, Number as text', () => {
    expect(core.parameters).toEqual({
      BusName: 'Serverlesspresso',
      Source: 'awsserverlessda.serverlesspresso',
      Stage: 'dev',
      MaxOrdersPerUser: '1',
    });
    expect(core.conditions).toEqual({ IsProd: false });
    expect(core.description).toMatch(/Serverlesspresso core/);
  });

  it('names the bus from the BusName parameter', () => {
    const bus = resource(core, 'CoreEventBus');
    expect(bus.properties).toEqual({ Name: 'Serverlesspresso' });
    expect(bus.physicalId).toBe('Serverlesspresso');
  });

  it('keeps the table definition with its GSIs and stream, dropping AWS::NoValue properties', () => {
    const table = resource(core, 'OrderTable');
    expect(table.physicalId).toBe('presso-orders');
    expect(table.properties['TableName']).toBe('presso-orders');
    expect(table.properties['GlobalSecondaryIndexes']).toEqual([
      expect.objectContaining({ IndexName: 'GSI-status' }),
      expect.objectContaining({
        IndexName: 'GSI-userId',
        KeySchema: [
          { AttributeName: 'USERID', KeyType: 'HASH' },
          { AttributeName: 'TS', KeyType: 'RANGE' },
        ],
      }),
    ]);
    expect(table.properties['StreamSpecification']).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.properties).not.toHaveProperty('PointInTimeRecoverySpecification');
    expect(table.deletionPolicy).toBe('Delete');
  });

  it('generates CloudFormation-style names for resources without an explicit name, stable across loads', () => {
    const counting = resource(core, 'CountingTable').physicalId;
    expect(counting).toMatch(/^presso-CountingTable-[A-Z0-9]{12}$/);
    expect(resource(loadCore(), 'CountingTable').physicalId).toBe(counting);
    expect(resource(loadCore({ stackName: 'other' }), 'CountingTable').physicalId).toMatch(
      /^other-CountingTable-[A-Z0-9]{12}$/,
    );
    expect(resource(core, 'ConfigTable').physicalId).toMatch(/^presso-ConfigTable-[A-Z0-9]{12}$/);
  });

  it('merges Globals.Function into every function, the function winning', () => {
    const stream = resource(core, 'OrderStreamFunction');
    expect(stream.properties).toMatchObject({
      Runtime: 'nodejs20.x',
      Timeout: 30,
      MemorySize: 128,
      Tracing: 'Active',
      Tags: { app: 'serverlesspresso' },
      Environment: {
        Variables: {
          BUS_NAME: 'Serverlesspresso',
          SOURCE: 'awsserverlessda.serverlesspresso',
          COUNTING_TABLE: resource(core, 'CountingTable').physicalId,
        },
      },
    });
    expect(resource(core, 'OrderManagerFunction').properties['Timeout']).toBe(15);
    expect(resource(core, 'OrderManagerFunction').properties['Environment']).toEqual({
      Variables: {
        BUS_NAME: 'Serverlesspresso',
        SOURCE: 'awsserverlessda.serverlesspresso',
        ORDER_TABLE: 'presso-orders',
        MAX_ORDERS: '1',
      },
    });
  });

  it('keeps the esbuild build metadata', () => {
    expect(resource(core, 'OrderManagerFunction').metadata).toEqual({
      BuildMethod: 'esbuild',
      BuildProperties: { Minify: true, Target: 'es2022', EntryPoints: ['src/order-manager.ts'] },
    });
    expect(resource(core, 'OrderStreamFunction').metadata).toEqual({ BuildMethod: 'esbuild' });
  });

  it('normalises EventBridgeRule events into rules on the bus', () => {
    const fn = resource(core, 'OrderManagerFunction');
    const waiting = event<SamRuleEvent>(fn, 'WaitingCompletion');
    expect(waiting).toMatchObject({
      kind: 'rule',
      type: 'EventBridgeRule',
      ruleLogicalId: 'OrderManagerFunctionWaitingCompletion',
      eventBusName: 'Serverlesspresso',
      pattern: { source: ['awsserverlessda.serverlesspresso'], 'detail-type': ['OrderProcessor.WaitingCompletion'] },
      state: 'ENABLED',
      targetId: 'OrderManagerFunctionWaitingCompletionLambdaTarget',
    });
    expect(waiting.ruleName).toMatch(/^presso-OrderManagerFunctionWaitingCompletion-[A-Z0-9]{12}$/);
    expect(event<SamRuleEvent>(fn, 'MakeOrder')).toMatchObject({
      ruleName: 'presso-make-order',
      targetId: 'OrderManagerTarget',
    });
  });

  it('normalises the DynamoDB stream event and names its table', () => {
    const stream = event<SamDynamoDbEvent>(resource(core, 'OrderStreamFunction'), 'Stream');
    expect(stream).toMatchObject({
      kind: 'dynamodb',
      mappingLogicalId: 'OrderStreamFunctionStream',
      table: 'OrderTable',
      startingPosition: 'LATEST',
      batchSize: 10,
      enabled: true,
      filterCriteria: { Filters: [{ Pattern: '{"eventName": ["MODIFY"]}' }] },
    });
    expect(stream.stream).toMatch(
      /^arn:aws:dynamodb:us-east-1:123456789012:table\/presso-orders\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/,
    );
  });

  it('normalises HttpApi routes, creating the implicit ServerlessHttpApi for an event without ApiId', () => {
    const fn = resource(core, 'ConfigFunction');
    expect(event<SamApiEvent>(fn, 'GetConfig')).toMatchObject({
      kind: 'httpApi',
      api: 'CoreApi',
      path: '/config',
      method: 'GET',
      payloadFormatVersion: '2.0',
    });
    expect(event<SamApiEvent>(fn, 'Fallback')).toMatchObject({
      kind: 'httpApi',
      api: 'ServerlessHttpApi',
      path: '$default',
      method: 'ANY',
    });
    const implicit = resource(core, 'ServerlessHttpApi');
    expect(implicit).toMatchObject({ type: 'AWS::Serverless::HttpApi', implicit: true, properties: {} });
    expect(implicit.physicalId).toMatch(/^[a-z0-9]{10}$/);
    expect(fn.dependsOn).toEqual(['ServerlessHttpApi', 'ConfigTable', 'CoreApi']);
  });

  it('resolves the state machine: ARN as Ref, DefinitionSubstitutions, events', () => {
    const machine = resource(core, 'OrderProcessorStateMachine');
    expect(machine.physicalId).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:presso-OrderProcessor');
    expect(machine.properties['DefinitionSubstitutions']).toEqual({
      OrderTable: 'presso-orders',
      CountingTable: resource(core, 'CountingTable').physicalId,
      BusName: 'Serverlesspresso',
      Source: 'awsserverlessda.serverlesspresso',
      ConfigFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${resource(core, 'ConfigFunction').physicalId}`,
    });
    expect(event<SamRuleEvent>(machine, 'NewOrder')).toMatchObject({
      kind: 'rule',
      targetId: 'OrderProcessorStateMachineNewOrderStepFunctionsTarget',
    });
    expect(event<SamRuleEvent>(machine, 'Nightly')).toMatchObject({
      kind: 'rule',
      type: 'Schedule',
      scheduleExpression: 'cron(0 3 * * ? *)',
      eventBusName: 'default',
      state: 'DISABLED',
    });
  });

  it('keeps SAM policies resolved: templates, documents and managed policies', () => {
    expect(resource(core, 'OrderManagerFunction').sam?.policies).toEqual([
      { kind: 'template', template: 'DynamoDBCrudPolicy', parameters: { TableName: 'presso-orders' } },
      { kind: 'template', template: 'EventBridgePutEventsPolicy', parameters: { EventBusName: 'Serverlesspresso' } },
      {
        kind: 'document',
        document: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'states:SendTaskSuccess',
              Resource: resource(core, 'OrderProcessorStateMachine').physicalId,
            },
          ],
        },
      },
    ]);
    expect(resource(core, 'ConfigFunction').sam?.policies).toEqual([
      { kind: 'managed', policy: 'AWSXRayDaemonWriteAccess' },
    ]);
    expect(resource(core, 'OrderProcessorStateMachine').sam?.policies).toContainEqual({
      kind: 'template',
      template: 'LambdaInvokePolicy',
      parameters: { FunctionName: resource(core, 'ConfigFunction').physicalId },
    });
  });

  it('orders resources so each comes after what it depends on; deletion is the reverse', () => {
    const position = new Map(core.resources.map((r, i) => [r.logicalId, i]));
    for (const r of core.resources) {
      for (const dependency of r.dependsOn)
        expect(position.get(dependency)).toBeLessThan(position.get(r.logicalId) as number);
    }
    expect(resource(core, 'OrderManagerFunction').dependsOn).toEqual([
      'CoreEventBus',
      'OrderTable',
      'OrderProcessorStateMachine',
    ]);
    expect(core.resources.map((r) => r.logicalId)).toEqual([
      'ServerlessHttpApi',
      'CoreEventBus',
      'OrderTable',
      'CountingTable',
      'ConfigTable',
      'OrderStreamFunction',
      'CoreApi',
      'ConfigFunction',
      'OrderProcessorStateMachine',
      'OrderManagerFunction',
    ]);
    expect(deletionOrder(core).map((r) => r.logicalId)).toEqual(core.resources.map((r) => r.logicalId).reverse());
  });

  it('resolves outputs, with export names, leaving out outputs whose condition is false', () => {
    expect(core.outputs['EventBusName']).toEqual({ value: 'Serverlesspresso', exportName: 'presso-EventBusName' });
    expect(core.outputs['StateMachineArn']).toEqual({
      value: resource(core, 'OrderProcessorStateMachine').physicalId,
      description: 'The order processor',
    });
    expect(core.outputs['ApiUrl']?.value).toBe(
      `https://${resource(core, 'CoreApi').physicalId}.execute-api.us-east-1.amazonaws.com`,
    );
    expect(core.outputs['DefaultApiUrl']?.value).toBe(
      `https://${resource(core, 'ServerlessHttpApi').physicalId}.execute-api.us-east-1.amazonaws.com`,
    );
    expect(core.outputs['OrderTableStreamArn']?.value).toBe(
      event<SamDynamoDbEvent>(resource(core, 'OrderStreamFunction'), 'Stream').stream,
    );
    expect(core.outputs).not.toHaveProperty('ProdOnly');
  });

  it('applies parameter overrides, and conditions follow them', () => {
    const prod = loadCore({ parameterOverrides: { Stage: 'prod', BusName: 'Presso' } });
    expect(prod.conditions).toEqual({ IsProd: true });
    expect(resource(prod, 'CoreEventBus').physicalId).toBe('Presso');
    expect(resource(prod, 'OrderTable').deletionPolicy).toBe('Retain');
    expect(resource(prod, 'OrderTable').properties['PointInTimeRecoverySpecification']).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(resource(prod, 'OrderProcessorStateMachine').sam?.policies[0]).toEqual({
      kind: 'template',
      template: 'EventBridgePutEventsPolicy',
      parameters: { EventBusName: 'Presso' },
    });
    expect(prod.outputs['ProdOnly']).toEqual({ value: 'only in prod', condition: 'IsProd' });
  });

  it('asks an injected resolver for Ref and Fn::GetAtt, passing resolved properties', () => {
    const seen: string[] = [];
    const resolver: ResourceRefResolver = {
      ref: (logicalId, r) => {
        seen.push(`${logicalId}:${r.type}`);
        return r.type === 'AWS::DynamoDB::Table'
          ? `local-${String(r.properties['TableName'] ?? logicalId)}`
          : `local-${logicalId}`;
      },
      getAtt: (logicalId, attribute) => `local/${logicalId}/${attribute}/x`,
    };
    const local = loadCore({ resolver });
    expect(resource(local, 'OrderTable').physicalId).toBe('local-presso-orders');
    expect(resource(local, 'CountingTable').physicalId).toBe('local-CountingTable');
    expect(resource(local, 'OrderManagerFunction').properties['Environment']).toMatchObject({
      Variables: { ORDER_TABLE: 'local-presso-orders' },
    });
    expect(event<SamDynamoDbEvent>(resource(local, 'OrderStreamFunction'), 'Stream').stream).toBe(
      'local/OrderTable/StreamArn/x',
    );
    expect(local.outputs['DefaultApiUrl']?.value).toBe('local/ServerlessHttpApi/ApiEndpoint/x');
    expect(seen).toContain('OrderTable:AWS::DynamoDB::Table');
    expect(new Set(seen).size).toBe(local.resources.length);
  });
});

describe('a plain CloudFormation JSON template', () => {
  const plain = loadTemplate(fixture('plain.json'), STACK);

  it('resolves long-form intrinsics', () => {
    expect(resource(plain, 'Handler').properties).toMatchObject({
      FunctionName: 'presso-handler',
      Role: `arn:aws:iam::123456789012:role/service/${resource(plain, 'Role').physicalId}`,
      DeadLetterConfig: {
        TargetArn: expect.stringMatching(/^arn:aws:sqs:us-east-1:123456789012:presso-DeadLetters-[A-Z0-9]{12}$/),
      },
    });
    expect(resource(plain, 'Machine').properties['DefinitionString']).toBe(
      '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:presso-handler","End":true}}}',
    );
  });

  it('gives a rule on a custom bus the Ref `<bus>|<rule>` and one on the default bus its name', () => {
    expect(plain.outputs['RuleRef']?.value).toMatch(/^Serverlesspresso\|presso-Rule-[A-Z0-9]{12}$/);
    expect(plain.outputs['DefaultBusRuleRef']?.value).toBe('nightly');
    expect(resource(plain, 'Permission').properties['SourceArn']).toMatch(
      /^arn:aws:events:us-east-1:123456789012:rule\/Serverlesspresso\/presso-Rule-[A-Z0-9]{12}$/,
    );
  });

  it('returns queue URLs for Ref and keeps .fifo on generated FIFO queue names', () => {
    expect(plain.outputs['QueueUrl']?.value).toMatch(
      /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/presso-DeadLetters-[A-Z0-9]{12}$/,
    );
    expect(plain.outputs['FifoName']?.value).toMatch(/^presso-Orders-[A-Z0-9]{12}\.fifo$/);
  });

  it('counts DependsOn and references as dependencies', () => {
    expect(resource(plain, 'Permission').dependsOn).toEqual(['Handler', 'Rule', 'DefaultBusRule']);
    expect(resource(plain, 'Rule').dependsOn).toEqual(['Bus', 'Handler']);
    expect(plain.outputs['MachineName']?.value).toMatch(/^Machine-[A-Za-z0-9]{12}$/);
    expect(plain.outputs['DevOnly']).toEqual({ value: 'dev', condition: 'IsDev', exportName: 'dev-flag' });
  });
});

describe('resolveTemplate', () => {
  it('resolves a template already in memory, naming the file it came from in messages', () => {
    const template = parseTemplateText(
      'Resources:\n  Bus:\n    Type: AWS::Events::EventBus\n    Properties: { Name: !Ref AWS::StackName }\n',
      'inline.yaml',
    );
    const loaded = resolveTemplate(template, 'inline.yaml', STACK);
    expect(loaded).toMatchObject({
      file: 'inline.yaml',
      stackName: 'presso',
      outputs: {},
      parameters: {},
      conditions: {},
    });
    expect(loaded.resources).toEqual([
      {
        logicalId: 'Bus',
        type: 'AWS::Events::EventBus',
        properties: { Name: 'presso' },
        dependsOn: [],
        physicalId: 'presso',
      },
    ]);
  });
});

// Step Functions Task states that call DynamoDB, through the Step Functions API with the SDK:
// the optimized integration (dynamodb:getItem|putItem|updateItem|deleteItem, errors
// "DynamoDB.<Code>") and the AWS SDK integration (aws-sdk:dynamodb:<action>, errors
// "DynamoDb.<Code>Exception"), both against DynamoDB Local behind the local cloud.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let sfn: SFNClient;
let ddb: DynamoDBClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  const config = {
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  };
  sfn = new SFNClient(config);
  ddb = new DynamoDBClient(config);
  await ddb.send(
    new CreateTableCommand({
      TableName: 'Counters',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
    }),
  );
});

afterAll(async () => {
  sfn.destroy();
  ddb.destroy();
  await cloud.close();
});

async function run(name: string, definition: object, input: object = {}) {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::000000000000:role/sfn',
    }),
  );
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  await cloud.states.engine.waitForExecution(executionArn!);
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return {
    ...execution,
    outputJson: execution.output ? (JSON.parse(execution.output) as Record<string, unknown>) : undefined,
  };
}

describe('optimized DynamoDB integration', () => {
  it('puts, updates, gets and deletes an item', async () => {
    const result = await run(
      'Crud',
      {
        StartAt: 'Put',
        States: {
          Put: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:putItem',
            Parameters: { TableName: 'Counters', Item: { PK: { 'S.$': '$.event' }, n: { N: '0' } } },
            ResultPath: null,
            Next: 'Update',
          },
          Update: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:updateItem',
            ResultPath: '$.updated',
            Next: 'Get',
            Parameters: {
              TableName: 'Counters',
              Key: { PK: { 'S.$': '$.event' } },
              UpdateExpression: 'SET n = n + :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
              ReturnValues: 'UPDATED_NEW',
            },
          },
          Get: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:getItem',
            Parameters: { TableName: 'Counters', Key: { PK: { 'S.$': '$.event' } } },
            ResultPath: '$.got',
            Next: 'Delete',
          },
          Delete: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:deleteItem',
            Parameters: { TableName: 'Counters', Key: { PK: { 'S.$': '$.event' } }, ReturnValues: 'ALL_OLD' },
            ResultPath: '$.deleted',
            End: true,
          },
        },
      },
      { event: 'NYC' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.outputJson).toEqual({
      event: 'NYC',
      updated: { Attributes: { n: { N: '1' } } },
      got: { Item: { PK: { S: 'NYC' }, n: { N: '1' } } },
      deleted: { Attributes: { PK: { S: 'NYC' }, n: { N: '1' } } },
    });
  });

  it('names errors DynamoDB.<Code>, so Catch can route a failed condition', async () => {
    const result = await run('Conditional', {
      StartAt: 'Claim',
      States: {
        Claim: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Next: 'Claimed',
          Parameters: {
            TableName: 'Counters',
            Item: { PK: { S: 'lock' } },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
          Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.error', Next: 'Taken' }],
        },
        Claimed: { Type: 'Pass', Result: 'claimed', ResultPath: '$.outcome', Next: 'Claim' },
        Taken: { Type: 'Pass', End: true },
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    const error = result.outputJson as { outcome: string; error: { Error: string; Cause: string } };
    expect(error.outcome).toBe('claimed');
    expect(error.error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(error.error.Cause).toMatch(
      /^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException/,
    );
  });

  it('fails the execution with DynamoDB.ResourceNotFoundException for a missing table', async () => {
    const result = await run('Missing', {
      StartAt: 'Get',
      States: {
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:getItem',
          Parameters: { TableName: 'Nope', Key: { PK: { S: 'a' } } },
          End: true,
        },
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DynamoDB.ResourceNotFoundException');
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: result.executionArn }));
    expect(
      history.events!.some(
        (e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'DynamoDB.ResourceNotFoundException',
      ),
    ).toBe(true);
  });

  it('refuses a pattern the optimized integration does not have when the state machine is created, as AWS does', async () => {
    for (const resource of [
      'arn:aws:states:::dynamodb:getItem.sync',
      'arn:aws:states:::dynamodb:putItem.waitForTaskToken',
    ]) {
      await expect(
        run('Sync', {
          StartAt: 'Get',
          States: {
            Get: {
              Type: 'Task',
              Resource: resource,
              Parameters: { TableName: 'Counters', Key: { PK: { S: 'a' } } },
              End: true,
            },
          },
        }),
      ).rejects.toMatchObject({
        name: 'InvalidDefinition',
        message: expect.stringContaining(
          `'SCHEMA_VALIDATION_FAILED: The resource provided ${resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region. at /States/Get/Resource' (dynamodb:`,
        ),
      });
    }
  });
});

describe('AWS SDK DynamoDB integration', () => {
  it('calls any action (query, transactWriteItems, describeTable) with the API as is', async () => {
    const result = await run('Sdk', {
      StartAt: 'Write',
      States: {
        Write: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
          ResultPath: null,
          Next: 'Query',
          Parameters: {
            TransactItems: [
              { Put: { TableName: 'Counters', Item: { PK: { S: 'a' } } } },
              { Put: { TableName: 'Counters', Item: { PK: { S: 'b' } } } },
            ],
          },
        },
        Query: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
          ResultSelector: { 'Count.$': '$.Count' },
          ResultPath: '$.query',
          Next: 'Describe',
          Parameters: {
            TableName: 'Counters',
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'a' } },
          },
        },
        Describe: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:describeTable',
          Parameters: { TableName: 'Counters' },
          ResultSelector: { 'Arn.$': '$.Table.TableArn' },
          ResultPath: '$.table',
          End: true,
        },
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.outputJson).toEqual({
      query: { Count: 1 },
      table: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Counters' },
    });
  });

  it('names errors DynamoDb.<Code>Exception', async () => {
    const result = await run('SdkErrors', {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem',
          End: true,
          Parameters: {
            TableName: 'Counters',
            Item: { PK: { S: 'a' } },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
          Catch: [
            { ErrorEquals: ['DynamoDb.ConditionalCheckFailedException'], ResultPath: '$.error', Next: 'Missing' },
          ],
        },
        Missing: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
          Parameters: { TableName: 'Nope', Key: { PK: { S: 'a' } } },
          End: true,
        },
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DynamoDb.ResourceNotFoundException');
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: result.executionArn }));
    const failed = history.events!.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error);
    expect(failed).toEqual(['DynamoDb.ConditionalCheckFailedException', 'DynamoDb.ResourceNotFoundException']);
  });
});

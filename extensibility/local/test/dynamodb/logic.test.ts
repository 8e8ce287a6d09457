// The pure parts of DynamoDB on the local cloud: table resources to CreateTable/UpdateTable
// calls, mapping properties to a poller's settings, ARN rewriting, Lambda's record shape.
import { describe, expect, it } from '@jest/globals';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { DynamoArns, ENGINE_ARN_PREFIX } from '../../src/services/dynamodb/arns.js';
import { lambdaRecord, reportedFailures, type StreamRecord } from '../../src/services/dynamodb/stream-pollers.js';
import { PropertyError, replacementReason, tableSpec, tableUpdates } from '../../src/stacks/resources/tables.js';
import { streamMappingSpec } from '../../src/stacks/resources/stream-mappings.js';

const key = (name: string, type: 'HASH' | 'RANGE' = 'HASH') => ({ AttributeName: name, KeyType: type });
const attr = (name: string, type = 'S') => ({ AttributeName: name, AttributeType: type });
const base = { AttributeDefinitions: [attr('PK'), attr('G')], KeySchema: [key('PK')], BillingMode: 'PAY_PER_REQUEST' };
const gsi = (name: string, hash = 'G') => ({
  IndexName: name,
  KeySchema: [key(hash)],
  Projection: { ProjectionType: 'ALL' },
});

function propertyError(f: () => unknown): { property: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof PropertyError) return { property: e.property, message: e.message };
    throw e;
  }
  throw new Error('no PropertyError');
}

describe('tableSpec', () => {
  it('maps a CloudFormation table: keys, indexes, stream, TTL; throughput only when provisioned', () => {
    const spec = tableSpec('AWS::DynamoDB::Table', 't1', {
      ...base,
      GlobalSecondaryIndexes: [gsi('by-g')],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'exp', Enabled: true },
    });
    expect(spec).toEqual({
      customName: false,
      ttlAttribute: 'exp',
      create: {
        TableName: 't1',
        KeySchema: [key('PK')],
        AttributeDefinitions: [attr('PK'), attr('G')],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [gsi('by-g')],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      },
    });
    const provisioned = tableSpec('AWS::DynamoDB::Table', 't2', {
      ...base,
      TableName: 't2',
      BillingMode: undefined,
      ProvisionedThroughput: { ReadCapacityUnits: '2', WriteCapacityUnits: 3 },
    });
    expect(provisioned.customName).toBe(true);
    expect(provisioned.create).toMatchObject({
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
    });
  });

  it('maps a SAM simple table, on demand unless ProvisionedThroughput is given', () => {
    expect(tableSpec('AWS::Serverless::SimpleTable', 's', {}).create).toEqual({
      TableName: 's',
      KeySchema: [key('id')],
      AttributeDefinitions: [attr('id')],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(
      tableSpec('AWS::Serverless::SimpleTable', 's', {
        PrimaryKey: { Name: 'n', Type: 'Number' },
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }).create,
    ).toMatchObject({ AttributeDefinitions: [attr('n', 'N')], BillingMode: 'PROVISIONED' });
  });

  it('names the property that is wrong', () => {
    expect(propertyError(() => tableSpec('AWS::DynamoDB::Table', 't', { ...base, KeySchema: undefined }))).toEqual({
      property: 'KeySchema',
      message: 'must list one HASH key and optionally one RANGE key',
    });
    expect(
      propertyError(() =>
        tableSpec('AWS::DynamoDB::Table', 't', {
          ...base,
          GlobalSecondaryIndexes: [{ IndexName: 'x', KeySchema: [key('G')] }],
        }),
      ).property,
    ).toBe('GlobalSecondaryIndexes[0].Projection');
    expect(
      propertyError(() =>
        tableSpec('AWS::DynamoDB::Table', 't', { ...base, StreamSpecification: { StreamViewType: 'ALL' } }),
      ).property,
    ).toBe('StreamSpecification.StreamViewType');
    expect(
      propertyError(() =>
        tableSpec('AWS::DynamoDB::Table', 't', { ...base, TimeToLiveSpecification: { Enabled: true } }),
      ).property,
    ).toBe('TimeToLiveSpecification.AttributeName');
    expect(propertyError(() => tableSpec('AWS::DynamoDB::Table', 't', { ...base, BillingMode: 'FREE' })).property).toBe(
      'BillingMode',
    );
    expect(
      propertyError(() => tableSpec('AWS::Serverless::SimpleTable', 't', { PrimaryKey: { Name: 'id', Type: 'Text' } }))
        .property,
    ).toBe('PrimaryKey.Type');
  });
});

describe('updating a table in place', () => {
  const current = (extra: Partial<TableDescription> = {}): TableDescription =>
    ({
      TableName: 't',
      KeySchema: [key('PK')],
      AttributeDefinitions: [attr('PK'), attr('G')],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      GlobalSecondaryIndexes: [{ ...gsi('old'), IndexStatus: 'ACTIVE' }],
      ...extra,
    }) as TableDescription;
  const wanted = (extra: Record<string, unknown> = {}) =>
    tableSpec('AWS::DynamoDB::Table', 't', { ...base, ...extra }).create;

  it('needs no call when nothing changed', () => {
    expect(tableUpdates(current(), wanted({ GlobalSecondaryIndexes: [gsi('old')] }))).toEqual([]);
  });

  it('deletes, then creates indexes one per call, and swaps a stream whose view type changed', () => {
    const updates = tableUpdates(
      current({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }),
      wanted({
        GlobalSecondaryIndexes: [gsi('new1'), gsi('new2', 'PK')],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      }),
    );
    expect(
      updates.map((u) =>
        u.GlobalSecondaryIndexUpdates?.[0]
          ? Object.keys(u.GlobalSecondaryIndexUpdates[0])[0] +
            ' ' +
            Object.values(u.GlobalSecondaryIndexUpdates[0])[0]!.IndexName
          : JSON.stringify(u.StreamSpecification),
      ),
    ).toEqual([
      'Delete old',
      'Create new1',
      'Create new2',
      '{"StreamEnabled":false}',
      '{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}',
    ]);
  });

  it('re-creates an index whose keys changed, and changes billing with the kept indexes', () => {
    const updates = tableUpdates(
      current(),
      wanted({
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        GlobalSecondaryIndexes: [
          { ...gsi('old', 'PK'), ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
        ],
      }),
    );
    expect(updates[0]).toEqual({ TableName: 't', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'old' } }] });
    expect(updates[1]).toEqual({
      TableName: 't',
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    expect(updates[2]!.GlobalSecondaryIndexUpdates![0]!.Create!.KeySchema).toEqual([key('PK')]);
  });

  it('says when only a new table will do', () => {
    expect(replacementReason(current(), wanted())).toBeUndefined();
    expect(replacementReason(current(), wanted({ KeySchema: [key('PK'), key('G', 'RANGE')] }))).toBe(
      'its KeySchema changed',
    );
    expect(replacementReason(current(), wanted({ AttributeDefinitions: [attr('PK', 'N')] }))).toBe(
      'the type of key attribute PK changed',
    );
    expect(
      replacementReason(
        current(),
        wanted({
          LocalSecondaryIndexes: [
            { IndexName: 'l', KeySchema: [key('PK'), key('G', 'RANGE')], Projection: { ProjectionType: 'ALL' } },
          ],
        }),
      ),
    ).toBe('its LocalSecondaryIndexes changed');
  });
});

describe('streamMappingSpec', () => {
  const stream = 'arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2024-01-01T00:00:00.000';

  it("takes AWS's defaults", () => {
    expect(streamMappingSpec({ EventSourceArn: stream, StartingPosition: 'LATEST' }, 'u', 'arn:fn')).toEqual({
      uuid: 'u',
      functionArn: 'arn:fn',
      streamArn: stream,
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      reportBatchItemFailures: false,
      filters: [],
    });
  });

  it('checks ranges, positions, response types and filters as CreateEventSourceMapping does', () => {
    const spec = (p: Record<string, unknown>) =>
      streamMappingSpec({ EventSourceArn: stream, StartingPosition: 'TRIM_HORIZON', ...p }, 'u', 'arn:fn');
    expect(propertyError(() => spec({ BatchSize: 0 }))).toEqual({
      property: 'BatchSize',
      message: 'must be an integer from 1 to 10000, got 0',
    });
    expect(propertyError(() => spec({ MaximumRecordAgeInSeconds: 30 }))).toEqual({
      property: 'MaximumRecordAgeInSeconds',
      message: 'must be an integer -1, or from 60 to 604800, got 30',
    });
    expect(propertyError(() => spec({ StartingPosition: 'AT_TIMESTAMP' })).property).toBe('StartingPosition');
    expect(propertyError(() => spec({ FunctionResponseTypes: ['Everything'] })).property).toBe('FunctionResponseTypes');
    expect(propertyError(() => spec({ FilterCriteria: { Filters: [{ Pattern: '{"eventName":"INSERT"}' }] } }))).toEqual(
      {
        property: 'FilterCriteria.Filters[0].Pattern',
        message: expect.stringMatching(/^Invalid filter pattern definition\. Reason: /),
      },
    );
    const filtered = spec({
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: '2',
    });
    expect(filtered.filters[0]!.matches({ eventName: 'INSERT' })).toBe(true);
    expect(filtered.filters[0]!.matches({ eventName: 'REMOVE' })).toBe(false);
    expect(filtered).toMatchObject({ reportBatchItemFailures: true, maximumRetryAttempts: 2 });
  });
});

describe('ARNs between DynamoDB Local and clients', () => {
  const arns = new DynamoArns({ region: 'eu-west-1', accountId: '123456789012' });
  const engineStream = `${ENGINE_ARN_PREFIX}table/T/stream/2026-01-01T10:00:00.000`;
  const templateStream = 'arn:aws:dynamodb:eu-west-1:123456789012:table/T/stream/2024-05-05T00:00:00.000';

  it('rewrites ARNs, shard iterators and stream labels both ways, with the template alias', () => {
    arns.aliasStream(engineStream, templateStream);
    const out = arns.responseToClient({
      Table: {
        TableArn: `${ENGINE_ARN_PREFIX}table/T`,
        LatestStreamArn: engineStream,
        LatestStreamLabel: '2026-01-01T10:00:00.000',
      },
      ShardIterator: `${engineStream}|001|abc`,
      Records: [{ awsRegion: 'ddblocal', dynamodb: { Keys: { k: { S: 'ddblocal' } } } }],
    });
    expect(out).toEqual({
      Table: {
        TableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T',
        LatestStreamArn: templateStream,
        LatestStreamLabel: '2024-05-05T00:00:00.000',
      },
      ShardIterator: `${templateStream}|001|abc`,
      Records: [{ awsRegion: 'eu-west-1', dynamodb: { Keys: { k: { S: 'ddblocal' } } } }],
    });
    expect(
      arns.requestToEngine({
        StreamArn: templateStream,
        ShardIterator: `${templateStream}|001|abc`,
        TableName: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T',
      }),
    ).toEqual({
      StreamArn: engineStream,
      ShardIterator: `${engineStream}|001|abc`,
      TableName: `${ENGINE_ARN_PREFIX}table/T`,
    });
  });

  it('forgets a deleted table’s alias', () => {
    arns.forgetTable('T');
    expect(arns.toClient(engineStream)).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/T/stream/2026-01-01T10:00:00.000',
    );
  });
});

describe("Lambda's record shape", () => {
  const record: StreamRecord = {
    eventID: 'e1',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1700000000,
      Keys: { id: { S: 'a' } },
      SequenceNumber: '100',
      SizeBytes: 5,
      StreamViewType: 'KEYS_ONLY',
    },
  };

  it('adds eventSourceARN to the stream record', () => {
    expect(lambdaRecord(record, 'arn:s')).toEqual({ ...record, eventSourceARN: 'arn:s' });
  });

  it('reads a partial batch response', () => {
    expect(reportedFailures({ batchItemFailures: [] })).toBeUndefined();
    expect(reportedFailures(null)).toBeUndefined();
    expect(reportedFailures({ batchItemFailures: [{ itemIdentifier: '100' }, {}] })).toEqual(['100', '']);
  });
});

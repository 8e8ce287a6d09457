// DynamoDB and DynamoDB Streams through the edge, with the SDK clients apps use: DynamoDB Local
// behind one endpoint, AWS's ARNs for our account and region, AWS's errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { crc32 } from 'node:zlib';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  DeleteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let streams: DynamoDBStreamsClient;
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  ddb = new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
  doc = DynamoDBDocumentClient.from(ddb);
  streams = new DynamoDBStreamsClient({ endpoint: cloud.url, region: 'us-east-1', credentials });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'Orders',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'state', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-state',
          KeySchema: [
            { AttributeName: 'state', KeyType: 'HASH' },
            { AttributeName: 'SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
});

afterAll(async () => {
  ddb.destroy();
  streams.destroy();
  await cloud.close();
});

describe('DynamoDB through the edge', () => {
  it('puts, gets, updates, queries an index and deletes items with the document client', async () => {
    await doc.send(
      new PutCommand({
        TableName: 'Orders',
        Item: { PK: 'NYC', SK: 'o-1', state: 'OPEN', drink: 'latte', sizes: new Set(['S', 'M']) },
      }),
    );
    await doc.send(
      new PutCommand({ TableName: 'Orders', Item: { PK: 'NYC', SK: 'o-2', state: 'OPEN', drink: 'mocha' } }),
    );
    expect((await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'NYC', SK: 'o-1' } }))).Item).toEqual({
      PK: 'NYC',
      SK: 'o-1',
      state: 'OPEN',
      drink: 'latte',
      sizes: new Set(['S', 'M']),
    });
    const updated = await doc.send(
      new UpdateCommand({
        TableName: 'Orders',
        Key: { PK: 'NYC', SK: 'o-1' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'DONE' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toMatchObject({ state: 'DONE' });
    const open = await doc.send(
      new QueryCommand({
        TableName: 'Orders',
        IndexName: 'by-state',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'OPEN' },
      }),
    );
    expect(open.Items!.map((i) => i.SK)).toEqual(['o-2']);
    await doc.send(new DeleteCommand({ TableName: 'Orders', Key: { PK: 'NYC', SK: 'o-2' } }));
    expect(
      (await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'NYC', SK: 'o-2' } }))).Item,
    ).toBeUndefined();
  });

  it('counts what it sends to DynamoDB Local, and the writes each table had, and the edge its requests', async () => {
    const before = cloud.dynamodb.stats();
    const writes = cloud.dynamodb.writesTo('Orders');
    const otherWrites = cloud.dynamodb.writesTo('Other');
    const edgeBefore = cloud.edge.requests()['DynamoDB_20120810.PutItem'] ?? 0;
    await doc.send(new PutCommand({ TableName: 'Orders', Item: { PK: 'CNT', SK: 'c-1' } }));
    await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'CNT', SK: 'c-1' } }));
    await cloud.dynamodb.call('DynamoDB_20120810', 'UpdateItem', {
      TableName: cloud.dynamodb.arns.tableArn('Orders'),
      Key: { PK: { S: 'CNT' }, SK: { S: 'c-1' } },
      UpdateExpression: 'SET n = :n',
      ExpressionAttributeValues: { ':n': { N: '1' } },
    });
    const after = cloud.dynamodb.stats();
    expect((after.edge.PutItem ?? 0) - (before.edge.PutItem ?? 0)).toBe(1);
    expect((after.edge.GetItem ?? 0) - (before.edge.GetItem ?? 0)).toBe(1);
    expect((after.internal.UpdateItem ?? 0) - (before.internal.UpdateItem ?? 0)).toBe(1);
    // Two writes to Orders (by name and by ARN), none to any other table; the read is no write.
    expect(cloud.dynamodb.writesTo('Orders') - writes).toBe(2);
    expect(cloud.dynamodb.writesTo('Other')).toBe(otherWrites);
    expect(cloud.edge.requests()['DynamoDB_20120810.PutItem']).toBe(edgeBefore + 1);
  });

  it('asks DynamoDB Local for the capacity each item operation consumed, per table, and answers a client as it asked', async () => {
    const before = cloud.dynamodb.consumedCapacity().Orders ?? { readRequestUnits: 0, writeRequestUnits: 0 };
    // 2.5 KB: three write units; a strongly consistent read of it one read unit, an eventually consistent one half.
    const big = 'x'.repeat(2500);
    const put = await doc.send(new PutCommand({ TableName: 'Orders', Item: { PK: 'CAP', SK: 'c-1', big } }));
    expect(put.ConsumedCapacity).toBeUndefined();
    const get = await doc.send(
      new GetCommand({ TableName: 'Orders', Key: { PK: 'CAP', SK: 'c-1' }, ReturnConsumedCapacity: 'TOTAL' }),
    );
    expect(get.ConsumedCapacity).toMatchObject({ TableName: 'Orders', CapacityUnits: 0.5 });
    await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'CAP', SK: 'c-1' }, ConsistentRead: true }));
    await cloud.dynamodb.call('DynamoDB_20120810', 'DeleteItem', {
      TableName: cloud.dynamodb.arns.tableArn('Orders'),
      Key: { PK: { S: 'CAP' }, SK: { S: 'c-1' } },
    });
    // A transaction's writes bill twice: two 1 KB puts, four write units.
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'Orders', Item: { PK: 'CAP', SK: 't-1' } } },
          { Put: { TableName: 'Orders', Item: { PK: 'CAP', SK: 't-2' } } },
        ],
      }),
    );
    const after = cloud.dynamodb.consumedCapacity().Orders!;
    expect(after.writeRequestUnits - before.writeRequestUnits).toBe(10);
    expect(after.readRequestUnits - before.readRequestUnits).toBe(1.5);
  });

  it('surfaces a failed condition as ConditionalCheckFailedException', async () => {
    const put = new PutCommand({
      TableName: 'Orders',
      Item: { PK: 'NYC', SK: 'o-1' },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    await expect(doc.send(put)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('runs transactions, and cancels one whose condition fails with the reasons', async () => {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'Orders', Item: { PK: 'SEA', SK: 'o-10', state: 'OPEN' } } },
          {
            Update: {
              TableName: 'Orders',
              Key: { PK: 'NYC', SK: 'o-1' },
              UpdateExpression: 'SET n = :n',
              ExpressionAttributeValues: { ':n': 1 },
            },
          },
        ],
      }),
    );
    expect(
      (await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'SEA', SK: 'o-10' } }))).Item,
    ).toBeDefined();
    const failing = new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: 'Orders', Item: { PK: 'SEA', SK: 'o-11' } } },
        {
          ConditionCheck: {
            TableName: 'Orders',
            Key: { PK: 'NYC', SK: 'o-1' },
            ConditionExpression: 'n = :two',
            ExpressionAttributeValues: { ':two': 2 },
          },
        },
      ],
    });
    await expect(doc.send(failing)).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect(
      (await doc.send(new GetCommand({ TableName: 'Orders', Key: { PK: 'SEA', SK: 'o-11' } }))).Item,
    ).toBeUndefined();
  });

  it("answers with AWS's ARNs for our account and region, and takes them back", async () => {
    const table = (await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!;
    expect(table.TableArn).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/Orders');
    expect(table.GlobalSecondaryIndexes![0]!.IndexArn).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/Orders/index/by-state',
    );
    expect(table.LatestStreamArn).toBe(
      `arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/${table.LatestStreamLabel}`,
    );
    expect((await ddb.send(new DescribeTableCommand({ TableName: table.TableArn }))).Table!.TableName).toBe('Orders');
    expect(
      (await doc.send(new GetCommand({ TableName: table.TableArn, Key: { PK: 'SEA', SK: 'o-10' } }))).Item,
    ).toMatchObject({ state: 'OPEN' });
  });

  it('is one database for every region and credentials', async () => {
    const other = new DynamoDBClient({
      endpoint: cloud.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    expect((await other.send(new ListTablesCommand({}))).TableNames).toContain('Orders');
    other.destroy();
  });

  it('keeps the checksum of a rewritten answer right (the aws CLI checks it)', async () => {
    const res = await fetch(cloud.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
        'content-type': 'application/x-amz-json-1.0',
        authorization:
          'AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify({ TableName: 'Orders' }),
    });
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.toString()).toContain('arn:aws:dynamodb:us-east-1:000000000000:table/Orders');
    expect(res.headers.get('x-amz-crc32')).toBe(String(crc32(body)));
  });

  it('answers an unknown table with ResourceNotFoundException', async () => {
    await expect(doc.send(new GetCommand({ TableName: 'Nope', Key: { PK: 'a' } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('DynamoDB Streams through the edge', () => {
  it('lists, describes and reads the stream with ARNs and region as in AWS', async () => {
    const listed = (await streams.send(new ListStreamsCommand({ TableName: 'Orders' }))).Streams!;
    expect(listed).toHaveLength(1);
    const streamArn = listed[0]!.StreamArn!;
    expect(streamArn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/Orders\/stream\//);
    const description = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!;
    expect(description).toMatchObject({
      StreamArn: streamArn,
      StreamStatus: 'ENABLED',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      TableName: 'Orders',
    });
    const shard = description.Shards![0]!;
    const iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator!;
    expect(iterator.startsWith(streamArn)).toBe(true);
    const read = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    const first = read.Records![0]!;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: { Keys: { PK: { S: 'NYC' }, SK: { S: 'o-1' } } },
    });
    expect(read.Records!.map((r) => r.eventName)).toEqual(expect.arrayContaining(['INSERT', 'MODIFY', 'REMOVE']));
    expect(read.NextShardIterator!.startsWith(streamArn)).toBe(true);
    const next = await streams.send(new GetRecordsCommand({ ShardIterator: read.NextShardIterator! }));
    expect(next.Records).toEqual([]);
  });

  it('gives a re-enabled stream a new ARN, as AWS does', async () => {
    const before = (await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!.LatestStreamArn;
    await ddb.send(new UpdateTableCommand({ TableName: 'Orders', StreamSpecification: { StreamEnabled: false } }));
    await ddb.send(
      new UpdateTableCommand({
        TableName: 'Orders',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    const after = (await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!.LatestStreamArn;
    expect(after).not.toBe(before);
    const listed = (await streams.send(new ListStreamsCommand({ TableName: 'Orders' }))).Streams!.map(
      (s) => s.StreamArn,
    );
    expect(listed).toEqual(expect.arrayContaining([before, after]));
    expect(
      (await streams.send(new DescribeStreamCommand({ StreamArn: before! }))).StreamDescription!.StreamStatus,
    ).toBe('DISABLED');
  });
});

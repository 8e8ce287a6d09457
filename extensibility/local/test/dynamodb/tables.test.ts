// Tables deployed from templates (cloud.stacks.deploy, what `presso deploy` calls): keys, GSIs, LSIs,
// stream, TTL and billing as the template says; redeploys update in place and keep items; failed
// deploys leave nothing half-written; one stack never touches another's tables.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud, type LocalCloud, type StackRecord } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;

const describeTable = async (name: string): Promise<TableDescription> =>
  (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!;
const tables = async () => (await ddb.send(new ListTablesCommand({}))).TableNames ?? [];
const ttlOf = async (name: string) =>
  (await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
const deploy = (file: string, stackName: string, parameterOverrides?: Record<string, string>): Promise<StackRecord> =>
  cloud.stacks.deploy({ path: fixture(file), stackName, ...(parameterOverrides ? { parameterOverrides } : {}) });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  ddb = new DynamoDBClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  doc = DynamoDBDocumentClient.from(ddb);
});

afterAll(async () => {
  ddb.destroy();
  await cloud.close();
});

describe('tables from templates', () => {
  let orders = '';

  it('creates a table with its keys, GSI, LSI, stream and TTL, and a SAM simple table', async () => {
    const stack = await deploy('shop-v1.yaml', 'shop');
    expect(stack.status).toBe('CREATE_COMPLETE');
    orders = stack.outputs.OrdersTable!;
    expect(orders).toMatch(/^shop-Orders-[A-Z0-9]{12}$/);
    const table = await describeTable(orders);
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.GlobalSecondaryIndexes!.map((g) => g.IndexName)).toEqual(['GSI-status']);
    expect(table.LocalSecondaryIndexes!.map((l) => l.IndexName)).toEqual(['LSI-state']);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(await ttlOf(orders)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    // The stream ARN the template resolved is the table's stream ARN, everywhere.
    expect(table.TableArn).toBe(stack.outputs.OrdersArn);
    expect(table.LatestStreamArn).toBe(stack.outputs.OrdersStream);
    expect(table.LatestStreamLabel).toBe(stack.outputs.OrdersStream!.split('/').pop());
    const config = await describeTable(stack.outputs.ConfigTable!);
    expect(config.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(config.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('redeploys in place: items kept, GSI added, billing, stream and TTL changed', async () => {
    await doc.send(
      new PutCommand({ TableName: orders, Item: { PK: 'NYC', SK: 'o-1', ORDERSTATE: 'OPEN', USERID: 'alice' } }),
    );
    const stack = await deploy('shop-v2.yaml', 'shop');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(stack.outputs.OrdersTable).toBe(orders);
    expect((await doc.send(new GetCommand({ TableName: orders, Key: { PK: 'NYC', SK: 'o-1' } }))).Item).toMatchObject({
      USERID: 'alice',
    });
    const table = await describeTable(orders);
    expect(table.GlobalSecondaryIndexes!.map((g) => g.IndexName).sort()).toEqual(['GSI-status', 'GSI-user']);
    expect(table.BillingModeSummary?.BillingMode ?? 'PROVISIONED').toBe('PROVISIONED');
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    expect(table.LatestStreamArn).toBe(stack.outputs.OrdersStream);
    expect(await ttlOf(orders)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    const byUser = await doc.send(
      new QueryCommand({
        TableName: orders,
        IndexName: 'GSI-user',
        KeyConditionExpression: 'USERID = :u',
        ExpressionAttributeValues: { ':u': 'alice' },
      }),
    );
    expect(byUser.Items!.map((i) => i.SK)).toEqual(['o-1']);
  });

  it('rolls a failed redeploy back to the previous deployment, items and settings included', async () => {
    const configTable = cloud.stacks.get('shop')!.resources.find((r) => r.logicalId === 'Config')!.physicalId;
    await doc.send(new PutCommand({ TableName: configTable, Item: { id: 'menu' } }));
    await expect(deploy('shop-v2-broken.yaml', 'shop')).rejects.toThrow(
      /Resources\.BadRule\.Properties\.EventPattern: .*\(the stack shop was rolled back to its previous deployment\)/,
    );
    expect(await tables()).not.toContain('shop-extra');
    const table = await describeTable(orders);
    expect(table.GlobalSecondaryIndexes!.map((g) => g.IndexName).sort()).toEqual(['GSI-status', 'GSI-user']);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    expect(table.LatestStreamArn).toBe(cloud.stacks.get('shop')!.outputs.OrdersStream);
    expect(await ttlOf(orders)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    expect((await doc.send(new GetCommand({ TableName: orders, Key: { PK: 'NYC', SK: 'o-1' } }))).Item).toBeDefined();
    expect((await doc.send(new GetCommand({ TableName: configTable, Key: { id: 'menu' } }))).Item).toEqual({
      id: 'menu',
    });
    expect(cloud.stacks.get('shop')!.status).toBe('UPDATE_COMPLETE');
  });

  it('leaves no table behind when a new stack fails', async () => {
    const before = await tables();
    await expect(deploy('shop-v2-broken.yaml', 'broken')).rejects.toThrow(
      /Resources\.BadRule\.Properties\.EventPattern/,
    );
    expect(await tables()).toEqual(before);
    expect(cloud.stacks.get('broken')).toBeUndefined();
  });

  it('names the property a table lacks', async () => {
    await expect(deploy('no-throughput.yaml', 'nothroughput')).rejects.toThrow(
      /no-throughput\.yaml: Resources\.Provisioned\.Properties\.ProvisionedThroughput: is required when BillingMode is PROVISIONED/,
    );
  });

  it('refuses a table name another stack owns, or a table made outside any stack, and deploys nothing', async () => {
    await expect(deploy('owned-name.yaml', 'thief', { Name: orders })).rejects.toThrow(
      `Resources.Table.Properties.TableName: Table ${orders} already exists: stack shop owns it`,
    );
    await ddb.send(
      new CreateTableCommand({
        TableName: 'by-hand',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      }),
    );
    await expect(deploy('owned-name.yaml', 'thief', { Name: 'by-hand' })).rejects.toThrow(
      "Resource of type 'AWS::DynamoDB::Table' with identifier 'by-hand' already exists",
    );
    expect(cloud.stacks.get('thief')).toBeUndefined();
    expect(cloud.events.buses.has('thief-bus')).toBe(false);
    expect((await describeTable('by-hand')).KeySchema).toEqual([{ AttributeName: 'k', KeyType: 'HASH' }]);
    expect((await doc.send(new GetCommand({ TableName: orders, Key: { PK: 'NYC', SK: 'o-1' } }))).Item).toBeDefined();
  });

  it('replaces a table with a generated name whose key changed; refuses to replace a custom-named one, as CloudFormation', async () => {
    const first = await deploy('custom-name.yaml', 'keys');
    const generated = first.outputs.Generated!;
    await doc.send(new PutCommand({ TableName: 'keys-named', Item: { id: 'kept' } }));
    await doc.send(new PutCommand({ TableName: generated, Item: { id: 'lost' } }));
    await expect(deploy('custom-name.yaml', 'keys', { SortKey: 'sk' })).rejects.toThrow(
      /Resources\.Named\.Properties\.KeySchema: CloudFormation cannot update a stack when a custom-named resource requires replacing \(its KeySchema changed\)\. Rename keys-named and update the stack again\./,
    );
    expect((await describeTable('keys-named')).KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect((await doc.send(new GetCommand({ TableName: 'keys-named', Key: { id: 'kept' } }))).Item).toEqual({
      id: 'kept',
    });

    // Only the generated-name table's key type changes: it is replaced, empty.
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const scratch = mkdtempSync(join(tmpdir(), 'presso-keys-'));
    const file = join(scratch, 'template.yaml');
    writeFileSync(
      file,
      readFileSync(fixture('custom-name.yaml'), 'utf8').replace(
        'AttributeType: !If [HasSortKey, N, S]',
        'AttributeType: N',
      ),
    );
    const second = await cloud.stacks
      .deploy({ path: file, stackName: 'keys' })
      .finally(() => rmSync(scratch, { recursive: true, force: true }));
    expect(second.outputs.Generated).toBe(generated);
    expect((await describeTable(generated)).AttributeDefinitions).toEqual([
      { AttributeName: 'id', AttributeType: 'N' },
    ]);
    expect(
      (await ddb.send(new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: generated }))).Count,
    ).toBe(0);
    expect((await doc.send(new GetCommand({ TableName: 'keys-named', Key: { id: 'kept' } }))).Item).toEqual({
      id: 'kept',
    });
  });

  it('deletes exactly its own tables with the stack', async () => {
    const configTable = cloud.stacks.get('shop')!.resources.find((r) => r.logicalId === 'Config')!.physicalId;
    expect(await cloud.stacks.delete('shop')).toBe(true);
    const left = await tables();
    expect(left).not.toContain(orders);
    expect(left).not.toContain(configTable);
    expect(left).toEqual(expect.arrayContaining(['keys-named', 'by-hand']));
  });
});

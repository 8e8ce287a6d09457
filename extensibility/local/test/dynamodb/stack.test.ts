// A whole app on the local cloud, as the core is: a table with a GSI, stream and TTL, a SAM simple
// table, a function that writes orders, and a function that counts them from the table's stream
// (a SAM DynamoDB event with a filter), all built and run by the Lambda runtime against the edge.
// Redeploys keep the stream mapping where it is: nothing is processed twice, nothing skipped.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud, type StackRecord, type Usage } from '../../src/index.js';

const app = new URL('./fixtures/orders-app', import.meta.url).pathname;
let cloud: LocalCloud;
let doc: DynamoDBDocumentClient;
let lambda: LambdaClient;
let stack: StackRecord;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  const config = { endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
  doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  lambda = new LambdaClient(config);
  stack = await cloud.stacks.deploy({ path: app, stackName: 'orders' });
});

afterAll(async () => {
  doc.destroy();
  lambda.destroy();
  await cloud.close();
});

const functionName = (logicalId: string) => stack.resources.find((r) => r.logicalId === logicalId)!.physicalId;

async function place(orderId: string, state: string, on = stack): Promise<void> {
  const name = on.resources.find((r) => r.logicalId === 'PlaceOrder')!.physicalId;
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ orderId, state }) }));
  expect(out.FunctionError).toBeUndefined();
}

const countOf = async (state: string, on = stack) =>
  (await doc.send(new GetCommand({ TableName: on.outputs.CountingTable, Key: { PK: state } }))).Item?.count as
    number | undefined;

/** Waits (bounded) for the count of a state to reach `n`. */
async function count(state: string, n: number, on = stack): Promise<Record<string, unknown>> {
  let item: Record<string, unknown> | undefined;
  return until(
    `the count of ${state} to be ${n}`,
    async () => {
      item = (await doc.send(new GetCommand({ TableName: on.outputs.CountingTable, Key: { PK: state } }))).Item;
      return item?.count === n && item;
    },
    { detail: () => `the count item is ${JSON.stringify(item)}` },
  );
}

describe('an app with tables, a writer and a stream consumer', () => {
  // One test: the redeploy is checked against the items and counts written before it.
  it('writes through one function and counts from the stream in another; a redeploy keeps every item, and the consumer goes on from there', async () => {
    await place('o-1', 'SUBMITTED');
    await place('o-2', 'SUBMITTED');
    await place('o-1', 'COMPLETED');
    expect(await count('SUBMITTED', 2)).toMatchObject({ sourceArn: stack.outputs.OrderStream });
    await count('COMPLETED', 1);

    const again = await cloud.stacks.deploy({ path: app, stackName: 'orders' });
    expect(again.status).toBe('UPDATE_COMPLETE');
    expect((await doc.send(new GetCommand({ TableName: stack.outputs.OrderTable, Key: { PK: 'o-2' } }))).Item).toEqual({
      PK: 'o-2',
      ORDERSTATE: 'SUBMITTED',
    });
    await place('o-2', 'COMPLETED');
    await count('COMPLETED', 2);
    await count('SUBMITTED', 2);
  });

  it('redeploys a TRIM_HORIZON consumer without processing the stream again, unchanged, changed, disabled or enabled', async () => {
    const th = { StartingPosition: 'TRIM_HORIZON' };
    let replay = await cloud.stacks.deploy({ path: app, stackName: 'replay', parameterOverrides: th });
    await place('r-1', 'SUBMITTED', replay);
    await place('r-2', 'SUBMITTED', replay);
    await count('SUBMITTED', 2, replay);
    const poller = cloud.streamPollers.list().find((p) => p.spec.streamArn === replay.outputs.OrderStream)!;
    // A record placed after each redeploy: once it is counted, whatever came before it in the
    // stream (a replay from the trim horizon) would have been counted too.
    const settled = async (sentinel: string, n: number) => {
      await place(`s-${sentinel}`, sentinel, replay);
      await count(sentinel, 1, replay);
      expect(await countOf('SUBMITTED', replay)).toBe(n);
    };

    replay = await cloud.stacks.deploy({ path: app, stackName: 'replay', parameterOverrides: th });
    expect(cloud.streamPollers.get(poller.spec.uuid)).toBe(poller);
    await settled('UNCHANGED', 2);

    // A changed mapping (UpdateEventSourceMapping) goes on from where it was.
    replay = await cloud.stacks.deploy({
      path: app,
      stackName: 'replay',
      parameterOverrides: { ...th, BatchSize: '5' },
    });
    expect(cloud.streamPollers.get(poller.spec.uuid)?.spec.batchSize).toBe(5);
    await settled('CHANGED', 2);

    // Disabled, then enabled again: what was written meanwhile is processed, nothing before it again.
    replay = await cloud.stacks.deploy({
      path: app,
      stackName: 'replay',
      parameterOverrides: { ...th, StreamEnabled: 'false' },
    });
    expect(cloud.streamPollers.get(poller.spec.uuid)).toBeUndefined();
    await place('r-3', 'SUBMITTED', replay);
    replay = await cloud.stacks.deploy({ path: app, stackName: 'replay', parameterOverrides: th });
    await count('SUBMITTED', 3, replay);
    await settled('ENABLED', 3);
    await cloud.stacks.delete('replay');
  });

  it('reports what it did in the units AWS bills (GET /_presso/usage): invocations, billed time, memory, request units', async () => {
    const usage = async () => (await (await fetch(`${cloud.url}/_presso/usage`)).json()) as Usage;
    const placeOrder = (u: Usage) => u.lambda.find((f) => f.name === functionName('PlaceOrder'))!;
    const units = (u: Usage) => u.dynamodb.tables[stack.outputs.OrderTable!] ?? { writeRequestUnits: 0 };
    const before = await usage();
    await place('o-usage', 'SUBMITTED');
    const after = await usage();
    // No Architectures and no MemorySize in the template: x86_64 and 128 MB, as in AWS.
    expect(placeOrder(after)).toMatchObject({ memoryMb: 128, architecture: 'x86_64' });
    expect(placeOrder(after).invocations - placeOrder(before).invocations).toBe(1);
    expect(placeOrder(after).billedMs - placeOrder(before).billedMs).toBeGreaterThanOrEqual(1);
    // A small item: at least its one write unit (DynamoDB Local adds what its index takes).
    expect(units(after).writeRequestUnits - units(before).writeRequestUnits).toBeGreaterThanOrEqual(1);
    expect(after.since).toBe(before.since);
  });

  it('removes its tables, functions and mapping with the stack', async () => {
    await cloud.stacks.delete('orders');
    const tables = (
      await new DynamoDBClient({
        endpoint: cloud.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }).send(new ListTablesCommand({}))
    ).TableNames;
    expect(tables).not.toContain(stack.outputs.OrderTable);
    expect(tables).not.toContain(stack.outputs.CountingTable);
    expect(cloud.lambda.get(functionName('CountStates'))).toBeUndefined();
    expect(cloud.streamPollers.list()).toEqual([]);
  });
});

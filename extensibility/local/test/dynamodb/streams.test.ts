// Table streams delivered to functions by event source mappings: AWS's record shape, per shard in
// order, batching, retries, bisecting, filters, partial batch responses; a stack's mappings stop
// with it and never touch another stack's. Functions are in-process ones registered on the cloud.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { SamDynamoDbEvent } from '../../src/stacks/template/index.js';
import { until } from '@serverlesspresso/testing/until';

type LambdaRecord = {
  eventID: string;
  eventName: string;
  dynamodb: { Keys: { PK: { S: string } }; SequenceNumber: string } & Record<string, unknown>;
} & Record<string, unknown>;
interface Recorder {
  arn: string;
  /** Every invocation's records, in order. */
  calls: LambdaRecord[][];
  /** Records of invocations that succeeded. */
  delivered: () => LambdaRecord[];
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let doc: DynamoDBDocumentClient;
const keys = (records: LambdaRecord[]) => records.map((r) => r.dynamodb.Keys.PK.S);

/** Registers an in-process function; `behave` may throw (a function error) or return a response. */
function recorder(name: string, behave: (records: LambdaRecord[], call: number) => unknown = () => null): Recorder {
  const calls: LambdaRecord[][] = [];
  const ok: boolean[] = [];
  const arn = arns.lambda(cloud.account, name);
  cloud.lambda.register(
    inProcessFunction({
      name,
      arn,
      handler: async (event) => {
        const records = (event as { Records: LambdaRecord[] }).Records;
        calls.push(records);
        ok.push(false);
        const result = await behave(records, calls.length);
        ok[calls.length - 1] = true;
        return result;
      },
    }),
  );
  return { arn, calls, delivered: () => calls.flatMap((c, i) => (ok[i] ? c : [])) };
}

const deploy = (stackName: string, parameterOverrides: Record<string, string>, file = 'stream-app.yaml') =>
  cloud.stacks.deploy({ path: fixture(file), stackName, parameterOverrides });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }),
  );
});

afterAll(async () => {
  doc.destroy();
  await cloud.close();
});

describe('stream event source mappings', () => {
  let feedTable = '';
  let feedStream = '';
  let feed: Recorder;

  it("delivers stream records in order, in batches of at most BatchSize, in AWS's record shape", async () => {
    feed = recorder('feed-fn');
    const stack = await deploy('feed', { FunctionName: 'feed-fn', BatchSize: '3' });
    feedTable = stack.outputs.TableName!;
    feedStream = stack.outputs.StreamArn!;
    for (let i = 1; i <= 7; i++) await doc.send(new PutCommand({ TableName: feedTable, Item: { PK: `k${i}`, n: i } }));
    await doc.send(
      new UpdateCommand({
        TableName: feedTable,
        Key: { PK: 'k1' },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': 100 },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: feedTable, Key: { PK: 'k2' } }));
    await until('9 records', () => feed.delivered().length === 9);
    const records = feed.delivered();
    expect(keys(records)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k1', 'k2']);
    expect(records.map((r) => r.eventName)).toEqual([
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'MODIFY',
      'REMOVE',
    ]);
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    expect(feed.calls.every((c) => c.length >= 1 && c.length <= 3)).toBe(true);
    expect(records[0]).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: feedStream,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { PK: { S: 'k1' } },
        NewImage: { PK: { S: 'k1' }, n: { N: '1' } },
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(Math.abs((records[0]!.dynamodb.ApproximateCreationDateTime as number) - Date.now() / 1000)).toBeLessThan(
      120,
    );
    expect(records[7]!.dynamodb).toMatchObject({ OldImage: { n: { N: '1' } }, NewImage: { n: { N: '100' } } });
    expect(records[8]!.dynamodb).toMatchObject({ OldImage: { PK: { S: 'k2' } } });
    expect(records[8]!.dynamodb.NewImage).toBeUndefined();
  });

  it('reads a quiet stream no more than it must: skips reads while nothing writes to the table, reads at the next poll once something does', async () => {
    const quiet = recorder('quiet-fn');
    const stack = await deploy('quiet', { FunctionName: 'quiet-fn' });
    const poller = cloud.streamPollers.list().find((p) => p.spec.streamArn === stack.outputs.StreamArn)!;
    await until('reads skipped on the idle stream', () => poller.stats.skippedReads >= 3);
    const readsWhenQuiet = poller.stats.getRecords;
    await doc.send(new PutCommand({ TableName: stack.outputs.TableName!, Item: { PK: 'q1' } }));
    // Counted once DynamoDB Local answered the write: from here every poll reads until the record is in
    // (a read that comes back empty in the moment before the record is readable does not start a skip).
    const skippedAtWrite = poller.stats.skippedReads;
    await until('the record written after a quiet spell', () => quiet.delivered().length === 1);
    expect(keys(quiet.delivered())).toEqual(['q1']);
    expect(poller.stats.skippedReads).toBe(skippedAtWrite);
    expect(poller.stats.getRecords).toBeGreaterThan(readsWhenQuiet);
    await cloud.stacks.delete('quiet');
  });

  it('retries a failed batch, in order, until the function succeeds', async () => {
    const fn = recorder('retry-fn', (_records, call) => {
      if (call <= 2) throw new Error(`not yet (${call})`);
    });
    const { outputs } = await deploy('retry', { FunctionName: 'retry-fn', BatchSize: '10' });
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'r1' } }));
    await until('three attempts', () => fn.calls.length >= 3);
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'r2' } }));
    await until('r2', () => keys(fn.delivered()).includes('r2'));
    const first = fn.calls[0]!.map((r) => r.eventID);
    expect(fn.calls[1]!.map((r) => r.eventID)).toEqual(first);
    expect(fn.calls[2]!.map((r) => r.eventID)).toEqual(first);
    expect(keys(fn.delivered())).toEqual(['r1', 'r2']);
  });

  it('discards a batch once MaximumRetryAttempts is spent, and goes on', async () => {
    const fn = recorder('poison-fn', (records) => {
      if (keys(records).includes('poison')) throw new Error('cannot take it');
    });
    const { outputs } = await deploy('poison', { FunctionName: 'poison-fn', BatchSize: '1', MaxRetries: '1' });
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'poison' } }));
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'after' } }));
    await until('the record after the poison one', () => keys(fn.delivered()).includes('after'));
    expect(fn.calls.filter((c) => keys(c).includes('poison'))).toHaveLength(2);
    expect(keys(fn.delivered())).toEqual(['after']);
    const uuid = cloud.streamPollers.list().find((p) => p.spec.functionArn === fn.arn)!;
    expect(uuid.stats.discarded).toBe(1);
  });

  it('bisects a failing batch to isolate the bad record (BisectBatchOnFunctionError)', async () => {
    const fn = recorder('bisect-fn', (records) => {
      if (keys(records).includes('bad')) throw new Error('bad record');
    });
    const { outputs } = await deploy('bisect', {
      FunctionName: 'bisect-fn',
      BatchSize: '4',
      Window: '300',
      MaxRetries: '0',
      Bisect: 'true',
    });
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [outputs.TableName!]: ['a', 'b', 'bad', 'c'].map((PK) => ({ PutRequest: { Item: { PK } } })) },
      }),
    );
    await until('the three good records', () => fn.delivered().length === 3);
    const batch = keys(fn.calls[0]!);
    expect(batch.sort()).toEqual(['a', 'b', 'bad', 'c']);
    expect(fn.calls[1]).toHaveLength(2);
    expect(keys(fn.delivered())).toEqual(keys(fn.calls[0]!).filter((k) => k !== 'bad'));
    expect(
      fn.calls
        .filter((c) => keys(c).includes('bad'))
        .map((c) => c.length)
        .slice(-1),
    ).toEqual([1]);
  });

  it('delivers only records a filter matches (FilterCriteria)', async () => {
    const fn = recorder('filter-fn');
    const { outputs } = await deploy('filtered', {
      FunctionName: 'filter-fn',
      Filter: '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"state":{"S":["READY"]}}}}',
    });
    const table = outputs.TableName!;
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'f1', state: 'NEW' } }));
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: 'f1' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'BREWING' },
      }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: 'f1' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'READY' },
      }),
    );
    await until('the READY modification', () => fn.delivered().length === 1);
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'f2', state: 'READY' } }));
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: 'f2' },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': 1 },
      }),
    );
    await until('the second READY modification', () => fn.delivered().length === 2);
    expect(fn.delivered().map((r) => `${r.eventName} ${keys([r])[0]}`)).toEqual(['MODIFY f1', 'MODIFY f2']);
  });

  it('retries from the first failed record a function reports (ReportBatchItemFailures)', async () => {
    const fn = recorder('partial-fn', (records, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb.SequenceNumber }] }
        : { batchItemFailures: [] },
    );
    const { outputs } = await deploy('partial', {
      FunctionName: 'partial-fn',
      BatchSize: '10',
      Window: '300',
      ReportFailures: 'true',
    });
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [outputs.TableName!]: ['p1', 'p2', 'p3'].map((PK) => ({ PutRequest: { Item: { PK } } })) },
      }),
    );
    await until('the retry', () => fn.calls.length === 2);
    expect(fn.calls[0]).toHaveLength(3);
    expect(fn.calls[1]!.map((r) => r.eventID)).toEqual(fn.calls[0]!.slice(1).map((r) => r.eventID));
  });

  it("stops a deleted stack's mapping and leaves another stack's alone", async () => {
    const tap = recorder('tap-fn');
    await deploy('tap', { FunctionName: 'tap-fn', StreamArn: feedStream }, 'stream-consumer.yaml');
    // TRIM_HORIZON: everything the feed table's stream holds.
    await until("the feed table's history", () => tap.delivered().length === 9);
    const tapPoller = cloud.streamPollers.list().find((p) => p.spec.functionArn === tap.arn)!;
    expect(await cloud.stacks.delete('tap')).toBe(true);
    expect(cloud.streamPollers.get(tapPoller.spec.uuid)).toBeUndefined();
    const invocations = tapPoller.stats.invocations;
    await doc.send(new PutCommand({ TableName: feedTable, Item: { PK: 'k8' } }));
    await until('k8 on the feed stack', () => keys(feed.delivered()).includes('k8'));
    expect(tapPoller.stats.invocations).toBe(invocations);
  });

  it('abandons an invocation in flight when its stack is deleted, promptly', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    const slow = recorder('slow-fn', () => released);
    const { outputs } = await deploy('slow', { FunctionName: 'slow-fn' });
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 's1' } }));
    await until('the invocation', () => slow.calls.length === 1);
    await cloud.stacks.delete('slow');
    expect(cloud.streamPollers.list().some((p) => p.spec.functionArn === slow.arn)).toBe(false);
    release();
  });

  it('fails a mapping whose stream or function does not exist, deploying nothing', async () => {
    recorder('orphan-fn');
    const missingStream = `${feedStream.slice(0, feedStream.indexOf('/stream/'))}-gone/stream/2024-01-01T00:00:00.000`;
    await expect(
      deploy('orphan', { FunctionName: 'orphan-fn', StreamArn: missingStream }, 'stream-consumer.yaml'),
    ).rejects.toThrow(/Resources\.Mapping\.Properties\.EventSourceArn: Stream not found/);
    await expect(
      deploy('orphan', { FunctionName: 'nobody', StreamArn: feedStream }, 'stream-consumer.yaml'),
    ).rejects.toThrow(
      /Resources\.Mapping\.Properties\.FunctionName: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody/,
    );
    expect(cloud.stacks.get('orphan')).toBeUndefined();
  });
});

describe('SAM DynamoDB events (what the functions handler calls)', () => {
  const event = (properties: Record<string, unknown>): SamDynamoDbEvent => ({
    kind: 'dynamodb',
    name: 'Stream',
    type: 'DynamoDB',
    properties,
    mappingLogicalId: 'ConsumerStream',
    stream: String(properties.Stream),
    enabled: true,
  });

  it('starts a mapping and stops it with the returned undo', async () => {
    const fn = recorder('sam-fn');
    const { outputs } = await deploy('samtable', { FunctionName: 'feed-fn' });
    const undo = await cloud.streams(
      event({ Stream: outputs.StreamArn, StartingPosition: 'TRIM_HORIZON', BatchSize: 5 }),
      fn.arn,
      'Consumer',
    );
    await doc.send(new PutCommand({ TableName: outputs.TableName!, Item: { PK: 'sam' } }));
    await until('the record', () => keys(fn.delivered()).includes('sam'));
    const poller = cloud.streamPollers.list().find((p) => p.spec.functionArn === fn.arn)!;
    expect(poller.spec).toMatchObject({ batchSize: 5, startingPosition: 'TRIM_HORIZON', streamArn: outputs.StreamArn });
    await undo();
    expect(cloud.streamPollers.get(poller.spec.uuid)).toBeUndefined();
  });

  it("names the event's property that is wrong", async () => {
    const fn = recorder('sam-bad-fn');
    await expect(
      cloud.streams(
        event({ Stream: 'arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/1', StartingPosition: 'AT_TIMESTAMP' }),
        fn.arn,
        'Consumer',
      ),
    ).rejects.toThrow(
      /Resources\.Consumer\.Properties\.Events\.Stream\.Properties\.StartingPosition: must be TRIM_HORIZON or LATEST for a DynamoDB stream, got "AT_TIMESTAMP"/,
    );
    await expect(
      cloud.streams(
        event({ Stream: 'arn:aws:sqs:us-east-1:000000000000:q', StartingPosition: 'LATEST' }),
        fn.arn,
        'Consumer',
      ),
    ).rejects.toThrow(/Events\.Stream\.Properties\.Stream: must be a DynamoDB stream ARN/);
  });
});

// Stream event source mappings keep their per-shard checkpoints over a restart with a data
// directory: the same stack deployed again goes on where its mapping was. A record whose batch was
// delivered but not through (the function still running when the cloud stopped) is delivered
// again, as AWS does; nothing checkpointed is delivered again. DynamoDB Local keeps the table and
// its stream in the same directory. Functions are in-process ones registered on each cloud.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';
import { arns, inProcessFunction, startLocalCloud, type LocalCloud } from '../../src/index.js';

type LambdaRecord = { dynamodb: { Keys: { PK: { S: string } } } };

const fixture = new URL('./fixtures/stream-app.yaml', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-streams-'));
const clouds: LocalCloud[] = [];
const docs: DynamoDBDocumentClient[] = [];

afterAll(async () => {
  docs.forEach((d) => d.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A cloud on the data directory with the consumer registered and the stack deployed; what the consumer got. */
async function start(hangOn?: string) {
  const cloud = await startLocalCloud({ port: 0, dataDir, log: () => {} });
  clouds.push(cloud);
  const received: string[][] = [];
  cloud.lambda.register(
    inProcessFunction({
      name: 'consumer',
      arn: arns.lambda(cloud.account, 'consumer'),
      handler: async (event) => {
        const keys = (event as { Records: LambdaRecord[] }).Records.map((r) => r.dynamodb.Keys.PK.S);
        received.push(keys);
        // Still running when the cloud stops: its batch is not through.
        if (hangOn && keys.includes(hangOn)) await new Promise(() => {});
        return null;
      },
    }),
  );
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'feed',
    parameterOverrides: { FunctionName: 'consumer', BatchSize: '1' },
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.url,
      region: cloud.account.region,
      credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    }),
  );
  docs.push(doc);
  const put = (PK: string) => doc.send(new PutCommand({ TableName: stack.outputs.TableName, Item: { PK } }));
  return { cloud, received, put };
}

it('goes on from its checkpoints after a restart: the batch not through is delivered again, nothing else', async () => {
  const first = await start('k2');
  await first.put('k1');
  await until('k1 delivered', () => first.received.some((keys) => keys.includes('k1')) || undefined);
  await first.put('k2');
  await until('k2 being delivered', () => first.received.some((keys) => keys.includes('k2')) || undefined);
  await first.cloud.close();
  clouds.length = 0;

  const second = await start();
  expect(second.cloud.resumption.mappings()).toBe(1);
  await until('k2 delivered again', () => second.received.some((keys) => keys.includes('k2')) || undefined);
  await second.put('k3');
  await until('k3 delivered', () => second.received.some((keys) => keys.includes('k3')) || undefined);
  expect(second.received).toEqual([['k2'], ['k3']]);
}, 120_000);

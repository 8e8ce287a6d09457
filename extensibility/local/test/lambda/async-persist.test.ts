// Lambda's asynchronous invocations outlive a restart with a data directory: one whose first
// attempt failed and whose retry was waiting when the cloud stopped goes on once its function is
// deployed again, with the same request id, and ends in its dead-letter queue and OnFailure
// destination after the retries its EventInvokeConfig allows (counted from before the restart).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = new URL('../sqs/fixtures/async-app', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-async-'));
const journal = join(dataDir, 'lambda', 'async-invocations.jsonl');
const clouds: LocalCloud[] = [];
const clients: Array<{ destroy(): void }> = [];

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(speed: number) {
  const cloud = await startLocalCloud({ port: 0, speed, dataDir, log: () => {} });
  clouds.push(cloud);
  const config = {
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  };
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient(config);
  clients.push(sqs, lambda);
  return { cloud, sqs, lambda };
}

it('goes on with an invocation waiting for its retry after a restart, to its dead-letter queue and OnFailure destination', async () => {
  // At speed 1 the retry is a minute away when the cloud stops.
  const first = await start(1);
  const { outputs } = await first.cloud.stacks.deploy({ path: fixture, stackName: 'async-app' });
  const invoked = await first.lambda.send(
    new InvokeCommand({
      FunctionName: outputs.FunctionName,
      InvocationType: 'Event',
      Payload: JSON.stringify({ orderId: 'o-7' }),
    }),
  );
  expect(invoked.StatusCode).toBe(202);
  await until(
    'the first attempt failed and its retry is kept',
    () => readFileSync(journal, 'utf8').includes('"retry"') || undefined,
  );
  await first.cloud.close();
  clouds.length = 0;

  // At speed 10,000 what is left of the minute is a few milliseconds.
  const second = await start(10_000);
  expect(second.cloud.resumption.heldInvocations()).toBe(1);
  const { outputs: again } = await second.cloud.stacks.deploy({ path: fixture, stackName: 'async-app' });
  expect(second.cloud.resumption.heldInvocations()).toBe(0);
  expect(second.cloud.resumption.invocations()).toBe(1);
  const receive = (url: string, what: string) =>
    until(what, async () => {
      const { Messages } = await second.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }),
      );
      return Messages?.[0];
    });
  const dead = await receive(again.FailedEventsUrl!, 'the event in the dead-letter queue');
  expect(JSON.parse(dead.Body!)).toEqual({ orderId: 'o-7' });
  expect(dead.MessageAttributes?.RequestID?.StringValue).toBe(invoked.$metadata.requestId);
  const record = JSON.parse((await receive(again.FailureRecordsUrl!, 'the invocation record')).Body!) as unknown;
  // One attempt before the restart, its one retry after it.
  expect(record).toMatchObject({
    requestContext: {
      requestId: invoked.$metadata.requestId,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 2,
    },
  });
  await until(
    'the invocation ended in the journal',
    () => readFileSync(journal, 'utf8').includes(`"ended":"${invoked.$metadata.requestId}"`) || undefined,
  );
}, 120_000);

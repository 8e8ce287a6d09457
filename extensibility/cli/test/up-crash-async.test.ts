// `presso up --data-dir` killed with SIGKILL at a chosen write (PRESSO_TEST_KILL_AFTER: the process
// kills itself right after it wrote that record, no sleep decides when) and started again on the
// same data directory, with an app of queues and a function that always fails (its asynchronous
// failures go to a dead-letter queue and an OnFailure destination):
// - an SQS message received when the process died (the receive written, not answered) is in flight
//   after the restart with its receive count, and comes back once its visibility timeout is over;
// - an asynchronous invocation whose retry was waiting goes on after the restart, with its request
//   id, and ends in the dead-letter queue after the one retry its EventInvokeConfig allows;
// - a stream record whose batch went through but whose checkpoint the crash cut in half is delivered
//   again after the restart (at least once), and nothing checkpointed is (the core's kind of stream
//   consumer, counting orders per state into a table);
// - a full disk (PRESSO_TEST_FAIL_WRITE: the write fails with ENOSPC) refuses the message: nothing
//   is acknowledged that was not written.
// @level integration: real processes (presso up, twice per test).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';
import { startUp, type RunningUp } from './up.js';

const APP_DIR = new URL('../../local/test/sqs/fixtures/async-app', import.meta.url).pathname;
const STREAM_APP_DIR = new URL('../../local/test/dynamodb/fixtures/orders-app', import.meta.url).pathname;
const SLOW = 120_000;
const dirs: string[] = [];
const running: RunningUp[] = [];
const clients: Array<{ destroy(): void }> = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.destroy());
  await Promise.all(running.splice(0).map((up) => up.stop()));
});
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function up(
  dataDir: string,
  options: { killAfter?: string; failWrite?: string; speed?: number; app?: string } = {},
): Promise<RunningUp> {
  const started = await startUp(
    [
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--speed',
      String(options.speed ?? 1),
      '--no-web-apps',
      options.app ?? APP_DIR,
    ],
    {
      env: {
        ...process.env,
        ...(options.killAfter ? { PRESSO_TEST_KILL_AFTER: options.killAfter } : {}),
        ...(options.failWrite ? { PRESSO_TEST_FAIL_WRITE: options.failWrite } : {}),
      },
    },
  );
  running.push(started);
  return started;
}

const death = (up: RunningUp) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (up.process.exitCode !== null || up.process.signalCode !== null) resolve(up.process.signalCode);
    else up.process.once('exit', (_code, signal) => resolve(signal));
  });

const output = (up: RunningUp, name: string) => {
  const value = new RegExp(`^ {4}${name} = (\\S+)$`, 'm').exec(up.output())?.[1];
  if (!value) throw new Error(`no ${name} in:\n${up.output()}`);
  return value;
};

function clientsOf(up: RunningUp) {
  const config = {
    endpoint: up.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    maxAttempts: 1,
  };
  const sqs = new SQSClient(config);
  const lambda = new LambdaClient(config);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  clients.push(sqs, lambda, dynamodb);
  return { sqs, lambda, dynamodb };
}

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-crash-async-'));
  dirs.push(dir);
  return dir;
};

describe('presso up killed with SIGKILL and started again on the same data directory', () => {
  it(
    'keeps a message received when the process died in flight, with its receive count',
    async () => {
      const dir = dataDir();
      // The 1st SQS update written is the receive below: the process dies before it answers.
      const first = await up(dir, { killAfter: 'sqs:update' });
      const { sqs } = clientsOf(first);
      const queueUrl = output(first, 'FailedEventsUrl');
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'flat white' }));
      await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).rejects.toThrow();
      expect(await death(first)).toBe('SIGKILL');

      // At --speed 100 the 30 s of visibility timeout are 0.3 s.
      const second = await up(dir, { speed: 100 });
      expect(second.output()).toMatch(/^resumed {5}.*\b1 SQS message back in their queues\b/m);
      const again = clientsOf(second).sqs;
      const url = output(second, 'FailedEventsUrl');
      const message = await until('the message visible again', async () => {
        const { Messages } = await again.send(
          new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
        );
        return Messages?.[0];
      });
      expect(message).toMatchObject({
        MessageId: sent.MessageId,
        Body: 'flat white',
        Attributes: { ApproximateReceiveCount: '2' },
      });
    },
    SLOW,
  );

  it(
    'goes on with an asynchronous invocation whose retry was waiting, to the dead-letter queue',
    async () => {
      const dir = dataDir();
      // The process dies right after the first attempt failed and its retry (a minute later) was written.
      const first = await up(dir, { killAfter: 'lambda:retry' });
      const { lambda } = clientsOf(first);
      const invoked = await lambda.send(
        new InvokeCommand({
          FunctionName: output(first, 'FunctionName'),
          InvocationType: 'Event',
          Payload: JSON.stringify({ orderId: 'o-9' }),
        }),
      );
      expect(invoked.StatusCode).toBe(202);
      expect(await death(first)).toBe('SIGKILL');

      // At --speed 10000 what is left of the minute is a few milliseconds.
      const second = await up(dir, { speed: 10_000 });
      expect(second.output()).toMatch(/^resumed {5}.*\b1 asynchronous Lambda invocation queued or retrying\b/m);
      const { sqs } = clientsOf(second);
      const dead = await until('the event in the dead-letter queue', async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: output(second, 'FailedEventsUrl'), MessageAttributeNames: ['All'] }),
        );
        return Messages?.[0];
      });
      expect(JSON.parse(dead.Body!)).toEqual({ orderId: 'o-9' });
      expect(dead.MessageAttributes?.RequestID?.StringValue).toBe(invoked.$metadata.requestId);
      const record = await until('the invocation record', async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: output(second, 'FailureRecordsUrl') }),
        );
        return Messages?.[0];
      });
      expect(JSON.parse(record.Body!)).toMatchObject({
        requestContext: { requestId: invoked.$metadata.requestId, approximateInvokeCount: 2 },
      });
    },
    SLOW,
  );

  it(
    'delivers a stream record again whose checkpoint the crash cut in half, and nothing checkpointed',
    async () => {
      const dir = dataDir();
      // Checkpoint 1 is where the mapping began in the shard (LATEST), 2 the first batch through.
      const first = await up(dir, { app: STREAM_APP_DIR, killAfter: 'streams:checkpoint:2:torn' });
      const { dynamodb } = clientsOf(first);
      const [orders, counts] = [output(first, 'OrderTable'), output(first, 'CountingTable')];
      const count = async (client: DynamoDBDocumentClient, state: string) =>
        ((await client.send(new GetCommand({ TableName: counts, Key: { PK: state } }))).Item?.count as number) ?? 0;
      await dynamodb.send(new PutCommand({ TableName: orders, Item: { PK: 'o1', ORDERSTATE: 'PLACED' } }));
      expect(await death(first)).toBe('SIGKILL');

      const second = await up(dir, { app: STREAM_APP_DIR });
      expect(second.output()).toMatch(/half-written checkpoint .* was skipped: its batch is delivered again/);
      expect(second.output()).toMatch(/^resumed {5}.*\b1 stream event source mapping from their checkpoints\b/m);
      const again = clientsOf(second).dynamodb;
      // Counted before the crash, and again after it (at least once).
      let placed = 0;
      await until('o1 counted twice', async () => (placed = await count(again, 'PLACED')) === 2 || undefined, {
        detail: () =>
          `PLACED counted ${placed} times; checkpoints:\n${readFileSync(join(dir, 'streams', 'checkpoints.jsonl'), 'utf8')}\n${second.output().slice(-3000)}`,
      });
      await again.send(new PutCommand({ TableName: orders, Item: { PK: 'o2', ORDERSTATE: 'MADE' } }));
      await until('o2 counted', async () => (await count(again, 'MADE')) === 1 || undefined);
      expect(await count(again, 'PLACED')).toBe(2);
    },
    SLOW,
  );

  it(
    'refuses a message when its write fails for a full disk, and acknowledges the next',
    async () => {
      const dir = dataDir();
      const first = await up(dir, { failWrite: 'sqs:put' });
      const { sqs } = clientsOf(first);
      const queueUrl = output(first, 'FailedEventsUrl');
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'lost' }))).rejects.toMatchObject(
        {
          name: 'InternalError',
          message: expect.stringMatching(/could not write to .*messages\.jsonl \(ENOSPC\).*free space/),
        },
      );
      const kept = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'kept' }));
      expect(first.output()).toMatch(/\[sqs\] .*messages\.jsonl: a write failed \(ENOSPC/);
      await first.stop();

      const second = await up(dir);
      const again = clientsOf(second).sqs;
      const { Messages } = await again.send(
        new ReceiveMessageCommand({ QueueUrl: output(second, 'FailedEventsUrl'), MaxNumberOfMessages: 10 }),
      );
      expect(Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[kept.MessageId, 'kept']]);
    },
    SLOW,
  );
});

// Buses, rules and targets made through the EventBridge API outlive a restart with a data directory
// (presso up --data-dir): a bus made with CreateEventBus, its rules (enabled, disabled, deleted) and
// their targets (put, removed) are back and deliver as before; a rule's schedule goes on. A write
// that fails (a full disk) refuses the call and changes nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'presso-events-api-'));
const clouds: LocalCloud[] = [];
const clients: Array<{ destroy(): void }> = [];

afterAll(async () => {
  clients.forEach((c) => c.destroy());
  for (const cloud of clouds) await cloud.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(dir = dataDir) {
  const cloud = await startLocalCloud({ port: 0, dataDir: dir, speed: 600, iam: 'off', log: () => {} });
  clouds.push(cloud);
  const config = {
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    maxAttempts: 1,
  };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  clients.push(events, sqs);
  return { cloud, events, sqs };
}

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

/** The bodies received from a queue, once `ok` holds for them. */
async function received(sqs: SQSClient, QueueUrl: string, ok: (bodies: string[]) => boolean): Promise<string[]> {
  const bodies: string[] = [];
  return until(`messages in ${QueueUrl}`, async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    bodies.push(...(Messages ?? []).map((m) => m.Body!));
    return ok(bodies) && bodies;
  });
}

it('keeps the buses, rules and targets made through the API across a restart, delivering as before', async () => {
  const first = await start();
  const { events, sqs } = first;
  for (const QueueName of ['orders', 'other', 'ticks']) await sqs.send(new CreateQueueCommand({ QueueName }));
  await events.send(new CreateEventBusCommand({ Name: 'shop' }));
  const pattern = JSON.stringify({ source: ['coffee'] });
  await events.send(new PutRuleCommand({ Name: 'orders', EventBusName: 'shop', EventPattern: pattern }));
  await events.send(
    new PutTargetsCommand({
      Rule: 'orders',
      EventBusName: 'shop',
      Targets: [
        { Id: 'orders', Arn: arn('orders'), InputPath: '$.detail' },
        { Id: 'other', Arn: arn('other') },
      ],
    }),
  );
  await events.send(new RemoveTargetsCommand({ Rule: 'orders', EventBusName: 'shop', Ids: ['other'] }));
  await events.send(new PutRuleCommand({ Name: 'paused', EventBusName: 'shop', EventPattern: pattern }));
  await events.send(
    new PutTargetsCommand({ Rule: 'paused', EventBusName: 'shop', Targets: [{ Id: 'o', Arn: arn('other') }] }),
  );
  await events.send(new DisableRuleCommand({ Name: 'paused', EventBusName: 'shop' }));
  await events.send(new PutRuleCommand({ Name: 'gone', EventBusName: 'shop', EventPattern: pattern }));
  await events.send(new DeleteRuleCommand({ Name: 'gone', EventBusName: 'shop' }));
  await events.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(1 minute)' }));
  await events.send(new PutTargetsCommand({ Rule: 'tick', Targets: [{ Id: 'ticks', Arn: arn('ticks') }] }));
  // A call refused (validation) is not made again at start.
  await expect(
    events.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'shop', EventPattern: '{"source":"coffee"}' })),
  ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  // A full disk refuses the call: the rule is not made.
  process.env.PRESSO_TEST_FAIL_WRITE = 'events:PutRule';
  try {
    await expect(
      events.send(new PutRuleCommand({ Name: 'refused', EventBusName: 'shop', EventPattern: pattern })),
    ).rejects.toMatchObject({
      name: 'InternalFailure',
      message: expect.stringMatching(
        /^The local cloud could not write PutRule to .* \(ENOSPC\), so nothing was changed/,
      ),
    });
  } finally {
    delete process.env.PRESSO_TEST_FAIL_WRITE;
  }
  await first.cloud.close();
  clouds.splice(clouds.indexOf(first.cloud), 1);

  const second = await start();
  // The file was compacted at start: the deleted rule's and the refused calls are gone.
  const kept = readFileSync(join(dataDir, 'events', 'api-changes.jsonl'), 'utf8');
  expect(kept).not.toMatch(/"(bad|gone|refused)"/);
  expect(second.cloud.resumption.rules()).toBeGreaterThanOrEqual(3);
  const url = (name: string) => `${second.cloud.url}/000000000000/${name}`;
  const { Rules } = await second.events.send(new ListRulesCommand({ EventBusName: 'shop' }));
  expect(Rules!.map((r) => [r.Name, r.State])).toEqual([
    ['orders', 'ENABLED'],
    ['paused', 'DISABLED'],
  ]);
  const { Targets } = await second.events.send(new ListTargetsByRuleCommand({ Rule: 'orders', EventBusName: 'shop' }));
  expect(Targets).toEqual([{ Id: 'orders', Arn: arn('orders'), InputPath: '$.detail' }]);
  expect(await second.events.send(new DescribeRuleCommand({ Name: 'tick' }))).toMatchObject({
    ScheduleExpression: 'rate(1 minute)',
    State: 'ENABLED',
  });
  // Delivering as before: the event reaches the enabled rule's target (through its InputPath).
  await second.events.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: 'shop', Source: 'coffee', DetailType: 'Order', Detail: JSON.stringify({ order: 7 }) }],
    }),
  );
  expect(await received(second.sqs, url('orders'), (b) => b.length >= 1)).toEqual([JSON.stringify({ order: 7 })]);
  // The schedule rule fires after the restart too: more ticks than the queue held at start.
  const ticks = async () =>
    Number(
      (
        await second.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url('ticks'), AttributeNames: ['ApproximateNumberOfMessages'] }),
        )
      ).Attributes!.ApproximateNumberOfMessages,
    );
  const atStart = await ticks();
  await until('a tick after the restart', async () => (await ticks()) > atStart);
}, 120_000);

it("makes a rule put on a stack's bus again once the stack is deployed again", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-events-api-bus-'));
  const busApp = new URL('../stacks/fixtures/bus-owner-app', import.meta.url).pathname;
  try {
    const first = await start(dir);
    await first.cloud.stacks.deploy({ path: busApp, stackName: 'owner' });
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'shared' }));
    await first.events.send(
      new PutRuleCommand({ Name: 'mine', EventBusName: 'SharedBus', EventPattern: JSON.stringify({ source: ['x'] }) }),
    );
    await first.events.send(
      new PutTargetsCommand({ Rule: 'mine', EventBusName: 'SharedBus', Targets: [{ Id: 'q', Arn: arn('shared') }] }),
    );
    await first.cloud.close();
    clouds.splice(clouds.indexOf(first.cloud), 1);

    const second = await start(dir);
    // The bus is the stack's: the rule waits for its deploy.
    expect(second.cloud.resumption.rules()).toBe(0);
    await second.cloud.stacks.deploy({ path: busApp, stackName: 'owner' });
    await until('the rule to be back', () => second.cloud.resumption.rules() === 1);
    await second.events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'SharedBus', Source: 'x', DetailType: 'T', Detail: '{}' }] }),
    );
    await received(second.sqs, `${second.cloud.url}/000000000000/shared`, (b) => b.length >= 1);
    await second.cloud.close();
    clouds.splice(clouds.indexOf(second.cloud), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

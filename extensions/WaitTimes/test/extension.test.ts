// The extension deployed on the local cloud from its own template, as `presso deploy` does: order
// events on the bus reach the recorder through its rule, the windows in its table change, the table's
// stream reaches the publisher, and WaitTimes.WaitTimeChanged lands on the bus (read back from the
// local cloud's archive, as `presso events` does). The events are put with the SDK, each with its
// Time, phase by phase, so that arrival order is known: a completion before its drink, repeats, and a
// late completion too old for the window.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateEventBusCommand,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  BUS_NAME,
  EVENT_SOURCE,
  contract,
  detailTypeOf,
  validateEvent,
  type EventEnvelope,
  type WaitTimesWaitTimeChanged,
} from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { startLocal, until, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
const queuedExample = contract.find((e) => e.name === 'OrderManager.WaitingCompletion')!.example as EventEnvelope;

let local: Local;
let db: DynamoDBDocumentClient;
let stack: StackRecord;
let ruleArn: string;

const at = (hour: number, minute: number) => new Date(Date.UTC(2025, 5, 1, hour, minute));

const queued = (eventId: string, orderId: string, drink: string, time: Date): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  DetailType: 'OrderManager.WaitingCompletion',
  Time: time,
  Detail: JSON.stringify({
    ...queuedExample.detail,
    eventId,
    orderId,
    state: `${eventId}-CREATED`,
    drinkOrder: { ...(queuedExample.detail.drinkOrder as object), drink },
  }),
});
const completed = (eventId: string, orderId: string, time: Date): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  Time: time,
  DetailType: detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId }),
  Detail: JSON.stringify({ orderId, eventId, userId: 'u-1', ORDERSTATE: `${eventId}-COMPLETED`, Message: 'done' }),
});

let sent = 0;
/** Puts the entries and waits until the rule delivered them all to the recorder, each a success. */
async function put(...entries: PutEventsRequestEntry[]): Promise<void> {
  expect((await local.eb.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount).toBe(0);
  sent += entries.length;
  await local.delivered(ruleArn, sent);
}

/** Every WaitTimes.WaitTimeChanged on the bus so far, from the local cloud's archive. */
const published = () => local.archived<WaitTimesWaitTimeChanged>({ 'detail-type': ['WaitTimes.WaitTimeChanged'] });

/** The newest average of a drink at an event (highest version) once it is the expected one. */
const latest = (eventId: string, drink: string, expected: Partial<WaitTimesWaitTimeChanged>) =>
  until(`${eventId} ${drink} at ${JSON.stringify(expected)}`, async () => {
    const mine = (await published()).map((e) => e.detail).filter((d) => d.eventId === eventId && d.drink === drink);
    const newest = mine.sort((a, b) => b.version - a.version)[0];
    return (
      newest && Object.entries(expected).every(([k, v]) => newest[k as keyof WaitTimesWaitTimeChanged] === v) && newest
    );
  });

/** The ARNs of every rule on the bus, sorted. */
const rulesOnBus = async () =>
  ((await local.eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }))).Rules ?? []).map((r) => r.Arn!).sort();

const windowItem = async (eventId: string, drink: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: stack.outputs.WaitTimesTableName!,
        Key: { eventId, sk: `DRINK#${drink}` },
        ConsistentRead: true,
      }),
    )
  ).Item;

beforeAll(async () => {
  local = await startLocal(1000);
  db = DynamoDBDocumentClient.from(new DynamoDBClient(local.client));
  await local.eb.send(new CreateEventBusCommand({ Name: BUS_NAME })); // the core's (or the player's) bus
  stack = await local.deploy(extensionDir, 'wait-times', { WindowSize: '3' });
  ruleArn = await local.ruleOf(stack);
}, 120_000);

afterAll(async () => {
  db?.destroy();
  await local?.close();
});

describe('WaitTimes on the local cloud', () => {
  it('puts the rolling average of the last 3 completions per drink and event on the bus', async () => {
    await put(
      queued('NYC', 'o-1', 'Caffe Latte', at(9, 0)),
      completed('NYC', 'o-1', at(9, 2)),
      queued('NYC', 'o-5', 'Espresso', at(9, 0)),
      completed('NYC', 'o-5', at(9, 1)),
      queued('BCN', 'o-7', 'Caffe Latte', at(9, 0)),
      completed('BCN', 'o-7', at(9, 4)),
    );
    expect(await latest('NYC', 'Caffe Latte', { averageSeconds: 120, samples: 1 })).toMatchObject({
      windowSize: 3,
      latestCompletedAt: '2025-06-01T09:02:00Z',
      Message: 'A Caffe Latte takes about 2 minutes right now (average of the last order).',
    });
    await latest('NYC', 'Espresso', { averageSeconds: 60, samples: 1 });
    await latest('BCN', 'Caffe Latte', { averageSeconds: 240, samples: 1 });

    // A completion whose drink is not known yet waits for it; then the drink, and the completion again.
    await put(completed('NYC', 'o-3', at(9, 6)));
    await put(
      queued('NYC', 'o-2', 'Caffe Latte', at(9, 1)),
      completed('NYC', 'o-2', at(9, 5)),
      queued('NYC', 'o-3', 'Caffe Latte', at(9, 3)),
      completed('NYC', 'o-3', at(9, 6)),
    );
    await latest('NYC', 'Caffe Latte', { averageSeconds: 180, samples: 3, latestCompletedAt: '2025-06-01T09:06:00Z' }); // 120, 240, 180 s

    // o-4 pushes o-1 out: 240, 180, 360 s.
    await put(queued('NYC', 'o-4', 'Caffe Latte', at(9, 4)), completed('NYC', 'o-4', at(9, 10)));
    const last = await latest('NYC', 'Caffe Latte', {
      averageSeconds: 260,
      samples: 3,
      latestCompletedAt: '2025-06-01T09:10:00Z',
    });
    expect((await windowItem('NYC', 'Caffe Latte'))!.samples.map((s: { orderId: string }) => s.orderId)).toEqual([
      'o-4',
      'o-3',
      'o-2',
    ]);

    // A late completion older than the window: recorded, the window and the average unchanged.
    await put(queued('NYC', 'o-6', 'Caffe Latte', at(8, 0)), completed('NYC', 'o-6', at(8, 30)));
    const record = (
      await db.send(
        new GetCommand({
          TableName: stack.outputs.WaitTimesTableName!,
          Key: { eventId: 'NYC', sk: 'ORDER#o-6' },
          ConsistentRead: true,
        }),
      )
    ).Item;
    expect(record).toMatchObject({ drink: 'Caffe Latte', completedAt: '2025-06-01T08:30:00Z' });
    expect((await windowItem('NYC', 'Caffe Latte'))!.version).toBe(last.version);

    // Everything it put is in the contract, each drink's versions rising in the order they were put.
    const events = await published();
    for (const e of events) expect(validateEvent(e).errors).toEqual([]);
    const versions = events
      .filter((e) => e.detail.eventId === 'NYC' && e.detail.drink === 'Caffe Latte')
      .map((e) => e.detail.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('deletes alone: a copy of it deploys, then its table and rule go with its stack, the extension stays', async () => {
    // Another copy of the extension, so that this test deletes no stack the other tests use.
    const copy = await local.deploy(extensionDir, `${stack.name}-deleted`, { WindowSize: '3' });
    const copyRule = await local.ruleOf(copy);
    const table = copy.outputs.WaitTimesTableName!;
    expect(table).not.toBe(stack.outputs.WaitTimesTableName);
    expect(await rulesOnBus()).toEqual([ruleArn, copyRule].sort());

    await local.deleteStack(copy.name);
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await rulesOnBus()).toEqual([ruleArn]);
    await db.send(new DescribeTableCommand({ TableName: stack.outputs.WaitTimesTableName }));
    expect(await local.stackNames()).toEqual([stack.name]);
  }, 60_000);
});

// The extension deployed on the local cloud from its own template, as `presso deploy` does, beside the
// EventPlayer (which creates the bus, as it does for an extension author without the core): the
// recorded session replayed onto the bus reaches the function through its rule, the function writes
// its table, and a copy of the stack deletes alone. Redeliveries and other tenants are put with the SDK.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BUS_NAME, contract, detailTypeOf, type EventEnvelope } from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, startLocal, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
// The repo's apps come from the testing package, so this test runs unchanged in a copy one folder deeper.
const session = JSON.parse(readFileSync(`${repo.player}/archive/session.json`, 'utf8')) as {
  events: Array<{ event: EventEnvelope }>;
};
const example = contract.find((e) => e.name === 'OrderManager.Order-COMPLETED')!.example as EventEnvelope;
const cancelled = contract.find((e) => e.name === 'OrderManager.Order-CANCELLED')!.example as EventEnvelope;

let local: Local;
let db: DynamoDBDocumentClient;
let stack: StackRecord;
let player: StackRecord;
let rule: string;

const completed = (eventId: string, orderId: string, orderNumber?: string) => ({
  EventBusName: BUS_NAME,
  Source: example.source,
  DetailType: detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId }),
  Detail: JSON.stringify({
    ...example.detail,
    eventId,
    orderId,
    ORDERSTATE: `${eventId}-COMPLETED`,
    ...(orderNumber ? { orderNumber } : {}),
  }),
});
/** The ARNs of every rule on the bus, sorted. */
const rulesOnBus = async () =>
  ((await local.eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }))).Rules ?? []).map((r) => r.Arn!).sort();
const rows = async () =>
  (await db.send(new ScanCommand({ TableName: stack.outputs.CompletedOrdersTableName }))).Items ?? [];

beforeAll(async () => {
  local = await startLocal(1000);
  db = DynamoDBDocumentClient.from(new DynamoDBClient(local.client));
  player = await local.deploy(repo.player, 'player', { CreateBus: 'true' });
  stack = await local.deploy(extensionDir, 'extension-model');
  rule = await local.ruleOf(stack);
}, 120_000);

afterAll(async () => {
  db?.destroy();
  await local?.close();
});

describe('the extension on the local cloud', () => {
  it('records every completed order of the replayed session, marked as a replay', async () => {
    const execution = await local.replay(player, { speed: 1, eventId: 'REPLAY' });
    const completedInSession = new Set(
      session.events
        .filter((e) => /^OrderManager\.Order.+-COMPLETED$/.test(e.event['detail-type']))
        .map((e) => e.event.detail.orderId),
    );
    await local.delivered(rule, completedInSession.size);

    const replayed = await rows();
    expect(new Set(replayed.map((i) => i.orderId))).toEqual(completedInSession);
    expect(replayed.every((i) => i.eventId === 'REPLAY' && i.replayName === execution)).toBe(true);
  });

  it('records each completed order once, of every tenant, and ignores other events', async () => {
    const before = (await rows()).length;
    const put = await local.eb.send(
      new PutEventsCommand({
        Entries: [
          completed('NYC', 'order-1', '101'),
          completed('BCN', 'order-2'),
          {
            EventBusName: BUS_NAME,
            Source: cancelled.source,
            DetailType: cancelled['detail-type'],
            Detail: JSON.stringify(cancelled.detail),
          },
          completed('NYC', 'order-1', '101'), // delivered again: EventBridge is at-least-once
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await local.delivered(rule, before + 3);

    const live = (await rows()).filter((i) => i.eventId !== 'REPLAY');
    expect(live.sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)))).toEqual([
      expect.objectContaining({
        eventId: 'NYC',
        orderId: 'order-1',
        userId: example.detail.userId,
        orderNumber: '101',
      }),
      expect.objectContaining({ eventId: 'BCN', orderId: 'order-2', userId: example.detail.userId }),
    ]);
    expect(live[0]!.completedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('deletes alone: a copy of it deploys, then its table and rule go with its stack, the player and the extension stay', async () => {
    const before = await rulesOnBus();
    // Another copy of the extension, so that this test deletes no stack the other tests use.
    const copy = await local.deploy(extensionDir, `${stack.name}-deleted`);
    const copyRule = await local.ruleOf(copy);
    const table = copy.outputs.CompletedOrdersTableName!;
    expect(table).not.toBe(stack.outputs.CompletedOrdersTableName);
    expect(await rulesOnBus()).toEqual([...before, copyRule].sort());

    await local.deleteStack(copy.name);
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await rulesOnBus()).toEqual(before);
    expect(before).toContain(rule);
    await db.send(new DescribeTableCommand({ TableName: stack.outputs.CompletedOrdersTableName }));
    expect(await local.stackNames()).toEqual(['player', stack.name]);
  }, 60_000);
});

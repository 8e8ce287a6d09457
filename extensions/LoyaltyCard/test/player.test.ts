// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant. With a card of
// one stamp every replayed completion of a person earns exactly one reward (the robot customers, user
// "robot", collect none by default): the rewards on the bus are those completions, and each
// customer's are numbered 1, 2, ... on their own card.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { validateEvent, type LoyaltyCardRewardEarned } from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, startLocal, until, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;
const TENANT = 'REPLAY';
/** How many orders the recording completed, as its archive says. */
const RECORDED_COMPLETIONS = (
  JSON.parse(readFileSync(`${repo.player}/archive/session.json`, 'utf8')) as {
    recording: { counts: Record<string, number> };
  }
).recording.counts['OrderManager.OrderNYC-COMPLETED']!;

let local: Local;
let db: DynamoDBClient;
let stack: StackRecord;
let player: StackRecord;

beforeAll(async () => {
  local = await startLocal(200);
  db = new DynamoDBClient(local.client);
  player = await local.deploy(repo.player, 'player', { CreateBus: 'true' });
  stack = await local.deploy(extensionDir, 'loyalty-card', { StampsPerReward: '1' });
}, 180_000);

afterAll(async () => {
  db?.destroy();
  await local?.close();
});

describe('LoyaltyCard beside the EventPlayer', () => {
  it('stamps every replayed completion of a person once, each on their own card', async () => {
    // Speed 1 for the player: the recorded gaps in whole seconds, which the local cloud's time scale shortens.
    const executionArn = await local.replay(player, { speed: 1, eventId: TENANT });
    const completions = await local.archived({
      resources: [executionArn],
      'detail-type': [{ wildcard: 'OrderManager.Order*-COMPLETED' }],
    });
    expect(completions).toHaveLength(RECORDED_COMPLETIONS);
    await local.delivered(await local.ruleOf(stack), completions.length);

    const people = completions.filter((e) => e.detail.userId !== 'robot');
    expect(people.length).toBeGreaterThan(0);
    expect(people.length).toBeLessThan(completions.length); // the recording's robots are left out
    // Every stamp is written: the table holds every reward there will be, and the bus gets each of them.
    const { Items } = await db.send(
      new ScanCommand({
        TableName: stack.outputs.LoyaltyTableName!,
        FilterExpression: 'begins_with(sk, :reward)',
        ExpressionAttributeValues: { ':reward': { S: 'REWARD#' } },
      }),
    );
    expect(Items).toHaveLength(people.length);
    const expected = people.map((e) => `${String(e.detail.userId)} ${String(e.detail.orderId)}`).sort();
    const rewards = await until('a reward for every completion of a person', async () => {
      const put = await local.archived<LoyaltyCardRewardEarned>({ 'detail-type': ['LoyaltyCard.RewardEarned'] });
      return put.length >= expected.length && put;
    });
    expect(rewards.map((e) => `${e.detail.userId} ${e.detail.orderId}`).sort()).toEqual(expected);
    const numbers = new Map<string, number[]>();
    for (const e of rewards) {
      expect(e.detail).toMatchObject({ eventId: TENANT, stamps: e.detail.rewardNumber, stampsPerReward: 1 });
      expect(validateEvent(e).errors).toEqual([]);
      numbers.set(e.detail.userId, [...(numbers.get(e.detail.userId) ?? []), e.detail.rewardNumber]);
    }
    for (const [userId, got] of numbers) {
      const completed = people.filter((e) => e.detail.userId === userId).length;
      expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: completed }, (_, i) => i + 1));
    }
  }, 180_000);
});

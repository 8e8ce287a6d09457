// The extension deployed on the local cloud from its own template, as `presso deploy` does, beside the
// core (whose bus it listens to and whose user pool its card route trusts, by the core's outputs):
// completed orders on the bus stamp their customers' cards through its rule, a full card's reward goes
// from the table's stream to the bus as LoyaltyCard.RewardEarned (read back from the local cloud's
// archive, as `presso events` does), and customers read their own card through its HTTP API with
// tokens of the core's pool. First, completions put with the SDK: the same customer's at once (racing
// for the card), and repeats; then a customer's real orders through the core's routes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListRulesCommand, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  BUS_NAME,
  EVENT_SOURCE,
  detailTypeOf,
  validateEvent,
  type LoyaltyCardRewardEarned,
} from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, orderThroughCore, startLocal, until, type Local } from '@serverlesspresso/testing';

const extensionDir = new URL('..', import.meta.url).pathname;

let local: Local;
let db: DynamoDBClient;
let stack: StackRecord;
let core: StackRecord;
let ruleArn: string;
const tokens: Record<string, string> = {};
const subs: Record<string, string> = {};

const completed = (eventId: string, orderId: string, userId: string): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  DetailType: detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId }),
  Detail: JSON.stringify({
    orderId,
    eventId,
    userId,
    ORDERSTATE: `${eventId}-COMPLETED`,
    Message: 'Barista has completed the order.',
  }),
});

let sent = 0;
/** Puts the entries and waits until the rule delivered them all, each a success. */
async function put(...entries: PutEventsRequestEntry[]): Promise<void> {
  expect((await local.eb.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount).toBe(0);
  sent += entries.length;
  await local.delivered(ruleArn, sent);
}

/** Every LoyaltyCard.RewardEarned on the bus so far, from the local cloud's archive. */
const rewards = () => local.archived<LoyaltyCardRewardEarned>({ 'detail-type': ['LoyaltyCard.RewardEarned'] });

async function card(eventId: string, bearer?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apis.LoyaltyApi!.url}/events/${eventId}/card`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The ARNs of every rule on the bus, sorted. */
const rulesOnBus = async () =>
  ((await local.eb.send(new ListRulesCommand({ EventBusName: BUS_NAME }))).Rules ?? []).map((r) => r.Arn!).sort();

beforeAll(async () => {
  local = await startLocal(20); // the core's 5-minute customer timeout lasts 15 s
  db = new DynamoDBClient(local.client);
  core = await local.deploy(repo.core, 'core'); // the bus, the user pool, the ordering app
  stack = await local.deploy(extensionDir, 'loyalty-card', {
    StampsPerReward: '3',
    UserPoolId: core.outputs.UserPoolId!,
    UserPoolClientId: core.outputs.UserPoolClientId!,
  });
  ruleArn = await local.ruleOf(stack);
  // The customers' ids are their tokens' subjects, as in the core's orders.
  for (const [user, groups] of [
    ['ana', []],
    ['ben', []],
    ['cy', []],
    ['dee', []],
    ['ada', ['admin']],
    ['bart', ['NYC.barista']],
  ] as const) {
    tokens[user] = await local.token({ user, groups: [...groups], userPool: core.outputs.UserPoolId! });
    subs[user] = (JSON.parse(Buffer.from(tokens[user]!.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
  }
}, 180_000);

afterAll(async () => {
  db?.destroy();
  await local?.close();
});

describe('LoyaltyCard on the local cloud', () => {
  it('stamps each completed order once and announces every third drink of a customer at an event', async () => {
    const ana = subs.ana!;
    const ben = subs.ben!;
    await put(
      completed('NYC', 'a-1', ana),
      completed('NYC', 'a-2', ana),
      completed('NYC', 'a-2', ana),
      completed('NYC', 'a-3', ana), // at once, a repeat among them
      completed('NYC', 'b-1', ben),
      completed('NYC', 'r-1', 'robot'),
      completed('NYC', 'r-2', 'robot'),
      completed('NYC', 'r-3', 'robot'),
      completed('BCN', 'a-9', ana),
    );
    await put(completed('NYC', 'a-2', ana), completed('NYC', 'a-4', ana), completed('NYC', 'b-2', ben)); // a-2 delivered again later

    // Every delivery is done: the table holds every reward there will be, and the bus gets each of them
    // (this test's customers' only: another test may have rewarded its own).
    const ours = (userId: string) => [ana, ben, 'robot'].includes(userId);
    const { Items } = await db.send(
      new ScanCommand({
        TableName: stack.outputs.LoyaltyTableName!,
        FilterExpression: 'begins_with(sk, :reward)',
        ExpressionAttributeValues: { ':reward': { S: 'REWARD#' } },
      }),
    );
    expect(Items!.filter((item) => ours(item.sk!.S!.split('#')[1]!))).toHaveLength(1);
    const earned = await until('the reward on the bus', async () => {
      const mine = (await rewards()).filter((e) => ours(e.detail.userId));
      return mine.length > 0 && mine;
    });
    expect(earned.map((e) => e.detail)).toEqual([
      {
        eventId: 'NYC',
        userId: ana,
        orderId: expect.stringMatching(/^a-[1-4]$/),
        rewardNumber: 1,
        stamps: 3,
        stampsPerReward: 3,
        Message: 'That was your 3rd drink at NYC: your next one is on us!',
      },
    ]);
    expect(validateEvent(earned[0]!).errors).toEqual([]);

    expect(await card('NYC', tokens.ana)).toEqual({
      status: 200,
      body: {
        eventId: 'NYC',
        userId: ana,
        stamps: 4,
        onCard: 1,
        stampsPerReward: 3,
        stampsToNextReward: 2,
        rewardsEarned: 1,
      },
    });
    expect((await card('NYC', tokens.ben)).body).toMatchObject({
      userId: ben,
      stamps: 2,
      stampsToNextReward: 1,
      rewardsEarned: 0,
    });
    expect((await card('BCN', tokens.ana)).body).toMatchObject({ eventId: 'BCN', stamps: 1, rewardsEarned: 0 });
  });

  it('shows a card only to its owner, with a token of the pool', async () => {
    expect(await card('NYC')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect((await card('NYC', tokens.cy)).body).toMatchObject({
      userId: subs.cy,
      stamps: 0,
      stampsToNextReward: 3,
      rewardsEarned: 0,
    });
  });

  it("rewards a customer's third real order through the core", async () => {
    const people = { admin: tokens.ada!, customer: tokens.dee!, barista: tokens.bart! };
    // One open order per customer (the core's default): each is completed before the next.
    await orderThroughCore(core, people, 'Espresso');
    await orderThroughCore(core, people, 'Flat White');
    const third = await orderThroughCore(core, people, 'Americano');
    const reward = await until("dee's reward on the bus", async () =>
      (await rewards()).find((e) => e.detail.userId === subs.dee),
    );
    expect(reward.detail).toMatchObject({ eventId: 'NYC', orderId: third, rewardNumber: 1, stamps: 3 });
    expect((await card('NYC', tokens.dee)).body).toMatchObject({ stamps: 3, onCard: 0, rewardsEarned: 1 });
  });

  it('deletes alone: a copy of it deploys, then its table, API and rule go with its stack, the core and the extension stay', async () => {
    const before = await rulesOnBus();
    // Another copy of the extension, so that this test deletes no stack the other tests use.
    const copy = await local.deploy(extensionDir, `${stack.name}-deleted`, {
      StampsPerReward: '3',
      UserPoolId: core.outputs.UserPoolId!,
      UserPoolClientId: core.outputs.UserPoolClientId!,
    });
    const copyRule = await local.ruleOf(copy);
    const table = copy.outputs.LoyaltyTableName!;
    const url = `${copy.apis.LoyaltyApi!.url}/events/NYC/card`;
    expect(table).not.toBe(stack.outputs.LoyaltyTableName);
    expect(copy.apis.LoyaltyApi!.url).not.toBe(stack.apis.LoyaltyApi!.url);
    expect((await fetch(url)).status).not.toBe(404);
    expect(await rulesOnBus()).toEqual([...before, copyRule].sort());

    await local.deleteStack(copy.name);
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await fetch(url)).status).toBe(404);
    expect(await rulesOnBus()).toEqual(before);
    expect(before).toContain(ruleArn);
    await db.send(new DescribeTableCommand({ TableName: stack.outputs.LoyaltyTableName }));
    expect((await fetch(`${stack.apis.LoyaltyApi!.url}/events/NYC/card`)).status).not.toBe(404);
    expect(await local.stackNames()).toEqual(['core', stack.name]);
  }, 60_000);
});

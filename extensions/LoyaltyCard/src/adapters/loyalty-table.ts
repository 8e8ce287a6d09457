// LoyaltyTable, the extension's own table: key eventId + sk.
//   sk = CARD#<userId>                 the customer's card at the event: stamps, rewards, stamps on the card
//   sk = STAMP#<userId>#<orderId>      one per completed order: a repeat of the completion finds it
//   sk = REWARD#<userId>#<n>           the customer's n-th reward; its insertion is what the publisher puts on the bus
// The stamp, the card and the reward are written in one transaction: the stamp only if it is new,
// the card only at the version it was read at.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LoyaltyCardRewardEarned } from '@serverlesspresso/catalog';
import { EMPTY_CARD, stamped, type Card, type Stamp } from '../domain/stamp.js';

const cardKey = (eventId: string, userId: string) => ({ eventId, sk: `CARD#${userId}` });
const stampKey = (s: Stamp) => ({ eventId: s.eventId, sk: `STAMP#${s.userId}#${s.orderId}` });
const rewardKey = (s: Stamp, n: number) => ({ eventId: s.eventId, sk: `REWARD#${s.userId}#${n}` });

/** A reward as the table keeps it (and its stream shows it): the event's detail but its message. */
export type RewardItem = Omit<LoyaltyCardRewardEarned, 'Message'>;

/** How often a stamp that lost a race with another stamp of the same card is tried again. */
const ATTEMPTS = 10;

export type StampOutcome = 'stamped' | 'reward' | 'already stamped';

export class LoyaltyTable {
  private readonly db: DynamoDBDocumentClient;

  // The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
  constructor(
    private readonly tableName: string,
    client = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client);
  }

  async card(eventId: string, userId: string): Promise<Card> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: cardKey(eventId, userId) }));
    return Item ? cardOf(Item) : EMPTY_CARD;
  }

  /** Puts the stamp on its card once, and the reward when it fills the card. */
  async stamp(stamp: Stamp, stampsPerReward: number): Promise<StampOutcome> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const key = cardKey(stamp.eventId, stamp.userId);
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const version = typeof Item?.version === 'number' ? Item.version : 0;
      const { card, rewardNumber } = stamped(Item ? cardOf(Item) : EMPTY_CARD, stampsPerReward);
      const reward: RewardItem | undefined =
        rewardNumber === undefined ? undefined : { ...stamp, rewardNumber, stamps: card.stamps, stampsPerReward };
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...stampKey(stamp), completedAt: stamp.completedAt, stampNumber: card.stamps },
                  ConditionExpression: 'attribute_not_exists(sk)',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...key, userId: stamp.userId, ...card, version: version + 1 },
                  ...(Item
                    ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }
                    : { ConditionExpression: 'attribute_not_exists(sk)' }),
                },
              },
              ...(reward
                ? [
                    {
                      Put: {
                        TableName: this.tableName,
                        Item: { ...rewardKey(stamp, reward.rewardNumber), ...reward, earnedAt: stamp.completedAt },
                        ConditionExpression: 'attribute_not_exists(sk)',
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return reward ? 'reward' : 'stamped';
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw e;
        const [stamp, card] = (e.CancellationReasons ?? []).map((r) => r.Code);
        if (stamp === 'ConditionalCheckFailed') return 'already stamped'; // a repeat of the completion: its stamp is on the card
        // Another stamp of this card was written since the read, or another transaction held the card
        // (TransactionConflict): read it again.
        if (card !== 'ConditionalCheckFailed' && ![stamp, card].includes('TransactionConflict')) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
    throw new Error(
      `card ${stamp.eventId}/${stamp.userId}: still racing other stamps after ${ATTEMPTS} attempts; EventBridge will deliver it again`,
    );
  }
}

function cardOf(item: Record<string, unknown>): Card {
  const n = (k: string) => (typeof item[k] === 'number' ? item[k] : 0);
  return { stamps: n('stamps'), rewards: n('rewards'), onCard: n('onCard') };
}

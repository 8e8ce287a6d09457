import { describe, expect, it } from '@jest/globals';
import { contract, validateEvent, type EventEnvelope } from '@serverlesspresso/catalog';
import {
  cardView,
  configOf,
  EMPTY_CARD,
  rewardEarned,
  stamped,
  stampOf,
  type Card,
  type CompletedEvent,
} from '../../src/domain/stamp.js';

const example = () =>
  structuredClone(
    contract.find((e) => e.name === 'OrderManager.Order-COMPLETED')!.example,
  ) as EventEnvelope as unknown as CompletedEvent;
const config = configOf({ stampsPerReward: '3', excludedUserIds: 'robot, test-bot' });
const customer = (userId: string) => {
  const event = example();
  event.detail.userId = userId;
  return event;
};

describe('stampOf', () => {
  it("stamps the customer's card at the event of a completed order", () => {
    const event = customer('ana');
    expect(stampOf(event, config)).toEqual({
      eventId: 'NYC',
      userId: 'ana',
      orderId: event.detail.orderId,
      completedAt: event.time,
    });
  });

  it("leaves excluded customers out (the contract's own example is a robot's)", () => {
    expect(stampOf(example(), config)).toBeUndefined();
    expect(stampOf(customer('test-bot'), config)).toBeUndefined();
  });

  it('refuses what the rule never delivers, naming the field', () => {
    expect(() => stampOf({ ...customer('ana'), 'detail-type': 'OrderManager.OrderNYC-CANCELLED' }, config)).toThrow(
      'is not OrderManager.Order<eventId>-COMPLETED',
    );
    expect(() => stampOf({ ...customer('ana'), 'detail-type': 'OrderManager.OrderBCN-COMPLETED' }, config)).toThrow(
      'differs from the tenant "BCN"',
    );
    expect(() => stampOf(customer(''), config)).toThrow('detail.userId is missing');
  });
});

describe('a card', () => {
  it('earns a reward every N stamps, numbered', () => {
    let card: Card = EMPTY_CARD;
    const rewards: (number | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      const next = stamped(card, 3);
      rewards.push(next.rewardNumber);
      card = next.card;
    }
    expect(rewards).toEqual([undefined, undefined, 1, undefined, undefined, 2, undefined]);
    expect(card).toEqual({ stamps: 7, rewards: 2, onCard: 1 });
    expect(cardView('NYC', 'ana', card, 3)).toEqual({
      eventId: 'NYC',
      userId: 'ana',
      stamps: 7,
      onCard: 1,
      stampsPerReward: 3,
      stampsToNextReward: 2,
      rewardsEarned: 2,
    });
  });

  it('keeps reward numbers going when the card size changes', () => {
    const card: Card = { stamps: 4, rewards: 1, onCard: 2 };
    expect(stamped(card, 2)).toEqual({ card: { stamps: 5, rewards: 2, onCard: 0 }, rewardNumber: 2 }); // smaller: fills at once
    expect(stamped(card, 5)).toEqual({ card: { stamps: 5, rewards: 1, onCard: 3 } });
    expect(cardView('NYC', 'ana', { stamps: 9, rewards: 1, onCard: 4 }, 3).stampsToNextReward).toBe(1);
  });
});

describe('LoyaltyCard.RewardEarned', () => {
  it('names the reward and the order that earned it, valid against the contract', () => {
    const detail = rewardEarned({
      eventId: 'NYC',
      userId: 'ana',
      orderId: 'o-9',
      rewardNumber: 3,
      stamps: 12,
      stampsPerReward: 4,
    });
    expect(detail).toEqual({
      eventId: 'NYC',
      userId: 'ana',
      orderId: 'o-9',
      rewardNumber: 3,
      stamps: 12,
      stampsPerReward: 4,
      Message: 'That was your 12th drink at NYC: your next one is on us!',
    });
    const envelope = {
      version: '0',
      id: 'x',
      'detail-type': 'LoyaltyCard.RewardEarned',
      source: 'awsserverlessda.serverlesspresso',
      account: '123456789012',
      time: '2025-06-01T09:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail,
    };
    expect(validateEvent(envelope).errors).toEqual([]);
    expect(
      [1, 2, 3, 4, 11, 21, 22, 23, 112].map(
        (stamps) =>
          rewardEarned({
            eventId: 'NYC',
            userId: 'a',
            orderId: 'o',
            rewardNumber: 1,
            stamps,
            stampsPerReward: 1,
          }).Message.split(' ')[3],
      ),
    ).toEqual(['1st', '2nd', '3rd', '4th', '11th', '21st', '22nd', '23rd', '112th']);
  });
});

describe('configOf', () => {
  it('reads the parameters, naming a bad one', () => {
    expect(configOf({ stampsPerReward: '5', excludedUserIds: '' })).toEqual({
      stampsPerReward: 5,
      excludedUserIds: new Set(),
    });
    expect(() => configOf({ stampsPerReward: '0', excludedUserIds: 'robot' })).toThrow(
      'StampsPerReward "0": must be a whole number of 1 or more',
    );
    expect(() => configOf({ stampsPerReward: undefined, excludedUserIds: 'robot' })).toThrow(
      'StampsPerReward "undefined"',
    );
  });
});

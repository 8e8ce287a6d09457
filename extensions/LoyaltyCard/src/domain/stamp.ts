// Stamps and rewards: pure, so they are tested without AWS.
import type { LoyaltyCardRewardEarned, OrderManagerOrderCompleted } from '@serverlesspresso/catalog';

/** The envelope EventBridge delivers to the function (only the fields read here). */
export interface CompletedEvent {
  id: string;
  'detail-type': string;
  time: string;
  detail: Partial<OrderManagerOrderCompleted>;
}

/** One stamp: a completed order on its customer's card at its event. */
export interface Stamp {
  eventId: string;
  userId: string;
  orderId: string;
  completedAt: string;
}

export interface LoyaltyConfig {
  stampsPerReward: number;
  /** Customers who collect no stamps: the original OrderRobot's simulated customers are all "robot". */
  excludedUserIds: ReadonlySet<string>;
}

const COMPLETED = /^OrderManager\.Order(.+)-COMPLETED$/;

function text(event: CompletedEvent, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new Error(`${field} is missing in event ${event.id} (${event['detail-type']})`);
  return value;
}

/** The stamp a completion earns, or undefined for an excluded customer; throws, naming the field, on what the rule never delivers. */
export function stampOf(event: CompletedEvent, config: LoyaltyConfig): Stamp | undefined {
  const tenant = COMPLETED.exec(event['detail-type'])?.[1];
  if (tenant === undefined)
    throw new Error(
      `detail-type "${event['detail-type']}" of event ${event.id} is not OrderManager.Order<eventId>-COMPLETED`,
    );
  const detail = event.detail ?? {};
  const eventId = text(event, 'detail.eventId', detail.eventId);
  if (eventId !== tenant)
    throw new Error(`detail.eventId "${eventId}" differs from the tenant "${tenant}" of the detail-type`);
  const userId = text(event, 'detail.userId', detail.userId);
  if (config.excludedUserIds.has(userId)) return undefined;
  return { eventId, userId, orderId: text(event, 'detail.orderId', detail.orderId), completedAt: event.time };
}

/** A customer's card at an event. */
export interface Card {
  /** Every stamp collected. */
  stamps: number;
  /** Rewards earned. */
  rewards: number;
  /** Stamps since the last reward: the card fills when they reach stampsPerReward. */
  onCard: number;
}

export const EMPTY_CARD: Card = { stamps: 0, rewards: 0, onCard: 0 };

/**
 * The card after one more stamp, and the number of the reward it earns when it fills. Counting what
 * is on the card (rather than stamps modulo N) keeps reward numbers unique when the operator changes
 * StampsPerReward: a card fills at the new size, and its rewards go on from where they were.
 */
export function stamped(card: Card, stampsPerReward: number): { card: Card; rewardNumber?: number } {
  const onCard = card.onCard + 1;
  if (onCard < stampsPerReward) return { card: { stamps: card.stamps + 1, rewards: card.rewards, onCard } };
  const rewards = card.rewards + 1;
  return { card: { stamps: card.stamps + 1, rewards, onCard: 0 }, rewardNumber: rewards };
}

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** LoyaltyCard.RewardEarned for a reward. */
export function rewardEarned(reward: Omit<LoyaltyCardRewardEarned, 'Message'>): LoyaltyCardRewardEarned {
  return {
    eventId: reward.eventId,
    userId: reward.userId,
    orderId: reward.orderId,
    rewardNumber: reward.rewardNumber,
    stamps: reward.stamps,
    stampsPerReward: reward.stampsPerReward,
    Message: `That was your ${ordinal(reward.stamps)} drink at ${reward.eventId}: your next one is on us!`,
  };
}

/** What a customer sees of their card at an event. */
export function cardView(eventId: string, userId: string, card: Card, stampsPerReward: number) {
  return {
    eventId,
    userId,
    stamps: card.stamps,
    onCard: card.onCard,
    stampsPerReward,
    stampsToNextReward: Math.max(1, stampsPerReward - card.onCard),
    rewardsEarned: card.rewards,
  };
}

/** The configuration from the template's parameters; throws naming the parameter. */
export function configOf(input: {
  stampsPerReward: string | undefined;
  excludedUserIds: string | undefined;
}): LoyaltyConfig {
  const stampsPerReward = Number(input.stampsPerReward);
  if (!Number.isInteger(stampsPerReward) || stampsPerReward < 1)
    throw new Error(`StampsPerReward "${String(input.stampsPerReward)}": must be a whole number of 1 or more`);
  const excludedUserIds = new Set(
    (input.excludedUserIds ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== ''),
  );
  return { stampsPerReward, excludedUserIds };
}

// The board at the coffee bar: what is being made, what is next, and which numbers to collect. The
// original pushed these changes over IoT Core; here the board polls one route fed by the order table,
// which works the same in AWS and on the local cloud. No customer ids on it: it hangs in public.
import type { EventConfig } from './config.js';
import { baristaQueue, type Order } from './order.js';

export interface BoardEntry {
  orderNumber: string;
  drink: string;
  icon: string;
  /** QUEUED: numbered and waiting for a barista; MAKING: a barista is on it; READY: collect it. */
  status: 'QUEUED' | 'MAKING' | 'READY';
  /** When it entered this status, epoch ms. */
  since: number;
}

export interface DisplayBoard {
  eventId: string;
  storeOpen: boolean;
  /** The barista queue in its order: the ones being made, then the next ones. */
  queue: BoardEntry[];
  /** Completed recently, newest first. */
  ready: BoardEntry[];
  /** When the board was computed, epoch ms; the display polls again after pollAfterMs. */
  generatedAt: number;
  pollAfterMs: number;
}

export const BOARD_DEFAULTS = { readyWindowMs: 10 * 60_000, readyLimit: 12, pollAfterMs: 2_000 } as const;

function entry(order: Order, status: BoardEntry['status'], since: number): BoardEntry | undefined {
  if (order.orderNumber === undefined || order.drinkOrder === undefined) return undefined;
  return { orderNumber: order.orderNumber, drink: order.drinkOrder.drink, icon: order.drinkOrder.icon, status, since };
}

/**
 * The board of one event from its open and recently completed orders (other events' orders and
 * orders without a number are left out). Completed orders older than readyWindowMs have been collected.
 */
export function displayBoard(input: {
  config: Pick<EventConfig, 'eventId' | 'storeOpen'>;
  orders: readonly Order[];
  now: number;
  readyWindowMs?: number;
  readyLimit?: number;
}): DisplayBoard {
  const { config, now } = input;
  const readyWindowMs = input.readyWindowMs ?? BOARD_DEFAULTS.readyWindowMs;
  const readyLimit = input.readyLimit ?? BOARD_DEFAULTS.readyLimit;
  const queued = baristaQueue(input.orders, config.eventId);
  // Those being made first: they will be ready soonest.
  const making = queued.filter((o) => o.status === 'MAKING').map((o) => entry(o, 'MAKING', o.claimedAt ?? o.updatedAt));
  const waiting = queued.filter((o) => o.status !== 'MAKING').map((o) => entry(o, 'QUEUED', o.queuedAt ?? o.updatedAt));
  const ready = input.orders
    .filter(
      (o) =>
        o.eventId === config.eventId &&
        o.status === 'COMPLETED' &&
        now - (o.completedAt ?? o.updatedAt) <= readyWindowMs,
    )
    .sort((a, b) => (b.completedAt ?? b.updatedAt) - (a.completedAt ?? a.updatedAt))
    .slice(0, readyLimit)
    .map((o) => entry(o, 'READY', o.completedAt ?? o.updatedAt));
  const present = (e: BoardEntry | undefined): e is BoardEntry => e !== undefined;
  return {
    eventId: config.eventId,
    storeOpen: config.storeOpen,
    queue: [...making, ...waiting].filter(present),
    ready: ready.filter(present),
    generatedAt: now,
    pollAfterMs: BOARD_DEFAULTS.pollAfterMs,
  };
}

import { describe, expect, it } from '@jest/globals';
import { displayBoard } from '../../src/domain/display.js';
import type { Order } from '../../src/domain/order.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const drink = { drink: 'Flat White', modifiers: [], icon: 'barista-icons_cappuccino-alternative' };
let n = 0;
function order(patch: Partial<Order>): Order {
  n += 1;
  return {
    orderId: `o${n}`,
    eventId: 'NYC',
    userId: `u${n}`,
    status: 'SUBMITTED',
    robot: false,
    version: 3,
    createdAt: T0,
    updatedAt: T0,
    ...patch,
  };
}

describe('displayBoard', () => {
  it('shows orders being made, then the queue, then recently completed ones, without customers', () => {
    const orders = [
      order({ orderNumber: '3', drinkOrder: drink, completionTaskToken: 't', queuedAt: T0 + 3 }),
      order({ orderNumber: '1', drinkOrder: drink, completionTaskToken: 't', queuedAt: T0 + 1 }),
      order({
        status: 'MAKING',
        orderNumber: '2',
        drinkOrder: drink,
        completionTaskToken: 't',
        queuedAt: T0 + 2,
        claimedAt: T0 + 10,
      }),
      order({ status: 'COMPLETED', orderNumber: '0', drinkOrder: drink, completedAt: T0 + 20 }),
      order({ status: 'COMPLETED', orderNumber: '9', drinkOrder: drink, completedAt: T0 - 11 * 60_000 }),
      order({ status: 'CREATED' }),
      order({ eventId: 'LDN', orderNumber: '7', drinkOrder: drink, completionTaskToken: 't' }),
    ];
    const board = displayBoard({ config: { eventId: 'NYC', storeOpen: true }, orders, now: T0 + 60_000 });
    expect(board.queue.map((e) => [e.orderNumber, e.status])).toEqual([
      ['2', 'MAKING'],
      ['1', 'QUEUED'],
      ['3', 'QUEUED'],
    ]);
    expect(board.ready.map((e) => e.orderNumber)).toEqual(['0']);
    expect(board).toMatchObject({ eventId: 'NYC', storeOpen: true, generatedAt: T0 + 60_000 });
    expect(JSON.stringify(board)).not.toMatch(/"u\d"/);
  });
});

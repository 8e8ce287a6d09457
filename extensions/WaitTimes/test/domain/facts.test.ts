import { describe, expect, it } from '@jest/globals';
import { contract, type EventEnvelope } from '@serverlesspresso/catalog';
import { factOf, type OrderEvent } from '../../src/domain/facts.js';

const example = (name: string) =>
  structuredClone(contract.find((e) => e.name === name)!.example) as EventEnvelope as unknown as OrderEvent;

describe('factOf', () => {
  it('reads the drink and envelope time of a queued order, and a completion of any tenant', () => {
    const queued = example('OrderManager.WaitingCompletion');
    expect(factOf(queued)).toEqual({
      kind: 'queued',
      eventId: 'NYC',
      orderId: queued.detail.orderId,
      at: queued.time,
      drink: 'Flat White',
    });
    const completed = { ...example('OrderManager.Order-COMPLETED'), 'detail-type': 'OrderManager.OrderBCN-COMPLETED' };
    completed.detail.eventId = 'BCN';
    expect(factOf(completed)).toEqual({
      kind: 'completed',
      eventId: 'BCN',
      orderId: completed.detail.orderId,
      at: completed.time,
    });
  });

  it('refuses what the rule never delivers, naming the field', () => {
    expect(() => factOf(example('OrderManager.Order-CANCELLED'))).toThrow('is not one this function reads');
    expect(() =>
      factOf({ ...example('OrderManager.Order-COMPLETED'), 'detail-type': 'OrderManager.OrderBCN-COMPLETED' }),
    ).toThrow('differs from the tenant "BCN"');
    const noDrink = example('OrderManager.WaitingCompletion');
    (noDrink.detail as { drinkOrder: { drink?: string } }).drinkOrder.drink = '';
    expect(() => factOf(noDrink)).toThrow('detail.drinkOrder.drink is missing');
    expect(() => factOf({ ...example('OrderManager.Order-COMPLETED'), time: 'noon' })).toThrow('not an ISO 8601 date');
  });
});

import { describe, expect, it } from '@jest/globals';
import { contract, type EventEnvelope } from '@serverlesspresso/catalog';
import { factOf, type OrderEvent } from '../../src/domain/facts.js';

// The contract's own examples: what the core puts on the bus.
const example = (name: string) =>
  structuredClone(contract.find((e) => e.name === name)!.example) as EventEnvelope as unknown as OrderEvent;

describe('factOf', () => {
  it('reads the drink and the envelope time of an order entering the queue', () => {
    const event = example('OrderManager.WaitingCompletion');
    expect(factOf(event)).toEqual({
      kind: 'queued',
      eventId: 'NYC',
      orderId: event.detail.orderId,
      at: event.time,
      drink: 'Flat White',
    });
  });

  it('reads completions and cancellations of every tenant', () => {
    const completed = example('OrderManager.Order-COMPLETED');
    expect(factOf(completed)).toEqual({
      kind: 'completed',
      eventId: 'NYC',
      orderId: completed.detail.orderId,
      at: completed.time,
    });
    const cancelled = example('OrderManager.Order-CANCELLED');
    cancelled['detail-type'] = 'OrderManager.OrderBCN-CANCELLED';
    cancelled.detail.eventId = 'BCN';
    expect(factOf(cancelled)).toMatchObject({ kind: 'cancelled', eventId: 'BCN' });
  });

  it('refuses what the rule never delivers, naming the field', () => {
    const noDrink = example('OrderManager.WaitingCompletion');
    delete (noDrink.detail as { drinkOrder?: unknown }).drinkOrder;
    expect(() => factOf(noDrink)).toThrow('detail.drinkOrder.drink is missing');
    expect(() => factOf({ ...example('OrderManager.MakeOrder') })).toThrow('is not one this function counts');
    expect(() =>
      factOf({ ...example('OrderManager.Order-COMPLETED'), 'detail-type': 'OrderManager.OrderBCN-COMPLETED' }),
    ).toThrow('differs from the tenant "BCN"');
    expect(() => factOf({ ...example('OrderManager.Order-COMPLETED'), time: 'yesterday' })).toThrow(
      'is not an ISO 8601 date',
    );
    const noOrder = example('OrderManager.Order-COMPLETED');
    noOrder.detail.orderId = '';
    expect(() => factOf(noOrder)).toThrow('detail.orderId is missing');
  });
});

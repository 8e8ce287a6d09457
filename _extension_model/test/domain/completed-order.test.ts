import { describe, expect, it } from '@jest/globals';
import { contract, type EventEnvelope } from '@serverlesspresso/catalog';
import { completedOrderOf, type CompletedOrderEvent } from '../../src/domain/completed-order.js';

// The contract's own example: what the core puts on the bus.
const example = () =>
  structuredClone(
    contract.find((e) => e.name === 'OrderManager.Order-COMPLETED')!.example,
  ) as EventEnvelope as unknown as CompletedOrderEvent;

describe('completedOrderOf', () => {
  it('keeps the tenant, the order, the customer and when it was completed', () => {
    const event = example();
    expect(completedOrderOf(event)).toEqual({
      eventId: 'NYC',
      orderId: event.detail.orderId,
      userId: event.detail.userId,
      completedAt: event.time,
      sourceEventId: event.id,
    });
  });

  it("names the EventPlayer's execution as the replay of an event it replayed", () => {
    const replay = 'arn:aws:states:us-east-1:000000000000:execution:EventPlayer-abc:run-1';
    const event = example();
    expect(completedOrderOf({ ...event, detail: { ...event.detail, replay } })).toMatchObject({ replayName: replay });
  });

  it('keeps the order number and the replay name when the event carries them', () => {
    const event = { ...example(), 'replay-name': 'session-1' };
    event.detail.orderNumber = 112;
    expect(completedOrderOf(event)).toMatchObject({ orderNumber: '112', replayName: 'session-1' });
  });

  it('refuses another detail-type, a missing field and a tenant that differs from the detail-type', () => {
    expect(() => completedOrderOf({ ...example(), 'detail-type': 'OrderManager.OrderNYC-CANCELLED' })).toThrow(
      'is not OrderManager.Order<eventId>-COMPLETED',
    );
    const missing = example();
    missing.detail.orderId = '';
    expect(() => completedOrderOf(missing)).toThrow('detail.orderId is missing');
    expect(() => completedOrderOf({ ...example(), 'detail-type': 'OrderManager.OrderBCN-COMPLETED' })).toThrow(
      'differs from the tenant "BCN"',
    );
  });
});

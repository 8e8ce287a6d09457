import { describe, expect, it } from '@jest/globals';
import { eventOpenOrdersKey, userOpenOrdersKey } from '../../src/domain/openOrders.js';

describe('open-order sets', () => {
  it('key an event and a customer at an event', () => {
    expect(eventOpenOrdersKey('NYC')).toBe('openOrders-NYC');
    expect(userOpenOrdersKey('NYC', 'user-1')).toBe('userOrders-NYC-user-1');
  });
});

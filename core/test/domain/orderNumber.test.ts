import { describe, expect, it } from '@jest/globals';
import {
  formatOrderNumber,
  isOrderNumber,
  orderNumberCounterKey,
  orderNumberFromCounter,
  parseOrderNumber,
} from '../../src/domain/orderNumber.js';

describe('order numbers', () => {
  it('are plain decimal strings', () => {
    expect(formatOrderNumber(112)).toBe('112');
    expect(formatOrderNumber(0)).toBe('0');
    expect(formatOrderNumber(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it('refuse what is not a whole number from 0', () => {
    for (const n of [-1, 1.5, NaN, Infinity, 2 ** 53]) expect(() => formatOrderNumber(n)).toThrow(RangeError);
    expect(() => formatOrderNumber(-1)).toThrow('an order number must be a whole number from 0, got -1');
  });

  it('are recognised and parsed as the contract writes them', () => {
    expect(isOrderNumber('112')).toBe(true);
    for (const v of ['', '1e3', '-1', ' 12', '12a', 112, undefined]) expect(isOrderNumber(v)).toBe(false);
    expect(parseOrderNumber('0112')).toBe(112);
    expect(parseOrderNumber('x')).toBeUndefined();
    expect(parseOrderNumber('99999999999999999999')).toBeUndefined();
  });

  it('come from an atomic per-event counter that starts itself', () => {
    expect(orderNumberCounterKey('NYC')).toBe('orderNumber-NYC');
    expect(orderNumberFromCounter({ value: 113 })).toBe('113');
    expect(() => orderNumberFromCounter(undefined)).toThrow('the order counter returned undefined, not a number');
    expect(() => orderNumberFromCounter({ value: '113' })).toThrow(TypeError);
  });
});

import { describe, expect, it } from '@jest/globals';
import { configOf } from '../../src/domain/config.js';

describe('configOf', () => {
  it('reads prices into minor units, exactly', () => {
    const config = configOf({ prices: 'Espresso=2.5, Flat White=3.75,Bens Brew=3', currency: 'USD', timeZone: 'UTC' });
    expect(Object.fromEntries(config.prices)).toEqual({ Espresso: 250, 'Flat White': 375, 'Bens Brew': 300 });
    expect(config.priceOf('Flat White')).toBe(375);
    expect(config.priceOf('Mocha')).toBeUndefined();
    expect(configOf({ prices: 'Matcha=0.29', currency: 'USD', timeZone: 'UTC' }).priceOf('Matcha')).toBe(29);
  });

  it('uses the minor units of the currency', () => {
    const yen = configOf({ prices: 'Espresso=400', currency: 'JPY', timeZone: 'Asia/Tokyo' });
    expect(yen.minorDigits).toBe(0);
    expect(yen.priceOf('Espresso')).toBe(400);
    expect(() => configOf({ prices: 'Espresso=400.5', currency: 'JPY', timeZone: 'UTC' })).toThrow(
      'at most 0 decimals',
    );
  });

  it('counts days in the time zone', () => {
    expect(configOf({ prices: '', currency: 'USD', timeZone: 'UTC' }).dayOf('2025-06-02T03:00:00Z')).toBe('2025-06-02');
    expect(configOf({ prices: '', currency: 'USD', timeZone: 'America/New_York' }).dayOf('2025-06-02T03:00:00Z')).toBe(
      '2025-06-01',
    );
  });

  it('lists every problem with the parameter and what to write', () => {
    let message = '';
    try {
      configOf({ prices: 'Espresso=2.50,Latte,Mocha=cheap,Espresso=3', currency: 'usd', timeZone: 'Mars/Olympus' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'The OrderMetrics configuration is not valid:',
      '- Currency "usd": must be an ISO 4217 code of three capital letters, e.g. USD',
      '- TimeZone "Mars/Olympus": not an IANA time zone; write one like UTC or America/New_York',
      '- Prices: entry 2 "Latte": write it as Drink=amount, e.g. Espresso=2.50',
      '- Prices: entry 3 "Mocha=cheap": the amount must be a number with at most 2 decimals, e.g. 3.50',
      '- Prices: entry 4 "Espresso=3": Espresso is priced twice',
    ]);
  });
});

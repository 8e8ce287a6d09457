import { describe, expect, it } from '@jest/globals';
import { groupsOf, isAdmin } from '../../src/domain/caller.js';
import { rangeOf, reportOf } from '../../src/domain/report.js';

describe('rangeOf', () => {
  it('is today, one day, or a range', () => {
    expect(rangeOf(undefined, '2025-06-03')).toEqual({ from: '2025-06-03', to: '2025-06-03' });
    expect(rangeOf({ day: '2025-06-01' }, '2025-06-03')).toEqual({ from: '2025-06-01', to: '2025-06-01' });
    expect(rangeOf({ from: '2025-05-01', to: '2025-05-31' }, '2025-06-03')).toEqual({
      from: '2025-05-01',
      to: '2025-05-31',
    });
    expect(rangeOf({ from: '2025-05-01' }, '2025-06-03')).toEqual({ from: '2025-05-01', to: '2025-05-01' });
  });

  it('refuses bad dates and ranges, naming the field', () => {
    expect(() => rangeOf({ day: '2025-02-30' }, 'x')).toThrow('day "2025-02-30" is not a date: write it as YYYY-MM-DD');
    expect(() => rangeOf({ day: '2025-06-01', from: '2025-06-01' }, 'x')).toThrow('either day or from and to');
    expect(() => rangeOf({ from: '2025-06-02', to: '2025-06-01' }, 'x')).toThrow(
      'from 2025-06-02 is after to 2025-06-01',
    );
    expect(() => rangeOf({ from: '2025-05-01', to: '2025-06-01' }, 'x')).toThrow('at most 31 days');
  });
});

describe('reportOf', () => {
  it('groups rows per day with totals and open orders, leaving out rows that net to nothing', () => {
    const rows = [
      { day: '2025-06-02', drink: 'Latte', orders: 2, completed: 1, cancelled: 0, sales: 375, unpriced: 0 },
      { day: '2025-06-01', drink: 'Latte', orders: 3, completed: 2, cancelled: 1, sales: 750, unpriced: 0 },
      { day: '2025-06-01', drink: 'Espresso', orders: 1, completed: 1, sales: 250 },
      { day: '2025-06-01', drink: 'Mocha', orders: 0, completed: 0, cancelled: 0, sales: 0, unpriced: 0 },
    ];
    const report = reportOf(
      'NYC',
      { from: '2025-06-01', to: '2025-06-02' },
      { timeZone: 'UTC', currency: 'USD' },
      rows,
    );
    expect(report).toEqual({
      eventId: 'NYC',
      from: '2025-06-01',
      to: '2025-06-02',
      timeZone: 'UTC',
      currency: 'USD',
      days: [
        {
          day: '2025-06-01',
          drinks: [
            { drink: 'Espresso', orders: 1, completed: 1, cancelled: 0, sales: 250, unpriced: 0, open: 0 },
            { drink: 'Latte', orders: 3, completed: 2, cancelled: 1, sales: 750, unpriced: 0, open: 0 },
          ],
          totals: { orders: 4, completed: 3, cancelled: 1, sales: 1000, unpriced: 0, open: 0 },
        },
        {
          day: '2025-06-02',
          drinks: [{ drink: 'Latte', orders: 2, completed: 1, cancelled: 0, sales: 375, unpriced: 0, open: 1 }],
          totals: { orders: 2, completed: 1, cancelled: 0, sales: 375, unpriced: 0, open: 1 },
        },
      ],
    });
  });
});

describe('the caller', () => {
  it('reads cognito:groups in every form it arrives in', () => {
    expect(groupsOf(['admin', 'barista'])).toEqual(['admin', 'barista']);
    expect(groupsOf('[admin barista]')).toEqual(['admin', 'barista']);
    expect(groupsOf('["admin","barista"]')).toEqual(['admin', 'barista']);
    expect(groupsOf('admin')).toEqual(['admin']);
    expect(groupsOf(undefined)).toEqual([]);
    expect(isAdmin({ 'cognito:groups': '[barista]' })).toBe(false);
    expect(isAdmin({ 'cognito:groups': '[barista admin]' })).toBe(true);
    expect(isAdmin(undefined)).toBe(false);
  });
});

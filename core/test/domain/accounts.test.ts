// Who may order, and one limit per mailbox: the rules, without AWS.
import { describe, expect, it } from '@jest/globals';
import {
  blockedUserKey,
  canonicalMailbox,
  liveMailboxOrders,
  mailboxLimitError,
  mailboxOrdersKey,
  orderingRefusal,
} from '../../src/domain/index.js';

describe('canonicalMailbox', () => {
  it('ignores case and spaces everywhere', () => {
    expect(canonicalMailbox('  Ana.Lima@Example.COM ')).toBe('ana.lima@example.com');
  });

  it('drops dots and +tags at Gmail, googlemail.com being gmail.com', () => {
    for (const address of ['ana.lima@gmail.com', 'AnaLima+bar@gmail.com', 'a.n.a.l.i.m.a+1+2@googlemail.com'])
      expect(canonicalMailbox(address)).toBe('analima@gmail.com');
  });

  it('drops +tags (not dots) where a plus reaches the same mailbox', () => {
    expect(canonicalMailbox('ana.lima+coffee@outlook.com')).toBe('ana.lima@outlook.com');
    expect(canonicalMailbox('ana+x@me.com')).toBe('ana@icloud.com');
    expect(canonicalMailbox('ana+x@pm.me')).toBe('ana@proton.me');
  });

  it('keeps dots and plus elsewhere: they may be other mailboxes there', () => {
    expect(canonicalMailbox('ana+bar@example.com')).toBe('ana+bar@example.com');
    expect(canonicalMailbox('a.na@company.io')).toBe('a.na@company.io');
  });

  it('keeps what would be empty, and text that is no address', () => {
    expect(canonicalMailbox('+tag@gmail.com')).toBe('+tag@gmail.com');
    expect(canonicalMailbox('Nobody')).toBe('nobody');
  });
});

describe('liveMailboxOrders', () => {
  it("keeps the orders still in their account's open set", () => {
    const sets: Record<string, Set<string>> = { a: new Set(['o1']), b: new Set() };
    expect(liveMailboxOrders({ o1: 'a', o2: 'a', o3: 'b', o4: 'c' }, (u) => sets[u] ?? new Set())).toEqual({ o1: 'a' });
  });
});

describe('orderingRefusal', () => {
  it('refuses a blocked account first, then an address that is missing or not verified, each with a sentence', () => {
    expect(orderingRefusal({ email: 'a@b.c', emailVerified: true, blocked: true })).toMatchObject({
      status: 403,
      code: 'ACCOUNT_BLOCKED',
    });
    expect(orderingRefusal({ blocked: false })).toMatchObject({ status: 403, code: 'EMAIL_NOT_VERIFIED' });
    const unverified = orderingRefusal({ email: 'a@b.c', blocked: false });
    expect(unverified).toMatchObject({ status: 403, code: 'EMAIL_NOT_VERIFIED' });
    expect(unverified!.message).toMatch(/^Your email a@b\.c is not verified yet, so you cannot order: enter the code/);
    expect(orderingRefusal({ email: 'a@b.c', emailVerified: true, blocked: false })).toBeUndefined();
  });

  it('says why a mailbox is full', () => {
    expect(mailboxLimitError(1)).toMatchObject({ status: 409, code: 'USER_LIMIT' });
    expect(mailboxLimitError(1).message).toMatch(/^Another account with your email address already has an open order/);
  });

  it('keys the counters', () => {
    expect(mailboxOrdersKey('NYC', 'abc')).toBe('mailboxOrders-NYC-abc');
    expect(blockedUserKey('sub-1')).toBe('blockedUser-sub-1');
  });
});

// Who may order: a customer whose email Cognito verified (a confirmed sign-up code), whose account an
// admin has not blocked; and one person, one limit: accounts on the same mailbox share the
// per-customer open-order limit of an event.
import { conflict, forbidden, type DomainError } from './errors.js';

/**
 * Providers whose mailboxes ignore dots in the local part and/or a `+tag` suffix (mail to
 * a.n.a+bar@gmail.com reaches ana@gmail.com). Anywhere else only case is ignored: a dot or a plus
 * may name another mailbox there.
 */
const PROVIDERS: Record<string, { domain: string; dots: boolean; plus: boolean }> = {
  'gmail.com': { domain: 'gmail.com', dots: true, plus: true },
  'googlemail.com': { domain: 'gmail.com', dots: true, plus: true },
  'outlook.com': { domain: 'outlook.com', dots: false, plus: true },
  'hotmail.com': { domain: 'hotmail.com', dots: false, plus: true },
  'live.com': { domain: 'live.com', dots: false, plus: true },
  'icloud.com': { domain: 'icloud.com', dots: false, plus: true },
  'me.com': { domain: 'icloud.com', dots: false, plus: true },
  'mac.com': { domain: 'icloud.com', dots: false, plus: true },
  'fastmail.com': { domain: 'fastmail.com', dots: false, plus: true },
  'proton.me': { domain: 'proton.me', dots: false, plus: true },
  'protonmail.com': { domain: 'proton.me', dots: false, plus: true },
  'pm.me': { domain: 'proton.me', dots: false, plus: true },
};

/**
 * The mailbox an address reaches, as one text: lowercased and trimmed; at the providers above, a
 * `+tag` dropped (and at Gmail the dots too, googlemail.com being gmail.com). An address without
 * an `@` is returned lowercased.
 */
export function canonicalMailbox(email: string): string {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 1) return address;
  let local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const provider = PROVIDERS[domain];
  if (!provider) return address;
  if (provider.plus) local = local.split('+')[0]!;
  if (provider.dots) local = local.replace(/\./g, '');
  return `${local === '' ? address.slice(0, at) : local}@${provider.domain}`;
}

/** The counters-table item that lists the open orders of one mailbox at an event (by a digest, never the address). */
export const mailboxOrdersKey = (eventId: string, mailboxDigest: string): string =>
  `mailboxOrders-${eventId}-${mailboxDigest}`;

/** The counters-table item that says an admin blocked an account (the validator reads it). */
export const blockedUserKey = (userId: string): string => `blockedUser-${userId}`;

/**
 * The orders of a mailbox still open: each entry (orderId → the account that placed it) counts while
 * the order is still in its account's open-order set. The account's set is what the workflow gives
 * back on every way out, so the mailbox's reservations end with it and need no release of their own.
 */
export function liveMailboxOrders(
  entries: Readonly<Record<string, string>>,
  openOrdersOfAccount: (userId: string) => ReadonlySet<string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries).filter(([orderId, userId]) => openOrdersOfAccount(userId).has(orderId)),
  );
}

/** Why a signed-in caller may not order yet, or undefined when they may. */
export function orderingRefusal(caller: {
  email?: string;
  emailVerified?: boolean;
  blocked: boolean;
}): DomainError | undefined {
  if (caller.blocked)
    return forbidden(
      'ACCOUNT_BLOCKED',
      'This account is blocked by the coffee bar, so it cannot order. Ask the staff at the bar if you think this is a mistake.',
    );
  if (!caller.email)
    return forbidden(
      'EMAIL_NOT_VERIFIED',
      'Ordering needs the ID token of your sign-in, which carries your verified email: sign in again in the app.',
    );
  if (!caller.emailVerified)
    return forbidden(
      'EMAIL_NOT_VERIFIED',
      `Your email ${caller.email} is not verified yet, so you cannot order: enter the code we sent to it (or ask for a new one on the sign-in page), then sign in again.`,
    );
  return undefined;
}

/** The refusal when other accounts on the same mailbox hold the limit. */
export function mailboxLimitError(maxOrdersPerUser: number): DomainError {
  return conflict(
    'USER_LIMIT',
    `Another account with your email address already has ${maxOrdersPerUser === 1 ? 'an open order' : `${maxOrdersPerUser} open orders`} here, and one person has one limit whatever the account: collect or cancel that order before ordering another drink.`,
  );
}

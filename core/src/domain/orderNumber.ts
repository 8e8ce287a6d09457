// Order numbers: what the customer hears called out and sees on the board. The contract carries them
// as decimal strings ("112"); a per-event counter in DynamoDB hands them out.

const DIGITS = /^[0-9]+$/;

/** Formats a counter value as the contract's order number: plain decimal digits, no padding, no sign. */
export function formatOrderNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`an order number must be a whole number from 0, got ${n}`);
  return String(n);
}

/** Whether a value is an order number as the contract writes it (a string of digits). */
export function isOrderNumber(value: unknown): value is string {
  return typeof value === 'string' && DIGITS.test(value);
}

/** The number behind an order number, or undefined when it is not one (or too large to be exact). */
export function parseOrderNumber(value: string): number | undefined {
  if (!isOrderNumber(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The key of an event's order counter. The order processor increments it atomically (ADD, which starts
 * a missing counter at 0, so the first order of a new event is number 1 with no seeding step); one
 * counter per event keeps each bar's numbers short and independent (the original shared one counter).
 */
export const orderNumberCounterKey = (eventId: string): string => `orderNumber-${eventId}`;

/** The order number from the counter's value after the increment ({ value: 113 }). */
export function orderNumberFromCounter(attributes: Record<string, unknown> | undefined): string {
  const value = attributes?.value;
  if (typeof value !== 'number')
    throw new TypeError(`the order counter returned ${JSON.stringify(value)}, not a number`);
  return formatOrderNumber(value);
}

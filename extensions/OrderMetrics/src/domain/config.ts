// The extension's own configuration (template parameters): the price list, its currency and the time
// zone whose days the metrics count in. The contract carries no price, so the extension owns one.
import type { Pricing } from './order.js';

export interface MetricsConfig extends Pricing {
  currency: string;
  /** Digits after the decimal point of the currency (2 for USD, 0 for JPY): prices are kept in these minor units. */
  minorDigits: number;
  timeZone: string;
  prices: ReadonlyMap<string, number>;
}

export interface ConfigInput {
  /** "Espresso=2.50,Flat White=3.75": drink names as on the menu, amounts in the currency. */
  prices: string;
  /** ISO 4217 code, e.g. "USD". */
  currency: string;
  /** IANA time zone, e.g. "America/New_York". */
  timeZone: string;
}

/** Reads the configuration; throws one message listing every problem, naming the parameter and saying what to write. */
export function configOf(input: ConfigInput): MetricsConfig {
  const problems: string[] = [];
  const currency = input.currency.trim();
  let minorDigits = 2;
  if (!/^[A-Z]{3}$/.test(currency))
    problems.push(`Currency "${input.currency}": must be an ISO 4217 code of three capital letters, e.g. USD`);
  else
    minorDigits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

  const timeZone = input.timeZone.trim();
  let dayFormat: Intl.DateTimeFormat | undefined;
  try {
    dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    problems.push(`TimeZone "${input.timeZone}": not an IANA time zone; write one like UTC or America/New_York`);
  }

  const prices = new Map<string, number>();
  const amount = new RegExp(minorDigits > 0 ? `^\\d+(\\.\\d{1,${minorDigits}})?$` : '^\\d+$');
  input.prices
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .forEach((entry, i) => {
      const at = entry.lastIndexOf('=');
      const drink = entry.slice(0, at).trim();
      const value = entry.slice(at + 1).trim();
      const where = `Prices: entry ${i + 1} "${entry}"`;
      if (at < 1 || drink === '') problems.push(`${where}: write it as Drink=amount, e.g. Espresso=2.50`);
      else if (!amount.test(value))
        problems.push(
          `${where}: the amount must be a number with at most ${minorDigits} decimals, e.g. ${minorDigits ? '3.50' : '350'}`,
        );
      else if (prices.has(drink)) problems.push(`${where}: ${drink} is priced twice`);
      else prices.set(drink, toMinor(value, minorDigits));
    });
  if (problems.length > 0 || !dayFormat)
    throw new Error(`The OrderMetrics configuration is not valid:\n- ${problems.join('\n- ')}`);

  const format = dayFormat;
  return {
    currency,
    minorDigits,
    timeZone,
    prices,
    priceOf: (drink) => prices.get(drink),
    dayOf: (iso) => {
      const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
      return `${parts.year}-${parts.month}-${parts.day}`;
    },
  };
}

/** "3.5" with 2 digits is 350: decimal text to an integer of minor units, without floating point. */
function toMinor(value: string, digits: number): number {
  const [whole = '0', fraction = ''] = value.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

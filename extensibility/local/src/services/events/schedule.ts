// Schedule rules: rate(...) expressions fire "Scheduled Event"s from aws.events on the default
// bus's rule, every period divided by the time scale. cron(...) is validated but not fired yet.
import { randomUUID } from 'node:crypto';
import type { Account } from '../../arn.js';
import { validation } from '../../edge/errors.js';
import type { EventEnvelope, Rule } from './model.js';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The period of a schedule expression in ms, or undefined for cron; throws like PutRule for bad ones. */
export function schedulePeriodMs(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    // AWS wants the singular unit exactly for 1 and the plural otherwise.
    if (value < 1 || (value === 1) !== !unit.endsWith('s')) throw validation('Parameter ScheduleExpression is not valid.');
    return value * UNIT_MS[unit.replace(/s$/, '')]!;
  }
  if (/^cron\((\S+ ){5}\S+\)$/.test(expression)) return undefined;
  throw validation('Parameter ScheduleExpression is not valid.');
}

export function scheduledEvent(rule: Rule, account: Account, now = new Date()): EventEnvelope {
  return {
    version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: account.accountId,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), region: account.region, resources: [rule.arn], detail: {},
  };
}

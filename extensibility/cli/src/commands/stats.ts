// presso stats: events put, matched, delivered, failed and dead-lettered, per bus and per rule.
import type { Counts } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

export async function statsCommand(endpoint: string, out: NodeJS.WritableStream, asJson = false): Promise<number> {
  const stats = (await (await callCloud(endpoint, '/_presso/stats')).json()) as {
    buses: Record<string, Counts>;
    rules: Record<string, Counts>;
  };
  if (asJson) {
    out.write(JSON.stringify(stats, null, 2) + '\n');
    return 0;
  }
  const row = (name: string, c: Counts) =>
    `${name.padEnd(60)} ${String(c.put).padStart(8)} ${String(c.matched).padStart(8)} ${String(c.delivered).padStart(10)} ${String(c.failed).padStart(7)} ${String(c.deadLettered).padStart(13)}\n`;
  out.write(
    `${'bus / rule'.padEnd(60)} ${'put'.padStart(8)} ${'matched'.padStart(8)} ${'delivered'.padStart(10)} ${'failed'.padStart(7)} ${'dead-lettered'.padStart(13)}\n`,
  );
  for (const [name, c] of Object.entries(stats.buses)) out.write(row(`bus ${name}`, c));
  for (const [arn, c] of Object.entries(stats.rules)) out.write(row(`rule ${arn.slice(arn.indexOf(':rule/') + 6)}`, c));
  return 0;
}

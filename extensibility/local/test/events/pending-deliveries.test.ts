// Deliveries accepted and not ended outlive the process (with --data-dir): what was dispatched to a
// rule's targets and did not end is what the next start delivers again, a line a crash cut short
// included (at least once: never zero); what ended is not delivered again. (With a real process
// killed with SIGKILL: extensibility/cli/test/up-crash.test.ts, where the event that carries the
// order's task token is delivered again after the restart.)
import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '../../src/services/events/model.js';
import { PendingDeliveries } from '../../src/services/events/pending.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const file = () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-pending-'));
  dirs.push(dir);
  return join(dir, 'events', 'pending-deliveries.jsonl');
};
const RULE = 'arn:aws:events:us-east-1:123456789012:rule/Serverlesspresso/core-Rule';
const event = (id: string) =>
  ({ id, 'detail-type': 'OrderProcessor.WorkflowStarted', detail: {} }) as unknown as EventEnvelope;

describe('pending deliveries', () => {
  it('gives back, at the next start, the targets whose delivery had not ended', () => {
    const path = file();
    const first = new PendingDeliveries(path);
    first.accepted(event('delivered'), 'Serverlesspresso', RULE, ['OrderManager'], 1000);
    first.accepted(event('half'), 'Serverlesspresso', RULE, ['OrderManager', 'Journey'], 2000);
    first.accepted(event('put-before-the-crash'), 'Serverlesspresso', RULE, ['OrderManager'], 3000);
    first.ended('delivered', RULE, 'OrderManager');
    first.ended('half', RULE, 'Journey');
    // The crash cut the line that would have ended the last one.
    appendFileSync(path, '{"ended":["put-before-the-crash","arn:aws:ev');
    first.close();

    const second = new PendingDeliveries(path);
    expect(second.restored.map((p) => [p.event.id, p.targets, p.acceptedAt])).toEqual([
      ['half', ['OrderManager'], 2000],
      ['put-before-the-crash', ['OrderManager'], 3000],
    ]);
    second.ended('half', RULE, 'OrderManager');
    second.close();
    // Rewritten at start to what was pending, then appended to.
    expect(new PendingDeliveries(path).restored.map((p) => p.event.id)).toEqual(['put-before-the-crash']);
  });
});

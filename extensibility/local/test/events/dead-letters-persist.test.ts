// Dead letters kept by the local store (their queue does not exist locally) outlive a restart with
// a data directory: what was added and not taken is there again; without a file nothing is written.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { DeadLetters } from '../../src/services/events/dead-letters.js';
import type { EventEnvelope } from '../../src/services/events/model.js';

const dir = mkdtempSync(join(tmpdir(), 'presso-dead-letters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const letter = (id: string) => ({
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:elsewhere',
  busName: 'Serverlesspresso',
  ruleName: 'core-Rule',
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/Serverlesspresso/core-Rule',
  targetId: 'OrderManager',
  targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:gone',
  event: { id, 'detail-type': 'OrderManager.OrderCompleted', detail: {} } as unknown as EventEnvelope,
  errorCode: 'ResourceNotFoundException',
  errorMessage: 'Function not found',
  attempts: 1,
});

it('keeps the dead letters not taken across a restart', () => {
  const file = join(dir, 'events', 'dead-letters.json');
  const first = new DeadLetters();
  first.persist(file);
  const kept = first.add(letter('kept'));
  const redriven = first.add(letter('redriven'));
  first.take(redriven.id);

  const second = new DeadLetters();
  second.persist(file);
  expect(second.list()).toEqual([kept]);
});

it('writes nothing without a file', () => {
  new DeadLetters().add(letter('memory'));
  expect(existsSync(join(dir, 'nothing'))).toBe(false);
});

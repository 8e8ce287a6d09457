// Exact consumers: a rule consumes an event when it matches every event its schema accepts, else it
// is a conditional consumer, with the condition; one that matches only through fields no schema
// declares is a dead rule.
import { describe, expect, it } from '@jest/globals';
import { contractEntryFor } from '../src/index.js';
import { consumptionOf, judgeRule, ruleFindings, type App, type BusRule } from '../src/bus/index.js';

const app: App = {
  name: 'test',
  kind: 'extension',
  dir: '/tmp',
  templateFile: '/tmp/template.yaml',
  path: 'template.yaml',
};
const rule = (pattern: unknown): BusRule => ({
  app,
  logicalId: 'R',
  resource: 'R',
  property: 'Resources.R.Properties.EventPattern',
  busAsWritten: 'Serverlesspresso',
  bus: 'Serverlesspresso',
  pattern,
  state: 'ENABLED',
  targets: [],
});
const SOURCE = 'awsserverlessda.serverlesspresso';
const entry = (detailType: string) => contractEntryFor(detailType)!;
const completed = entry('OrderManager.OrderNYC-COMPLETED');
const waitTime = entry('WaitTimes.WaitTimeChanged');

describe('consumptionOf', () => {
  it('is exact for a detail-type, a whole family, or a required field that must exist', () => {
    expect(
      consumptionOf(completed, { source: [SOURCE], 'detail-type': [{ wildcard: 'OrderManager.Order*-COMPLETED' }] }),
    ).toEqual({ undeclaredOnly: false, liveOnly: false });
    expect(consumptionOf(completed, { detail: { orderId: [{ exists: true }] } }).condition).toBeUndefined();
  });

  it('names the condition: a tenant of a family, a value, an optional field', () => {
    expect(consumptionOf(completed, { 'detail-type': ['OrderManager.OrderNYC-COMPLETED'] }).condition).toBe(
      'when `detail.eventId` is "NYC" (its detail-type names the tenant)',
    );
    expect(
      consumptionOf(entry('OrderManager.WaitingCompletion'), {
        'detail-type': ['OrderManager.WaitingCompletion'],
        detail: { robot: [true] },
      }).condition,
    ).toBe('when `detail.robot` is true');
    expect(
      consumptionOf(entry('OrderProcessor.ShopUnavailable'), { detail: { orderId: [{ exists: true }] } }).condition,
    ).toBe('when `detail.orderId` is present');
  });

  it('says when the field is not in the schema: an event with no orderId is consumed only if a producer adds one', () => {
    expect(consumptionOf(waitTime, { detail: { orderId: [{ exists: true }], replay: [{ exists: false }] } })).toEqual({
      condition: 'when `detail.orderId` is present (not a field of its schema)',
      undeclaredOnly: true,
      liveOnly: true,
    });
  });

  it('joins the alternatives of $or; one exact alternative makes the rule exact', () => {
    const robot = entry('OrderManager.WaitingCompletion');
    expect(
      consumptionOf(robot, { $or: [{ detail: { robot: [true] } }, { detail: { robot: [false] } }] }).condition,
    ).toBe('when `detail.robot` is true, or `detail.robot` is false');
    expect(
      consumptionOf(robot, { $or: [{ detail: { robot: [true] } }, { source: [SOURCE] }] }).condition,
    ).toBeUndefined();
  });
});

describe('judgeRule and the dead-rule rule', () => {
  it('keeps conditional consumers among the matches, with their condition', () => {
    const { matches } = judgeRule(rule({ detail: { orderId: [{ exists: true }], replay: [{ exists: false }] } }));
    const byType = new Map(matches.map((m) => [m.entry.detailType, m]));
    expect(byType.get('WaitTimes.WaitTimeChanged')).toMatchObject({
      condition: 'when `detail.orderId` is present (not a field of its schema)',
      undeclaredOnly: true,
    });
    expect(byType.get('OrderManager.MakeOrder')?.condition).toBeUndefined();
    expect(byType.get('OrderManager.MakeOrder')?.liveOnly).toBe(true);
    expect(ruleFindings([judgeRule(rule({ detail: { orderId: [{ exists: true }] } }))])).toEqual([]);
  });

  it('calls a rule dead when it matches only through fields no schema declares', () => {
    const verdict = judgeRule(
      rule({ 'detail-type': ['WaitTimes.WaitTimeChanged'], detail: { orderId: [{ exists: true }] } }),
    );
    expect(verdict.matches.map((m) => m.entry.detailType)).toEqual(['WaitTimes.WaitTimeChanged']);
    const [finding] = ruleFindings([verdict]);
    expect(finding?.message).toBe(
      'rule R on the Serverlesspresso bus matches events of the contract only through fields their schemas do not declare, so no app is meant to put one (a dead rule): WaitTimes.WaitTimeChanged when `detail.orderId` is present (not a field of its schema)',
    );
    expect(finding?.fix).toContain("filter on fields the event's schema declares");
  });
});

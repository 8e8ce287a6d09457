// Which events of the contract a pattern matches: the example, or the example carrying the pattern's
// own values when the contract still accepts them; through the local cloud's pattern engine.
import { describe, expect, it } from '@jest/globals';
import { contract } from '../src/index.js';
import { alternatives, judgeRule, type App, type BusRule } from '../src/bus/index.js';

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
const matched = (pattern: unknown) => judgeRule(rule(pattern)).matches.map((m) => m.detailType);
const SOURCE = 'awsserverlessda.serverlesspresso';

describe('judgeRule', () => {
  it('matches every event of the contract for a pattern on the source alone', () => {
    expect(matched({ source: [SOURCE] })).toHaveLength(contract.length);
  });

  it('matches a family member with the tenant the pattern names, and the family by wildcard', () => {
    expect(matched({ source: [SOURCE], 'detail-type': ['OrderManager.OrderBCN-COMPLETED'] })).toEqual([
      'OrderManager.OrderBCN-COMPLETED',
    ]);
    expect(matched({ 'detail-type': [{ wildcard: 'OrderManager.Order*-CANCELLED' }] })).toEqual([
      'OrderManager.OrderNYC-CANCELLED',
    ]);
    expect(matched({ 'detail-type': [{ prefix: 'OrderProcessor.' }] })).toHaveLength(6);
  });

  it('fills in detail values the schema allows, and stays dead on values it does not', () => {
    expect(matched({ 'detail-type': ['OrderRobot.FulfillOrder'], detail: { action: ['cancel'] } })).toEqual([
      'OrderRobot.FulfillOrder',
    ]);
    expect(matched({ 'detail-type': ['OrderRobot.FulfillOrder'], detail: { action: ['finish'] } })).toEqual([]);
    expect(
      matched({ 'detail-type': ['OrderManager.WaitingCompletion'], detail: { drinkOrder: { drink: ['Latte'] } } }),
    ).toEqual(['OrderManager.WaitingCompletion']);
    expect(
      matched({
        'detail-type': ['OrderManager.WaitingCompletion'],
        detail: { TS: [{ numeric: ['>', 2000000000000, '<=', 2100000000000] }] },
      }),
    ).toEqual(['OrderManager.WaitingCompletion']);
    expect(
      matched({ 'detail-type': ['OrderManager.WaitingCompletion'], detail: { orderNumber: [{ exists: false }] } }),
    ).toEqual([]);
  });

  it('is dead on a detail-type or a source outside the contract', () => {
    expect(matched({ 'detail-type': ['OrderManager.OrderCompleted'] })).toEqual([]);
    expect(matched({ source: ['my.app'] })).toEqual([]);
  });

  it('tries each $or alternative', () => {
    expect(
      matched({
        source: [SOURCE],
        $or: [{ 'detail-type': ['Validator.NewOrder'] }, { 'detail-type': ['OrderManager.MakeOrder'] }],
      }),
    ).toEqual(['OrderManager.MakeOrder', 'Validator.NewOrder']);
    expect(alternatives({ a: [1], $or: [{ b: [2] }, { c: { d: [3] } }] })).toEqual([
      { a: [1], b: [2] },
      { a: [1], c: { d: [3] } },
    ]);
  });

  it('reports a pattern EventBridge refuses with its reason', () => {
    const verdict = judgeRule(rule({ 'detail-type': [{ prefix: 5 }] }));
    expect(verdict.invalid).toBe('Event pattern is not valid. Reason: prefix match pattern must be a string');
    expect(verdict.matches).toEqual([]);
  });
});

// "Did you mean" for a dead rule: the contract's detail-types nearest to what it names, as a rule
// writes them (a family as its wildcard).
import { describe, expect, it } from '@jest/globals';
import { editDistance, namedDetailTypes, suggestDetailTypes } from '../src/bus/suggest.js';
import { ruleFindings } from '../src/bus/scan.js';

describe('suggestDetailTypes', () => {
  it("answers a family's misspelling with its wildcard", () => {
    expect(suggestDetailTypes({ 'detail-type': ['OrderManager.OrderCompleted'] })[0]).toBe(
      '{"wildcard": "OrderManager.Order*-COMPLETED"}',
    );
  });

  it('answers a plain detail-type with itself, a prefix or wildcard by its operand, whatever the case', () => {
    expect(suggestDetailTypes({ 'detail-type': ['orderManager.makeorder'] })[0]).toBe('"OrderManager.MakeOrder"');
    expect(suggestDetailTypes({ 'detail-type': [{ prefix: 'Validator.NewOrdr' }] })[0]).toBe('"Validator.NewOrder"');
    expect(suggestDetailTypes({ 'detail-type': [{ wildcard: 'OrderProcessor.OrderTimeout*' }] })[0]).toBe(
      '"OrderProcessor.OrderTimeOut"',
    );
  });

  it('suggests nothing for a name far from every event, or a pattern without detail-type', () => {
    expect(suggestDetailTypes({ 'detail-type': ['Payments.CardCharged'] })).toEqual([]);
    expect(suggestDetailTypes({ source: ['x'] })).toEqual([]);
    expect(namedDetailTypes({ 'detail-type': [{ 'anything-but': 'x' }, 7] })).toEqual([]);
  });

  it('measures edits case-insensitively', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ABC', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

it("puts the suggestion in the dead rule's fix", () => {
  const rule = {
    app: { path: 'extensions/FreeRefill/template.yaml' },
    logicalId: 'CountFunctionCompleted',
    resource: 'CountFunction',
    property: 'Resources.CountFunction.Properties.Events.Completed.Properties.Pattern',
    pattern: { source: ['awsserverlessda.serverlesspresso'], 'detail-type': ['OrderManager.OrderCompleted'] },
  };
  const [finding] = ruleFindings([{ rule, matches: [] } as unknown as Parameters<typeof ruleFindings>[0][number]]);
  expect(finding!.fix).toMatch(
    /^did you mean detail-type \{"wildcard": "OrderManager\.Order\*-COMPLETED"\}(?: or .*)?\? Otherwise match a detail-type of/,
  );
});

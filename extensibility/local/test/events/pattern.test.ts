import { describe, expect, it } from '@jest/globals';
import { compilePattern, InvalidEventPatternError } from '../../src/services/events/pattern/index.js';
import { invalidCases, matchCases, order, validPatterns, type Json } from './pattern.cases.js';

function text(pattern: Json, raw: boolean | undefined): string {
  return raw ? (pattern as string) : JSON.stringify(pattern);
}

function refusal(patternJson: string): InvalidEventPatternError {
  try {
    compilePattern(patternJson);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error;
    throw error;
  }
  throw new Error(`accepted: ${patternJson}`);
}

describe('event pattern matching', () => {
  it.each(matchCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(compilePattern(text(c.pattern, c.raw)).matches(c.event)).toBe(c.matches);
  });
});

describe('event patterns AWS accepts', () => {
  it.each(validPatterns.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(() => compilePattern(text(c.pattern, c.raw))).not.toThrow();
  });
});

describe('event patterns AWS refuses', () => {
  it.each(invalidCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const error = refusal(text(c.pattern, c.raw));
    expect(error.message).toBe(`Event pattern is not valid. Reason: ${c.reason}`);
  });
});

describe('compilePattern', () => {
  it('keeps the source and answers for any number of events', () => {
    const source =
      '{"source": ["awsserverlessda.serverlesspresso"], "detail": {"drinkOrder": {"drink": [{"prefix": "Lat"}]}}}';
    const compiled = compilePattern(source);
    expect(compiled.source).toBe(source);
    expect(compiled.matches(order({ drinkOrder: { drink: 'Latte' } }))).toBe(true);
    expect(compiled.matches(order({ drinkOrder: { drink: 'Mocha' } }))).toBe(false);
    expect(compiled.matches(order({ drinkOrder: { drink: 'Latte' } }))).toBe(true);
  });

  it('throws InvalidEventPatternError, named like the AWS exception, with the reason apart', () => {
    const error = refusal('{"source": "aws.ec2"}');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventPatternException');
    expect(error.reason).toBe('"source" must be an object or an array');
    expect(error.message).toBe('Event pattern is not valid. Reason: "source" must be an object or an array');
  });

  it('answers false, never throws, for events that are not JSON objects', () => {
    const compiled = compilePattern('{"source": ["a"]}');
    for (const event of [undefined, null, 5, 'a', ['a'], { source: undefined }, { source: () => 'a' }]) {
      expect(compiled.matches(event)).toBe(false);
    }
  });

  it('survives events with arrays nested past any real depth', () => {
    const depth = 100_000;
    const event = JSON.parse(`{"a": ${'['.repeat(depth)}"x"${']'.repeat(depth)}, "b": "x"}`) as unknown;
    expect(compilePattern('{"a": ["x"], "b": ["x"]}').matches(event)).toBe(false);
    const shallow = JSON.parse(`{"a": ${'['.repeat(50)}{"c": "x", "d": 1}${']'.repeat(50)}}`) as unknown;
    expect(compilePattern('{"a": {"c": ["x"], "d": [1]}}').matches(shallow)).toBe(true);
  });

  it('matches a $or over array elements consistently', () => {
    const compiled = compilePattern(
      JSON.stringify({
        detail: {
          items: {
            $or: [
              { drink: ['Latte'], size: ['L'] },
              { drink: ['Mocha'], size: ['S'] },
            ],
          },
        },
      }),
    );
    expect(
      compiled.matches(
        order({
          items: [
            { drink: 'Latte', size: 'S' },
            { drink: 'Mocha', size: 'L' },
          ],
        }),
      ),
    ).toBe(false);
    expect(
      compiled.matches(
        order({
          items: [
            { drink: 'Latte', size: 'S' },
            { drink: 'Mocha', size: 'S' },
          ],
        }),
      ),
    ).toBe(true);
  });
});

// The EventBridge event pattern engine: validation with AWS's refusal texts, compilation once, and
// matching of event envelopes, with the semantics of event-ruler, the engine EventBridge runs.

import { compileAlternatives } from './compile.js';
import { checkWildcardComplexity } from './complexity.js';
import { InvalidEventPatternError, RulerArgumentError, RulerSyntaxError } from './errors.js';
import { eventRoot, matchAlternative, planAlternative } from './match.js';

export { InvalidEventPatternError } from './errors.js';

export interface CompiledPattern {
  /** The pattern JSON, as given. */
  readonly source: string;
  /** Whether the full EventBridge envelope ({version, id, 'detail-type', source, ..., detail}) matches. */
  matches(event: unknown): boolean;
}

/** Parses, validates (throws InvalidEventPatternError like AWS PutRule/TestEventPattern would) and compiles once. */
export function compilePattern(patternJson: string): CompiledPattern {
  let alternatives;
  try {
    if (typeof patternJson !== 'string') throw new RulerSyntaxError('Filter is not an object');
    alternatives = compileAlternatives(patternJson);
    checkWildcardComplexity(alternatives);
  } catch (error) {
    if (error instanceof RulerSyntaxError || error instanceof RulerArgumentError)
      throw new InvalidEventPatternError(error.reason);
    throw error;
  }
  const plans = alternatives.map(planAlternative);
  const only = plans.length === 1 ? plans[0] : undefined;
  return {
    source: patternJson,
    matches: only
      ? (event) => matchAlternative(eventRoot(event), only)
      : (event) => {
          const root = eventRoot(event);
          for (const plan of plans) if (matchAlternative(root, plan)) return true;
          return false;
        },
  };
}

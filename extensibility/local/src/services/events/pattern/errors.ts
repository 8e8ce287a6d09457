// Errors of the pattern engine. AWS reports every refusal as InvalidEventPatternException with the
// event-ruler text after "Reason: "; internally two kinds are kept apart because event-ruler treats
// them differently (see RulerSyntaxError).

const PREFIX = 'Event pattern is not valid. Reason: ';

/** What PutRule / TestEventPattern answer for a pattern AWS refuses. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  /** The reason alone, without the "Event pattern is not valid. Reason: " prefix. */
  readonly reason: string;

  constructor(reason: string) {
    super(PREFIX + reason);
    this.reason = reason;
  }
}

/**
 * event-ruler's JsonParseException ("barf"): a grammar refusal. EventBridge compiles with its $or-aware
 * compiler first and, on this kind of failure only, retries with its pre-$or compiler.
 */
export class RulerSyntaxError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** event-ruler's IllegalArgumentException that escapes the compiler (CIDR operands): no retry. */
export class RulerArgumentError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

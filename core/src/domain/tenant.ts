// The tenant of everything: an event (pop-up bar) id such as "NYC".

// eventId is embedded in detail-types, DynamoDB keys ("NYC-5902345", "NYC-CREATED") and URLs: no
// hyphen, so "<eventId>-<suffix>" keys split unambiguously, and nothing that needs escaping.
const EVENT_ID = /^[A-Za-z0-9_]{1,40}$/;

/** Why an eventId is not valid, or undefined when it is. */
export function eventIdProblem(eventId: unknown): string | undefined {
  if (typeof eventId !== 'string') return 'must be a string';
  if (!EVENT_ID.test(eventId)) return 'must be 1 to 40 letters, digits or underscores (e.g. "NYC")';
  return undefined;
}

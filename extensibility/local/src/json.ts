// Untyped JSON (request bodies, templates, state machine data) is narrowed here, once for the whole
// local cloud.

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

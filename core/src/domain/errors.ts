// Domain errors are plain data, not thrown exceptions: every rule violation a caller can cause is a
// value the handler maps to an HTTP response (or drops, for bus events) without try/catch guessing.
// Exceptions are kept for programmer errors (an impossible argument), never for user input.

/** One precise problem with an input: where (a JSON pointer into it) and why. */
export interface FieldError {
  /** JSON pointer into the input, e.g. "/menu/0/modifiers/1/Options"; "" for the input as a whole. */
  path: string;
  message: string;
}

/** The HTTP statuses domain errors map to. */
export type DomainErrorStatus = 400 | 401 | 403 | 404 | 409 | 422;

export interface DomainError {
  status: DomainErrorStatus;
  /** Stable, machine-readable, e.g. "NOT_YOUR_ORDER"; clients switch on it, never on message. */
  code: string;
  /** Human-readable, safe to show to the person who caused it. */
  message: string;
  /** Field-level problems, for validation errors. */
  details?: FieldError[];
  /** For a refusal that passes by itself: when to try again (the Retry-After header). */
  retryAfterSeconds?: number;
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (error: DomainError): { ok: false; error: DomainError } => ({ ok: false, error });

const withDetails = (e: DomainError, details?: FieldError[]): DomainError =>
  details && details.length > 0 ? { ...e, details } : e;

/** 400: the request is malformed or refers to something that is not valid (e.g. a wrong QR code). */
export const badRequest = (code: string, message: string, details?: FieldError[]): DomainError =>
  withDetails({ status: 400, code, message }, details);
/** 401: the request carries no valid identity. */
export const unauthenticated = (code: string, message: string): DomainError => ({ status: 401, code, message });
/** 403: the caller may not do this (wrong role, not their order, someone else's claim). */
export const forbidden = (code: string, message: string): DomainError => ({ status: 403, code, message });
/** 404: no such thing (in this tenant). */
export const notFound = (code: string, message: string): DomainError => ({ status: 404, code, message });
/** 409: allowed in general, but not in the current state (e.g. complete after cancel). */
export const conflict = (code: string, message: string): DomainError => ({ status: 409, code, message });
/** 409 with Retry-After: right, but a moment too early (e.g. a drink for an order still being stored). */
export const notYet = (code: string, message: string, retryAfterSeconds: number): DomainError => ({
  status: 409,
  code,
  message,
  retryAfterSeconds,
});
/** 422: well-formed but breaks a business rule (e.g. a drink not on the menu). */
export const unprocessable = (code: string, message: string, details?: FieldError[]): DomainError =>
  withDetails({ status: 422, code, message }, details);

/** The JSON body of an HTTP error response. */
export function httpErrorBody(error: DomainError): { error: string; message: string; details?: FieldError[] } {
  return error.details
    ? { error: error.code, message: error.message, details: error.details }
    : { error: error.code, message: error.message };
}

/** Escapes a JSON pointer token (RFC 6901) so field names with "/" or "~" stay unambiguous. */
export const pointerToken = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

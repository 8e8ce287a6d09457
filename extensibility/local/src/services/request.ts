// How the services read a request and write a JSON answer: the body, the string members of a
// JSON-protocol input (with AWS's validation message for a missing one), member-name casing, timestamps.
import type { ServerResponse } from 'node:http';
import { validation } from '../edge/errors.js';
import type { EdgeRequest } from '../edge/types.js';

type Input = Record<string, unknown>;

/** The JSON body of a request; an empty body is {}. Throws SyntaxError on malformed JSON: each API answers it its own way. */
export function jsonBody(request: Pick<EdgeRequest, 'body'>): unknown {
  const text = request.body.toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}

/** A string member of an input, or undefined when it is missing or not a string. */
export const str = (input: Input, key: string): string | undefined =>
  typeof input[key] === 'string' ? (input[key] as string) : undefined;

export const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
export const upperFirst = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** A string member that must be given: ValidationException with AWS's text (the member named in camelCase) otherwise. */
export function required(input: Input, key: string): string {
  const value = str(input, key);
  if (value === undefined || value === '')
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

/** A timestamp as the JSON protocols write it: seconds since the epoch, with milliseconds as the fraction. */
export function epochSeconds(date: Date): number;
export function epochSeconds(date: Date | undefined): number | undefined;
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}

/** Answers with a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

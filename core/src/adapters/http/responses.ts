// HTTP responses of the core's routes: JSON bodies, and domain errors as { error, message, details }.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpErrorBody, type DomainError, type Result } from '../../domain/index.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** A domain error on its way to the response; thrown by route code, turned into its status by the router. */
export class Problem extends Error {
  override name = 'Problem';
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

const NO_STORE = { 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...NO_STORE }, body: JSON.stringify(body) };
}

export function html(statusCode: number, page: string): HttpResponse {
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, body: page };
}

export function problemResponse(error: DomainError): HttpResponse {
  const response = json(error.status, httpErrorBody(error));
  if (error.retryAfterSeconds !== undefined)
    response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds) };
  return response;
}

/** The value of a domain result, or a Problem to throw. */
export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Problem(result.error);
  return result.value;
}

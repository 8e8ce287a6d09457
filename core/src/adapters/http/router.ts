// One Lambda per service serves that service's routes: middy with the header normaliser, the JSON body
// parser and the error handler, then the route of the request's routeKey ("POST /orders/{orderId}/make").
// Errors leave as JSON: domain Problems with their status, malformed bodies as 400, anything
// unexpected as a logged 500 that tells nothing internal.
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { badRequest, eventIdProblem, notFound, unauthenticated } from '../../domain/index.js';
import { callerOf, refuseDisplayDevice, type Caller } from './auth.js';
import { Problem, problemResponse, type HttpResponse } from './responses.js';

export interface HttpRequest {
  caller: Caller;
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body; undefined when the request had none or it was not JSON. */
  body: unknown;
  /** The request time, epoch ms. */
  now: number;
}

export type Route = (request: HttpRequest) => Promise<HttpResponse>;

type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

const INTERNAL = JSON.stringify({
  error: 'INTERNAL_ERROR',
  message: 'Something went wrong on our side; please try again.',
});
const UNAUTHENTICATED = unauthenticated('UNAUTHENTICATED', 'Sign in: this route needs a valid token.');

const definedEntries = (o: Record<string, string | undefined> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(o ?? {}).filter((e): e is [string, string] => e[1] !== undefined));

// middy's body parser and http errors carry plain-text messages: give them the JSON shape of every
// other error of these routes. Malformed JSON is the client's mistake (400), not a media type (415).
const jsonErrorBodies = (): middy.MiddlewareObj<HttpEvent, HttpResponse> => ({
  onError: async (request) => {
    const error = request.error as
      (Error & { statusCode?: number; expose?: boolean; cause?: { package?: string } }) | null;
    if (!error?.statusCode || error.statusCode >= 500) return;
    const malformed = error.cause?.package === '@middy/http-json-body-parser' && /malformed/i.test(error.message);
    if (malformed) error.statusCode = 400;
    error.message = JSON.stringify({
      error: malformed ? 'INVALID_JSON' : `HTTP_${error.statusCode}`,
      message: malformed ? 'The request body is not valid JSON.' : error.message,
    });
  },
});

// Client errors are answered, not logged; anything else is logged in full (the response says nothing of it).
const logUnexpected = (e: unknown): void => {
  const status = (e as { statusCode?: number } | null)?.statusCode;
  if (status === undefined || status >= 500) console.error(e);
};

export interface RoutesOptions {
  /**
   * The routes a display device (a token in an event's display group) may call; it gets 403
   * DISPLAY_DEVICE on every other one. The route still checks the event.
   */
  displayRoutes?: readonly string[];
}

/** A Lambda handler that serves the given routes (by routeKey) to signed-in callers. */
export function httpRoutes(
  routes: Record<string, Route>,
  options: RoutesOptions = {},
): middy.MiddyfiedHandler<HttpEvent, HttpResponse> {
  return (
    middy<HttpEvent, HttpResponse>()
      .use(httpHeaderNormalizer())
      .use(httpErrorHandler({ fallbackMessage: INTERNAL, logger: logUnexpected }))
      .use(jsonErrorBodies())
      // Routes without a body (GET) are served too: the content type is checked where a body is needed.
      .use(httpJsonBodyParser({ disableContentTypeError: true }))
      .handler(async (event) => {
        const route = routes[event.routeKey];
        if (!route)
          return problemResponse(notFound('NO_SUCH_ROUTE', `This function does not serve ${event.routeKey}.`));
        const caller = callerOf(event);
        if (!caller) return problemResponse(UNAUTHENTICATED);
        const body: unknown = typeof event.body === 'string' ? undefined : event.body;
        try {
          refuseDisplayDevice(caller, event.routeKey, options.displayRoutes ?? []);
          return await route({
            caller,
            routeKey: event.routeKey,
            params: definedEntries(event.pathParameters),
            query: definedEntries(event.queryStringParameters),
            body,
            now: Date.now(),
          });
        } catch (e) {
          if (e instanceof Problem) return problemResponse(e.error);
          throw e;
        }
      })
  );
}

/** The request's JSON object body, or a 400 saying what to send. */
export function objectBody(request: HttpRequest, example: string): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Problem(
      badRequest('INVALID_BODY', `Send a JSON object with Content-Type: application/json, e.g. ${example}.`),
    );
  }
  return body as Record<string, unknown>;
}

/** The {eventId} path parameter, checked. */
export function eventIdParam(request: HttpRequest): string {
  const eventId = request.params.eventId ?? '';
  const problem = eventIdProblem(eventId);
  if (problem) throw new Problem(badRequest('INVALID_EVENT_ID', `The event id in the path ${problem}.`));
  return eventId;
}

/** The {orderId} path parameter, checked. */
export function orderIdParam(request: HttpRequest): string {
  const orderId = request.params.orderId ?? '';
  if (orderId === '' || orderId.length > 100 || !/^[A-Za-z0-9_-]+$/.test(orderId)) {
    throw new Problem(
      badRequest(
        'INVALID_ORDER_ID',
        'The order id in the path must be 1 to 100 letters, digits, hyphens or underscores.',
      ),
    );
  }
  return orderId;
}

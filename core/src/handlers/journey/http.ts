// An order's journey: its events in order as JSON (for apps) and as a readable HTML page. Visible to
// the order's customer and to the staff of its event; a refused order (never stored) is found by its events alone.
import { buildJourney, forbidden, notFound, renderJourneyHtml, type Journey } from '../../domain/index.js';
import { isStaffAt } from '../../adapters/http/auth.js';
import { html, json, Problem } from '../../adapters/http/responses.js';
import { httpRoutes, orderIdParam, type HttpRequest } from '../../adapters/http/router.js';
import { loadEnvelopes } from '../../adapters/journeyStore.js';
import { loadOrder } from '../../adapters/orderStore.js';

async function journeyOf(request: HttpRequest): Promise<Journey> {
  const orderId = orderIdParam(request);
  const [order, envelopes] = await Promise.all([loadOrder(orderId), loadEnvelopes(orderId)]);
  const owner = order?.userId ?? envelopes.map((e) => e.detail.userId).find((u): u is string => typeof u === 'string');
  const eventId =
    order?.eventId ?? envelopes.map((e) => e.detail.eventId).find((u): u is string => typeof u === 'string');
  if (!order && envelopes.length === 0) throw new Problem(notFound('ORDER_NOT_FOUND', 'No such order.'));
  const { caller } = request;
  if (owner !== caller.userId && (eventId === undefined || !isStaffAt(caller, eventId))) {
    throw new Problem(forbidden('NOT_YOUR_ORDER', 'This order belongs to another customer.'));
  }
  return buildJourney(orderId, envelopes);
}

export const handler = httpRoutes({
  'GET /orders/{orderId}/journey': async (request) => json(200, await journeyOf(request)),
  'GET /orders/{orderId}/journey.html': async (request) => html(200, renderJourneyHtml(await journeyOf(request))),
});

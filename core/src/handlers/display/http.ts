// The board at the bar (the event's display device, or its staff) reads this route: what is being made, what is
// next, and which numbers to collect, from the order table. It replaces the original's IoT Core push
// with something that behaves the same in AWS and on the local cloud.
import { BOARD_DEFAULTS, displayBoard, notFound } from '../../domain/index.js';
import { requireBoardViewer } from '../../adapters/http/auth.js';
import { json, Problem } from '../../adapters/http/responses.js';
import { eventIdParam, httpRoutes } from '../../adapters/http/router.js';
import { loadConfig } from '../../adapters/configStore.js';
import { ordersInState } from '../../adapters/orderStore.js';

export const handler = httpRoutes(
  {
    'GET /events/{eventId}/display': async (request) => {
      const eventId = eventIdParam(request);
      requireBoardViewer(request.caller, eventId, 'show the display board');
      const config = await loadConfig(eventId);
      if (!config) throw new Problem(notFound('EVENT_NOT_FOUND', `There is no coffee bar event ${eventId}.`));
      const [submitted, making, completed] = await Promise.all([
        ordersInState(eventId, 'SUBMITTED'),
        ordersInState(eventId, 'MAKING'),
        ordersInState(eventId, 'COMPLETED', { newestFirst: true, limit: BOARD_DEFAULTS.readyLimit }),
      ]);
      return json(200, displayBoard({ config, orders: [...submitted, ...making, ...completed], now: request.now }));
    },
  },
  { displayRoutes: ['GET /events/{eventId}/display'] },
);

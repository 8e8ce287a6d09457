// GET /events/{eventId}/metrics[?day=D | ?from=D&to=D]: the counters of an event per day and drink,
// for members of the admin group. A thin middy adapter over the report's domain.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MetricsTable } from '../adapters/metrics-table.js';
import { ADMIN_GROUP, isAdmin } from '../domain/caller.js';
import { BadRequest, rangeOf, reportOf } from '../domain/report.js';
import { config, tableName } from './env.js';

const table = new MetricsTable(tableName);

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>().handler(
  async (event) => {
    if (!isAdmin(event.requestContext.authorizer?.jwt?.claims)) {
      return json(403, {
        error: 'WRONG_GROUP',
        message: `Only members of the ${ADMIN_GROUP} group may read the metrics.`,
      });
    }
    const eventId = event.pathParameters?.eventId ?? '';
    try {
      const range = rangeOf(event.queryStringParameters, config.dayOf(new Date().toISOString()));
      const rows = await table.counters(eventId, range);
      return json(200, reportOf(eventId, range, config, rows));
    } catch (e) {
      if (e instanceof BadRequest)
        return json(400, {
          error: 'INVALID_QUERY',
          message: e.message,
          details: [{ path: e.field, message: e.message }],
        });
      throw e;
    }
  },
);

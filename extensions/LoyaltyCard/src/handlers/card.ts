// GET /events/{eventId}/card: the caller's own loyalty card at an event. The API's JWT authorizer
// has verified the token of the coffee bar's user pool; the card is the token subject's (sub is the
// userId of the customer's orders), so nobody reads another's card.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LoyaltyTable } from '../adapters/loyalty-table.js';
import { cardView } from '../domain/stamp.js';
import { config, tableName } from './env.js';

const table = new LoyaltyTable(tableName);

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const handler = middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>().handler(
  async (event) => {
    const userId = event.requestContext.authorizer?.jwt?.claims?.sub;
    if (typeof userId !== 'string' || userId === '')
      return json(403, { error: 'NO_SUBJECT', message: 'The token names no user (sub): sign in as a customer.' });
    const eventId = event.pathParameters?.eventId ?? '';
    return json(200, cardView(eventId, userId, await table.card(eventId, userId), config.stampsPerReward));
  },
);

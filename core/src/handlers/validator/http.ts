// The QR validator: the display shows the current code of an event (its display device, its admins);
// a customer scanning it is admitted (a token of the code and a place among their open orders and
// their mailbox's, in one transaction) and gets a new order, announced as Validator.NewOrder for the
// order processor to take on. Only a verified email orders, and not from an account an admin blocked.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  badRequest,
  bucketIdAt,
  canonicalMailbox,
  capacityError,
  conflict,
  currentBucket,
  decideCapacity,
  mailboxLimitError,
  msUntilRotation,
  newOrderEvent,
  notFound,
  orderingRefusal,
  verifyScannedCode,
  type EventConfig,
} from '../../domain/index.js';
import { requireCodeViewer } from '../../adapters/http/auth.js';
import { json, Problem, valueOf } from '../../adapters/http/responses.js';
import { eventIdParam, httpRoutes, objectBody, type HttpRequest } from '../../adapters/http/router.js';
import { publish } from '../../adapters/bus.js';
import { positiveNumberEnv } from '../../adapters/env.js';
import { loadConfig } from '../../adapters/configStore.js';
import { isBlocked } from '../../adapters/accountStore.js';
import {
  admit,
  eventOpenOrders,
  loadBucket,
  storeNewBucket,
  undoAdmission,
  userOpenOrders,
} from '../../adapters/qrStore.js';

async function eventConfig(eventId: string): Promise<EventConfig> {
  const config = await loadConfig(eventId);
  if (!config) throw new Problem(notFound('EVENT_NOT_FOUND', `There is no coffee bar event ${eventId}.`));
  return config;
}

async function currentCode(request: HttpRequest) {
  const eventId = eventIdParam(request);
  requireCodeViewer(request.caller, eventId, 'show the QR code');
  const config = await eventConfig(eventId);
  const { now } = request;
  const stored = await loadBucket(config.eventId, bucketIdAt(now, config.codeRotationMinutes));
  const current = currentBucket(stored, config, now, (size) => randomBytes(size));
  const bucket = current.created ? await storeNewBucket(current.bucket) : current.bucket;
  return json(200, {
    eventId: bucket.eventId,
    code: bucket.code,
    bucketId: bucket.bucketId,
    availableTokens: bucket.availableTokens,
    drinksPerCode: bucket.drinksPerCode,
    validFrom: new Date(bucket.startMs).toISOString(),
    validUntil: new Date(bucket.endMs).toISOString(),
    refreshInMs: msUntilRotation(now, bucket.rotationMinutes),
  });
}

async function scan(request: HttpRequest) {
  const eventId = eventIdParam(request);
  const body = objectBody(request, '{"code": "the code of the QR code"}');
  if (typeof body.code !== 'string' || body.code === '')
    throw new Problem(badRequest('INVALID_BODY', 'code must be the text of the scanned QR code.'));
  const { userId, email, emailVerified } = request.caller;
  const [config, blocked] = await Promise.all([eventConfig(eventId), isBlocked(userId)]);
  const refusal = orderingRefusal({
    ...(email ? { email } : {}),
    ...(emailVerified ? { emailVerified } : {}),
    blocked,
  });
  if (refusal) throw new Problem(refusal);
  // A closed or full store takes no orders: say so before spending a token of the code. (The order
  // processor decides for good, atomically; this only spares the customer an order refused later.)
  const early = decideCapacity(config, { openOrders: await eventOpenOrders(eventId), userOpenOrders: 0 });
  if (!early.accepted && early.reason !== 'USER_LIMIT') throw new Problem(capacityError(early));

  const { now } = request;
  const scanned = { eventId, code: body.code };
  const bucket = valueOf(
    verifyScannedCode(await loadBucket(eventId, bucketIdAt(now, config.codeRotationMinutes)), scanned, now),
  );
  const orderId = randomUUID();
  const admission = {
    bucket,
    eventId,
    userId,
    orderId,
    maxOrdersPerUser: config.maxOrdersPerUser,
    nowMs: now,
    // Past it, the reservation sweep gives the place back unless the order's workflow still runs.
    leaseMs: positiveNumberEnv('RESERVATION_LEASE_SECONDS') * 1000,
    // Accounts on one mailbox share the limit (orderingRefusal made sure the email is there and verified).
    mailbox: canonicalMailbox(email!),
  };
  const outcome = await admit(admission);
  if (outcome === 'mailbox') throw new Problem(mailboxLimitError(config.maxOrdersPerUser));
  if (outcome === 'bucket') {
    // Someone took the last token, or the code expired, since it was read: say which.
    valueOf(verifyScannedCode(await loadBucket(eventId, bucket.bucketId), scanned, Date.now()));
    throw new Problem(
      conflict(
        'NO_TOKENS_LEFT',
        `This QR code has already admitted its ${bucket.drinksPerCode} orders. Wait for the next code at the coffee bar.`,
      ),
    );
  }
  if (outcome === 'user') {
    // The set was full when the transaction ran: count at least the limit (a place may have freed since).
    const held = Math.max(await userOpenOrders(eventId, userId), config.maxOrdersPerUser);
    const decision = decideCapacity({ ...config, storeOpen: true }, { openOrders: 0, userOpenOrders: held });
    throw new Problem(
      decision.accepted ? conflict('USER_LIMIT', 'You already have an open order.') : capacityError(decision),
    );
  }
  try {
    await publish([
      newOrderEvent({ orderId, userId, bucket: { ...bucket, availableTokens: bucket.availableTokens - 1 } }),
    ]);
  } catch (e) {
    // Nothing will process the order: give the token and the customer's place back.
    await undoAdmission(admission);
    throw e;
  }
  return json(201, { orderId, eventId, message: 'Your order is accepted: choose your drink.' });
}

export const handler = httpRoutes(
  {
    'GET /events/{eventId}/qr-code': currentCode,
    'POST /events/{eventId}/orders': scan,
  },
  // A display device shows the code; it never scans it (403 DISPLAY_DEVICE).
  { displayRoutes: ['GET /events/{eventId}/qr-code'] },
);

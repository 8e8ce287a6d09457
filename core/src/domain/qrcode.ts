// QR codes admit customers: time is cut into buckets of codeRotationMinutes; each bucket of an event has
// one random code that admits drinksPerCode orders. The display shows the current code; a scan is
// verified here and the token is taken by a conditional DynamoDB update, so two customers racing for
// the last token cannot both win.
import type { EventConfig } from './config.js';
import { badRequest, conflict, fail, ok, type Result } from './errors.js';

/** A source of cryptographically strong random bytes (node:crypto randomBytes in handlers, a fixed one in tests). */
export type RandomBytes = (size: number) => Uint8Array;

/** URL- and QR-safe, and 64 symbols: one random byte masked to 6 bits picks a symbol without bias. */
export const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** 10 symbols = 60 random bits: unguessable within the few minutes a code lives. */
export const CODE_LENGTH = 10;
/** Buckets are kept a day after they end (DynamoDB TTL), for support questions, then deleted. */
export const BUCKET_RETENTION_SECONDS = 24 * 60 * 60;

const MINUTE_MS = 60_000;

function rotationMs(rotationMinutes: number): number {
  if (!Number.isInteger(rotationMinutes) || rotationMinutes < 1)
    throw new RangeError(`rotationMinutes must be a whole number from 1, got ${rotationMinutes}`);
  return rotationMinutes * MINUTE_MS;
}

/** The bucket a moment falls in: whole rotation intervals since the epoch (as the original: floor(now / interval)). */
export function bucketIdAt(nowMs: number, rotationMinutes: number): number {
  return Math.floor(nowMs / rotationMs(rotationMinutes));
}

/** The first and last millisecond of a bucket. */
export function bucketWindow(bucketId: number, rotationMinutes: number): { startMs: number; endMs: number } {
  const interval = rotationMs(rotationMinutes);
  return { startMs: bucketId * interval, endMs: bucketId * interval + interval - 1 };
}

/** Milliseconds until the current code is replaced, for the display's refresh timer. */
export function msUntilRotation(nowMs: number, rotationMinutes: number): number {
  return bucketWindow(bucketIdAt(nowMs, rotationMinutes), rotationMinutes).endMs + 1 - nowMs;
}

/** The DynamoDB key of an event's bucket, "<eventId>-<bucketId>" as in the original. */
export const bucketKey = (eventId: string, bucketId: number): string => `${eventId}-${bucketId}`;

/** A random code of CODE_ALPHABET symbols. */
export function generateCode(randomBytes: RandomBytes, length = CODE_LENGTH): string {
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`code length must be a whole number from 1, got ${length}`);
  const bytes = randomBytes(length);
  if (bytes.length < length)
    throw new RangeError(`the random source returned ${bytes.length} bytes, ${length} were asked for`);
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[(bytes[i] ?? 0) & 63];
  return code;
}

/** One bucket of one event, as stored in the validator's table. */
export interface QrBucket {
  PK: string;
  eventId: string;
  bucketId: number;
  /** The code the QR encodes. Never put on the bus: whoever has it can order. */
  code: string;
  /** Orders this code may still admit. */
  availableTokens: number;
  /** How many it admitted at first (config.drinksPerCode then). */
  drinksPerCode: number;
  /** The rotation the bucket id was computed with. */
  rotationMinutes: number;
  startMs: number;
  endMs: number;
  /** DynamoDB TTL, epoch seconds. */
  expiresAt: number;
}

type BucketConfig = Pick<EventConfig, 'eventId' | 'drinksPerCode' | 'codeRotationMinutes'>;

/** A fresh bucket for the moment nowMs, with a new random code and drinksPerCode tokens. */
export function newBucket(config: BucketConfig, nowMs: number, randomBytes: RandomBytes): QrBucket {
  const bucketId = bucketIdAt(nowMs, config.codeRotationMinutes);
  const { startMs, endMs } = bucketWindow(bucketId, config.codeRotationMinutes);
  return {
    PK: bucketKey(config.eventId, bucketId),
    eventId: config.eventId,
    bucketId,
    code: generateCode(randomBytes),
    availableTokens: config.drinksPerCode,
    drinksPerCode: config.drinksPerCode,
    rotationMinutes: config.codeRotationMinutes,
    startMs,
    endMs,
    expiresAt: Math.ceil((endMs + 1) / 1000) + BUCKET_RETENTION_SECONDS,
  };
}

/**
 * The bucket the display should show now: the stored one when it is still current for this config,
 * otherwise a new one (created = true: store it only if no other display stored one first, else
 * re-read and use the winner's).
 */
export function currentBucket(
  stored: QrBucket | undefined,
  config: BucketConfig,
  nowMs: number,
  randomBytes: RandomBytes,
): { bucket: QrBucket; created: boolean } {
  const bucketId = bucketIdAt(nowMs, config.codeRotationMinutes);
  if (
    stored &&
    stored.eventId === config.eventId &&
    stored.rotationMinutes === config.codeRotationMinutes &&
    stored.bucketId === bucketId
  ) {
    return { bucket: stored, created: false };
  }
  return { bucket: newBucket(config, nowMs, randomBytes), created: true };
}

/** What the customer's app sends after scanning. */
export interface ScannedCode {
  eventId: string;
  code: string;
}

// Compares without stopping at the first difference, so response times do not leak a code's prefix.
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

const INVALID_CODE = 'This QR code is not valid. Scan the code shown at the coffee bar.';

/**
 * Verifies a scanned code against the bucket stored for the current moment (the handler loads
 * bucketKey(eventId, bucketIdAt(now, config.codeRotationMinutes))):
 * - 400 INVALID_CODE: no current bucket, another event's bucket, or a different code;
 * - 400 CODE_EXPIRED: the right code of a bucket that is no longer current;
 * - 409 NO_TOKENS_LEFT: the code already admitted all its orders.
 * Passing is not yet admission: the store takes the token atomically, under the same conditions.
 */
export function verifyScannedCode(bucket: QrBucket | undefined, scan: ScannedCode, nowMs: number): Result<QrBucket> {
  if (
    typeof scan.code !== 'string' ||
    scan.code === '' ||
    !bucket ||
    bucket.eventId !== scan.eventId ||
    !sameSecret(bucket.code, scan.code)
  ) {
    return fail(badRequest('INVALID_CODE', INVALID_CODE));
  }
  if (bucket.bucketId !== bucketIdAt(nowMs, bucket.rotationMinutes) || nowMs > bucket.endMs) {
    return fail(badRequest('CODE_EXPIRED', 'This QR code has expired. Scan the new code shown at the coffee bar.'));
  }
  if (bucket.availableTokens < 1) {
    return fail(
      conflict(
        'NO_TOKENS_LEFT',
        `This QR code has already admitted its ${bucket.drinksPerCode} orders. Wait for the next code at the coffee bar.`,
      ),
    );
  }
  return ok(bucket);
}

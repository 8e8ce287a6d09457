import { describe, expect, it } from '@jest/globals';
import { defaultConfig } from '../../src/domain/config.js';
import {
  BUCKET_RETENTION_SECONDS,
  CODE_ALPHABET,
  bucketIdAt,
  bucketKey,
  bucketWindow,
  currentBucket,
  generateCode,
  msUntilRotation,
  newBucket,
  verifyScannedCode,
  type QrBucket,
  type RandomBytes,
} from '../../src/domain/qrcode.js';

const MIN = 60_000;
// 2026-11-21T12:52:21Z: inside bucket 5_920_432 of 5 minutes (which starts at 12:50:00).
const NOW = Date.UTC(2026, 10, 21, 12, 52, 21);
const BUCKET = Math.floor(NOW / (5 * MIN));
const config = { ...defaultConfig('NYC'), drinksPerCode: 3 };

/** A random source that counts up from start: predictable codes in tests. */
const counting =
  (start = 0): RandomBytes =>
  (size) =>
    Uint8Array.from({ length: size }, (_, i) => (start + i) % 256);

describe('time buckets', () => {
  it('cut time into whole rotation intervals since the epoch', () => {
    expect(bucketIdAt(NOW, 5)).toBe(BUCKET);
    expect(bucketIdAt(0, 5)).toBe(0);
    expect(bucketIdAt(5 * MIN - 1, 5)).toBe(0);
    expect(bucketIdAt(5 * MIN, 5)).toBe(1);
    expect(bucketIdAt(NOW, 10)).toBe(Math.floor(NOW / (10 * MIN)));
  });

  it('know their first and last millisecond, and when the next starts', () => {
    expect(bucketWindow(1, 5)).toEqual({ startMs: 5 * MIN, endMs: 10 * MIN - 1 });
    const { startMs, endMs } = bucketWindow(BUCKET, 5);
    expect(startMs).toBe(Date.UTC(2026, 10, 21, 12, 50, 0));
    expect(endMs).toBe(Date.UTC(2026, 10, 21, 12, 55, 0) - 1);
    expect(msUntilRotation(NOW, 5)).toBe(2 * MIN + 39_000);
    expect(msUntilRotation(startMs, 5)).toBe(5 * MIN);
  });

  it('refuse a rotation that is not a whole number of minutes from 1', () => {
    expect(() => bucketIdAt(NOW, 0)).toThrow('rotationMinutes must be a whole number from 1, got 0');
    expect(() => bucketWindow(1, 2.5)).toThrow(RangeError);
  });

  it('are keyed "<eventId>-<bucketId>" as in the original', () => {
    expect(bucketKey('NYC', BUCKET)).toBe(`NYC-${BUCKET}`);
  });
});

describe('generateCode', () => {
  it('maps each random byte to one of 64 URL-safe symbols', () => {
    expect(CODE_ALPHABET).toHaveLength(64);
    expect(new Set(CODE_ALPHABET).size).toBe(64);
    expect(generateCode(counting(0))).toBe('ABCDEFGHIJ');
    expect(generateCode(counting(60), 6)).toBe('89_-AB');
    // 6 bits of every byte: 0, 64, 128 and 192 are the same symbol, so no symbol is favoured.
    expect(generateCode(() => Uint8Array.from([0, 64, 128, 192]), 4)).toBe('AAAA');
    expect(generateCode(() => Uint8Array.from([255]), 1)).toBe('-');
  });

  it('refuses a bad length or a short random source', () => {
    expect(() => generateCode(counting(), 0)).toThrow('code length must be a whole number from 1, got 0');
    expect(() => generateCode(() => new Uint8Array(3))).toThrow(
      'the random source returned 3 bytes, 10 were asked for',
    );
  });
});

describe('buckets', () => {
  const bucket = newBucket(config, NOW, counting());

  it('start with drinksPerCode tokens and a fresh code, and expire a day after they end', () => {
    expect(bucket).toEqual({
      PK: `NYC-${BUCKET}`,
      eventId: 'NYC',
      bucketId: BUCKET,
      code: 'ABCDEFGHIJ',
      availableTokens: 3,
      drinksPerCode: 3,
      rotationMinutes: 5,
      startMs: BUCKET * 5 * MIN,
      endMs: (BUCKET + 1) * 5 * MIN - 1,
      expiresAt: ((BUCKET + 1) * 5 * MIN) / 1000 + BUCKET_RETENTION_SECONDS,
    });
  });

  it('are reused while current, replaced when time or the rotation moved on', () => {
    expect(currentBucket(bucket, config, NOW + MIN, counting(9))).toEqual({ bucket, created: false });
    const next = currentBucket(bucket, config, bucket.endMs + 1, counting(9));
    expect(next.created).toBe(true);
    expect(next.bucket.bucketId).toBe(BUCKET + 1);
    expect(next.bucket.code).toBe('JKLMNOPQRS');
    expect(currentBucket(undefined, config, NOW, counting()).created).toBe(true);
    const slower = currentBucket(bucket, { ...config, codeRotationMinutes: 10 }, NOW, counting());
    expect(slower.created).toBe(true);
    expect(slower.bucket.rotationMinutes).toBe(10);
    expect(currentBucket(bucket, { ...config, eventId: 'LDN' }, NOW, counting()).bucket.eventId).toBe('LDN');
  });
});

describe('verifyScannedCode', () => {
  const bucket: QrBucket = newBucket(config, NOW, counting());
  const scan = { eventId: 'NYC', code: 'ABCDEFGHIJ' };

  it('accepts the current code of the event while tokens are left', () => {
    expect(verifyScannedCode(bucket, scan, NOW)).toEqual({ ok: true, value: bucket });
    expect(verifyScannedCode({ ...bucket, availableTokens: 1 }, scan, bucket.endMs).ok).toBe(true);
  });

  it("refuses a wrong, empty or unknown code, or another event's, alike (400 INVALID_CODE)", () => {
    const invalid = {
      ok: false,
      error: {
        status: 400,
        code: 'INVALID_CODE',
        message: 'This QR code is not valid. Scan the code shown at the coffee bar.',
      },
    };
    expect(verifyScannedCode(bucket, { ...scan, code: 'ABCDEFGHIK' }, NOW)).toEqual(invalid);
    expect(verifyScannedCode(bucket, { ...scan, code: 'ABCDEFGHI' }, NOW)).toEqual(invalid);
    expect(verifyScannedCode(bucket, { ...scan, code: '' }, NOW)).toEqual(invalid);
    expect(verifyScannedCode(undefined, scan, NOW)).toEqual(invalid);
    expect(verifyScannedCode(bucket, { ...scan, eventId: 'LDN' }, NOW)).toEqual(invalid);
  });

  it('refuses the right code once its bucket is over (400 CODE_EXPIRED)', () => {
    expect(verifyScannedCode(bucket, scan, bucket.endMs + 1)).toEqual({
      ok: false,
      error: {
        status: 400,
        code: 'CODE_EXPIRED',
        message: 'This QR code has expired. Scan the new code shown at the coffee bar.',
      },
    });
    expect(verifyScannedCode(bucket, scan, bucket.startMs - 1).ok).toBe(false);
  });

  it('refuses a code that admitted all its orders (409 NO_TOKENS_LEFT)', () => {
    expect(verifyScannedCode({ ...bucket, availableTokens: 0 }, scan, NOW)).toEqual({
      ok: false,
      error: {
        status: 409,
        code: 'NO_TOKENS_LEFT',
        message: 'This QR code has already admitted its 3 orders. Wait for the next code at the coffee bar.',
      },
    });
  });
});

// SigV4 verification: the signature is computed again with @smithy/signature-v4 (the signer the
// AWS SDK itself uses) over the headers the client said it signed, and compared.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EdgeRequest } from '../edge/types.js';

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/;

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header, or undefined for anything else. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const m = header === undefined ? null : AUTH.exec(header);
  if (!m) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The SHA-256 the signer asks for (HMAC when given a key), on node:crypto. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** `20250101T120000Z` as a Date. */
function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** True when the request's signature is the one the secret gives. */
export async function signatureMatches(
  request: EdgeRequest,
  rawPath: string,
  auth: ParsedAuthorization,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<boolean> {
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const date = amzDate(header('x-amz-date') ?? '');
  if (!date) return false;
  // The signer trusts a payload hash header: it must be the body's (S3's UNSIGNED-PAYLOAD aside).
  const payloadHash = header('x-amz-content-sha256');
  if (
    payloadHash !== undefined &&
    !(payloadHash === 'UNSIGNED-PAYLOAD' && auth.service === 's3') &&
    payloadHash !== createHash('sha256').update(request.body).digest('hex')
  )
    return false;
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = header(name);
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(request.query.keys())) {
    const all = request.query.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const q = rawPath.indexOf('?');
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials,
    sha256: Sha256,
    uriEscapePath: auth.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: (headers.host ?? '').replace(/:\d+$/, ''),
      path: q < 0 ? rawPath : rawPath.slice(0, q),
      query,
      headers,
      body: request.body,
    },
    {
      signingDate: date,
      signableHeaders: new Set(auth.signedHeaders),
      signingRegion: auth.region,
      signingService: auth.service,
    },
  );
  const computed = /Signature=([0-9a-f]+)/.exec(
    String(signed.headers.authorization ?? signed.headers.Authorization),
  )?.[1];
  if (!computed || computed.length !== auth.signature.length) return false;
  return timingSafeEqual(Buffer.from(computed), Buffer.from(auth.signature));
}

// Publishes channel messages to the core's AppSync Events API over its HTTP endpoint
// (POST https://<Dns.Http>/event, {channel, events: [JSON text, ...]}, at most 5 events a request),
// signed with SigV4 (service appsync) with the Lambda's own credentials: the namespaces let only IAM
// publish. AppSync answers 200 with the events it took (successful) and those it did not (failed);
// the failed ones are sent again, alone, and whatever still fails throws, so the invocation fails and
// Lambda retries it (clients drop repeats by the message id).
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { publishBatches, type ChannelMessage, type ChannelPublish } from '../domain/index.js';
import { requiredEnv } from './env.js';

export class RealtimePublishError extends Error {
  override name = 'RealtimePublishError';
}

/** One event AppSync did not take, as its response lists it. */
interface FailedEvent {
  identifier?: string;
  index: number;
  code?: string | number;
  message?: string;
}
interface PublishResponse {
  successful?: { identifier?: string; index: number }[];
  failed?: FailedEvent[];
}

export interface RealtimeOptions {
  /** The publish URL, https://<Dns.Http>/event (or the API's HTTP domain alone); default: REALTIME_PUBLISH_URL. */
  publishUrl?: string;
  region?: string;
  /** Default: the Lambda's role, from the default provider chain. */
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  /** Attempts per request, the first included, before the invocation fails (default 3). */
  attempts?: number;
  /** Milliseconds before the second attempt, doubled each time (default 100). */
  backoffMs?: number;
  /** Milliseconds one request may take before it counts as failed and is tried again (default 3000). */
  timeoutMs?: number;
}

/** The publish URL: a full http(s) URL as is (the template passes https://<Dns.Http>/event), a bare domain as https://<domain>/event. */
export function publishUrl(httpDomain: string): URL {
  if (/^https?:\/\//.test(httpDomain)) return new URL(httpDomain);
  return new URL(`https://${httpDomain}/event`);
}

let roleSigner: { region: string; signer: SignatureV4 } | undefined;

function signerFor(region: string, credentials: RealtimeOptions['credentials']): SignatureV4 {
  const make = (c: NonNullable<RealtimeOptions['credentials']>) =>
    new SignatureV4({ service: 'appsync', region, credentials: c, sha256: Hash.bind(null, 'sha256') });
  if (credentials) return make(credentials);
  // One per container: the provider caches the role's credentials and refreshes them before they expire.
  if (roleSigner?.region !== region) roleSigner = { region, signer: make(defaultProvider()) };
  return roleSigner.signer;
}

/** One signed POST of up to 5 events on one channel; the indexes of those AppSync did not take, with why. */
async function postOnce(
  url: URL,
  sig: SignatureV4,
  channel: string,
  events: readonly ChannelMessage[],
  timeoutMs: number,
): Promise<{ failed: FailedEvent[]; retryable: boolean; status: number }> {
  const body = JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) });
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const signed = await sig.sign(request);
  let response: Response;
  let text: string;
  try {
    // A publish that hangs must not hold the invocation to its timeout: it is tried again instead.
    response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (e) {
    const message = `no answer from ${url.host}: ${(e as Error).message}`;
    return { failed: events.map((_, index) => ({ index, code: 'NetworkError', message })), retryable: true, status: 0 };
  }
  if (!response.ok) {
    // 429 and 5xx are worth another try; any other status (401, 403, 400) is the template's or the code's mistake.
    const retryable = response.status === 429 || response.status >= 500;
    const failed = events.map((_, index) => ({ index, code: response.status, message: text.slice(0, 300) }));
    return { failed, retryable, status: response.status };
  }
  let parsed: PublishResponse = {};
  try {
    parsed = JSON.parse(text) as PublishResponse;
  } catch {
    // A 2xx without a body we can read: nothing says an event failed.
  }
  return { failed: parsed.failed ?? [], retryable: true, status: response.status };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes every message: per channel, in order, 5 events per request. Events AppSync reports as
 * failed are sent again (only those), up to `attempts` times; then it throws with each failure.
 */
export async function publishToChannels(
  publishes: readonly ChannelPublish[],
  options: RealtimeOptions = {},
): Promise<void> {
  if (publishes.length === 0) return;
  const url = publishUrl(options.publishUrl ?? requiredEnv('REALTIME_PUBLISH_URL'));
  const region = options.region ?? requiredEnv('AWS_REGION');
  const sig = signerFor(region, options.credentials);
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 100;
  const failures: string[] = [];
  for (const batch of publishBatches(publishes)) {
    let pending = batch.events;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { failed, retryable, status } = await postOnce(url, sig, batch.channel, pending, options.timeoutMs ?? 3000);
      const failedIndexes = new Set(failed.map((f) => f.index));
      const next = pending.filter((_, i) => failedIndexes.has(i));
      if (next.length === 0) break;
      if (!retryable || attempt >= attempts) {
        for (const f of failed)
          failures.push(
            `${batch.channel} event ${pending[f.index]?.id ?? f.index}: ${String(f.code ?? status)} ${f.message ?? ''}`.trim(),
          );
        break;
      }
      pending = next;
      await wait(backoffMs * 2 ** (attempt - 1));
    }
  }
  if (failures.length > 0)
    throw new RealtimePublishError(
      `AppSync Events did not take ${failures.length} of ${publishes.length} events: ${failures.join('; ')}`,
    );
}

// Publishes to the core's realtime board over AppSync Events' HTTP endpoint (POST .../event,
// {channel, events: [JSON text]}), signed with SigV4 (service appsync) with the function's role: the
// board namespace lets only IAM publish. AppSync lists the events it did not take in `failed`: those
// are sent again, and what still fails throws, so the rule's delivery is retried.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export class BoardPublishError extends Error {
  override name = 'BoardPublishError';
}

export interface BoardPublisher {
  /** Publishes up to 5 messages on one channel. */
  publish(channel: string, messages: readonly unknown[]): Promise<void>;
}

export function boardPublisher(options: {
  url: string;
  region: string;
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  attempts?: number;
}): BoardPublisher {
  const url = new URL(options.url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Hash.bind(null, 'sha256'),
  });
  const attempts = options.attempts ?? 3;
  return {
    async publish(channel, messages) {
      let pending = [...messages];
      let last = '';
      for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
        const body = JSON.stringify({ channel, events: pending.map((m) => JSON.stringify(m)) });
        const signed = await signer.sign(
          new HttpRequest({
            method: 'POST',
            protocol: url.protocol,
            hostname: url.hostname,
            ...(url.port ? { port: Number(url.port) } : {}),
            path: url.pathname,
            headers: { host: url.host, 'content-type': 'application/json' },
            body,
          }),
        );
        let response: Response;
        let text: string;
        try {
          // A publish that hangs must not hold the invocation to its timeout: it is tried again instead.
          response = await fetch(url, {
            method: 'POST',
            headers: signed.headers,
            body,
            signal: AbortSignal.timeout(3000),
          });
          text = await response.text();
        } catch (e) {
          last = `no answer from ${url.host}: ${(e as Error).message}`;
          continue;
        }
        if (!response.ok) {
          last = `${response.status} ${text.slice(0, 300)}`;
          // Only throttling and AppSync's own faults are worth another try.
          if (response.status !== 429 && response.status < 500) break;
          continue;
        }
        const failed =
          (JSON.parse(text || '{}') as { failed?: { index: number; code?: unknown; message?: string }[] }).failed ?? [];
        last = failed.map((f) => `${String(f.code)} ${f.message ?? ''}`.trim()).join('; ');
        const again = new Set(failed.map((f) => f.index));
        pending = pending.filter((_, i) => again.has(i));
      }
      if (pending.length > 0)
        throw new BoardPublishError(`AppSync Events did not take ${pending.length} event(s) on ${channel}: ${last}`);
    },
  };
}

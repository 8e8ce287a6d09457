// presso events: the archive of accepted events as JSON Lines (one envelope per line), so it pipes
// into jq, presso validate -, and the like; --follow keeps tailing.
import { callCloud } from '../endpoint.js';

export interface EventsOptions {
  endpoint: string;
  bus?: string;
  pattern?: string;
  follow?: boolean;
}

export async function eventsCommand(options: EventsOptions, out: NodeJS.WritableStream): Promise<number> {
  const query = new URLSearchParams();
  if (options.bus) query.set('bus', options.bus);
  if (options.pattern) query.set('pattern', options.pattern);
  if (options.follow) query.set('follow', '1');
  const response = await callCloud(options.endpoint, `/_presso/events?${query}`);
  if (!response.ok || !response.body) {
    out.write(`presso events: ${((await response.json()) as { message?: string }).message ?? response.statusText}\n`);
    return 1;
  }
  for await (const chunk of response.body) out.write(chunk as Uint8Array);
  return 0;
}

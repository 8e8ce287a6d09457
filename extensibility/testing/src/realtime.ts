// A subscriber of an AppSync Events API (the core's realtime channels), as a browser is one: a real
// WebSocket (ws) with the `aws-appsync-event-ws` and `header-<base64url>` subprotocols and a token
// of the user pool, connection_init, then subscriptions; every message received is kept.
import WebSocket from 'ws';
import { until } from './until.js';

/** What a stack says of an Event API (StackRecord.eventApis[LogicalId]): its local URLs and AWS host. */
export interface EventApiUrls {
  realtime: string;
  dns: { http: string };
}

export type RealtimeMessage = Record<string, unknown> & { type: string; id?: string };

export class RealtimeSubscriber {
  readonly messages: RealtimeMessage[] = [];
  private constructor(
    readonly ws: WebSocket,
    private readonly auth: { host: string; authorization: string },
  ) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as RealtimeMessage));
  }

  /** Connects with a token (an ID token of the API's user pool) and waits for connection_ack. */
  static async connect(api: EventApiUrls, token: string): Promise<RealtimeSubscriber> {
    const auth = { host: api.dns.http, authorization: token };
    const header = `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
    const ws = new WebSocket(api.realtime, ['aws-appsync-event-ws', header]);
    const s = new RealtimeSubscriber(ws, auth);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await until('connection_ack', () => s.messages.find((m) => m.type === 'connection_ack'), {
      detail: () => JSON.stringify(s.messages),
    });
    return s;
  }

  /** Subscribes (with the connection's token) and resolves with subscribe_success or subscribe_error. */
  async subscribe(id: string, channel: string): Promise<RealtimeMessage> {
    this.ws.send(JSON.stringify({ type: 'subscribe', id, channel, authorization: this.auth }));
    return until(`the answer to subscription ${id}`, () =>
      this.messages.find((m) => (m.type === 'subscribe_success' || m.type === 'subscribe_error') && m.id === id),
    );
  }

  /** The messages a subscription delivered so far, parsed. */
  data(id: string): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.type === 'data' && m.id === id)
      .map((m) => JSON.parse(m.event as string) as Record<string, unknown>);
  }

  close(): void {
    this.ws.terminate();
  }
}

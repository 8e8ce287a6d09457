// A WebSocket client of AppSync Events' protocol for tests: connects with the
// `aws-appsync-event-ws` and `header-<base64url>` subprotocols, keeps every message it receives,
// and waits (bounded, with until) for the next one of a type. Imports nothing of the local cloud.
import { until } from './until.js';
import WebSocket from 'ws';

export type Message = Record<string, unknown> & { type: string; id?: string };

export class EventsClient {
  readonly messages: Message[] = [];
  private read = 0;
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as Message));
    ws.on('close', () => (this.closed = true));
  }

  static async connect(url: string, headers: Record<string, string>, options: { autoPong?: boolean } = {}) {
    const header = `header-${Buffer.from(JSON.stringify(headers)).toString('base64url')}`;
    const ws = new WebSocket(url, ['aws-appsync-event-ws', header], { autoPong: options.autoPong ?? true });
    const client = new EventsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message (after those already taken) of this type, with this id when given. */
  async next(type: string, id?: string, ms = 5000): Promise<Message> {
    return until(
      `a ${type} message${id ? ` for ${id}` : ''} (got: ${JSON.stringify(this.messages.slice(this.read))})`,
      () => {
        const i = this.messages.findIndex(
          (m, j) => j >= this.read && m.type === type && (id === undefined || m.id === id),
        );
        if (i < 0) return undefined;
        this.read = i + 1;
        return this.messages[i];
      },
      { ms },
    );
  }

  /** Every data message of a subscription so far. */
  data(id: string): unknown[] {
    return this.messages.filter((m) => m.type === 'data' && m.id === id).map((m) => JSON.parse(m.event as string));
  }

  async init(): Promise<Message> {
    this.send({ type: 'connection_init' });
    return this.next('connection_ack');
  }

  async subscribe(id: string, channel: string, authorization: Record<string, string>): Promise<Message> {
    this.send({ type: 'subscribe', id, channel, authorization });
    return until(`subscribe_success or subscribe_error for ${id}`, () =>
      this.messages.find((m) => (m.type === 'subscribe_success' || m.type === 'subscribe_error') && m.id === id),
    );
  }

  close(): void {
    this.ws.terminate();
  }
}

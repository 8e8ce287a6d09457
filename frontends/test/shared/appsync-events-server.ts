// AppSync Events' WebSocket endpoint as AWS documents it, on a real `ws` server, for the realtime
// client's tests: the aws-appsync-event-ws and header-<base64url> subprotocols (host + Authorization),
// connection_init -> connection_ack (connectionTimeoutMs), ka every kaEveryMs, subscribe ->
// subscribe_success | subscribe_error, data, unsubscribe -> unsubscribe_success, connection_error for
// a refused authorization. The test decides which tokens and channels are allowed, publishes, drops
// connections, stops and restarts it on the same port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ClientMessage {
  type: string;
  id?: string;
  channel?: string;
  authorization?: { host?: string; Authorization?: string };
}

export interface Connection {
  socket: WebSocket;
  protocols: string[];
  /** The header subprotocol, decoded. */
  header: { host?: string; Authorization?: string };
  received: ClientMessage[];
  subscriptions: Map<string, string>;
  kaSent: number;
}

export interface AppSyncOptions {
  host: string;
  connectionTimeoutMs?: number;
  /** How often ka is sent; undefined sends none (a silent server). */
  kaEveryMs?: number;
  /** Whether a token is valid (for the connection and for each subscribe). */
  validToken?: (token: string) => boolean;
  /** Whether the token may subscribe to the channel (the namespace's onSubscribe). */
  allow?: (channel: string, token: string) => boolean;
}

const UNAUTHORIZED = { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' };

/** Whether a subscription's channel (maybe ending in /*) covers a published channel. */
const covers = (subscribed: string, channel: string): boolean =>
  subscribed === channel || (subscribed.endsWith('/*') && channel.startsWith(subscribed.slice(0, -1)));

export class AppSyncEventsServer {
  readonly connections: Connection[] = [];
  private http!: Server;
  private wss!: WebSocketServer;
  private port = 0;
  private kaTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: AppSyncOptions) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/event/realtime`;
  }

  /** Connections still open. */
  get open(): Connection[] {
    return this.connections.filter((c) => c.socket.readyState === c.socket.OPEN);
  }

  async start(): Promise<this> {
    this.http = createServer((_request, response) => response.writeHead(404).end());
    this.wss = new WebSocketServer({
      server: this.http,
      path: '/event/realtime',
      // AppSync answers with aws-appsync-event-ws; a client that does not offer it is refused.
      handleProtocols: (protocols) => (protocols.has('aws-appsync-event-ws') ? 'aws-appsync-event-ws' : false),
    });
    this.wss.on('connection', (socket, request) =>
      this.accept(socket, request.headers['sec-websocket-protocol'] ?? ''),
    );
    await new Promise<void>((resolve) => this.http.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops every connection (a restart of the local cloud); start() again on the same port. */
  async stop(): Promise<void> {
    for (const timer of this.kaTimers) clearInterval(timer);
    this.kaTimers.clear();
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  /** Drops every connection at once, without a close frame (a network loss). */
  dropAll(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  /** Publishes an event to every subscription whose channel covers it, as AppSync sends it (event as JSON text). */
  publish(channel: string, event: unknown): number {
    let sent = 0;
    for (const connection of this.open) {
      for (const [id, subscribed] of connection.subscriptions) {
        if (!covers(subscribed, channel)) continue;
        connection.socket.send(JSON.stringify({ type: 'data', id, event: JSON.stringify(event) }));
        sent++;
      }
    }
    return sent;
  }

  private accept(socket: WebSocket, protocolHeader: string): void {
    const protocols = protocolHeader.split(',').map((p) => p.trim());
    const headerProtocol = protocols.find((p) => p.startsWith('header-'));
    let header: Connection['header'] = {};
    try {
      header = headerProtocol ? JSON.parse(Buffer.from(headerProtocol.slice(7), 'base64url').toString('utf8')) : {};
    } catch {
      header = {};
    }
    const connection: Connection = { socket, protocols, header, received: [], subscriptions: new Map(), kaSent: 0 };
    this.connections.push(connection);
    const send = (message: unknown) => socket.send(JSON.stringify(message));
    const valid = (token: string | undefined) =>
      token !== undefined && (this.options.validToken ? this.options.validToken(token) : true);
    if (header.host !== this.options.host || !valid(header.Authorization)) {
      send({ type: 'connection_error', errors: [UNAUTHORIZED] });
      socket.close(1008, 'Unauthorized');
      return;
    }
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ClientMessage;
      connection.received.push(message);
      switch (message.type) {
        case 'connection_init': {
          send({ type: 'connection_ack', connectionTimeoutMs: this.options.connectionTimeoutMs ?? 300_000 });
          if (this.options.kaEveryMs !== undefined) {
            const timer = setInterval(() => {
              if (socket.readyState !== socket.OPEN) return;
              send({ type: 'ka' });
              connection.kaSent++;
            }, this.options.kaEveryMs);
            this.kaTimers.add(timer);
            socket.on('close', () => {
              clearInterval(timer);
              this.kaTimers.delete(timer);
            });
          }
          break;
        }
        case 'subscribe': {
          const token = message.authorization?.Authorization;
          const allowed =
            message.authorization?.host === this.options.host &&
            valid(token) &&
            (this.options.allow ? this.options.allow(message.channel!, token!) : true);
          if (!allowed) {
            send({ type: 'subscribe_error', id: message.id, errors: [UNAUTHORIZED] });
            break;
          }
          connection.subscriptions.set(message.id!, message.channel!);
          send({ type: 'subscribe_success', id: message.id });
          break;
        }
        case 'unsubscribe':
          connection.subscriptions.delete(message.id!);
          send({ type: 'unsubscribe_success', id: message.id });
          break;
        default:
          send({
            type: 'error',
            id: message.id,
            errors: [{ errorType: 'UnsupportedOperation', message: message.type }],
          });
      }
    });
  }
}

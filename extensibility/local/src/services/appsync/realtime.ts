// AppSync Events' WebSocket protocol on the edge (the `ws` package, on the edge's HTTP upgrade):
// subprotocols `aws-appsync-event-ws` and `header-<base64url JSON>` carrying the authorization
// headers; `connection_init` -> `connection_ack` {connectionTimeoutMs}; `ka` keep-alives;
// `subscribe` -> `subscribe_success` | `subscribe_error`; `data`; `unsubscribe` ->
// `unsubscribe_success` | `unsubscribe_error`; `publish` -> `publish_success` | `publish_error`.
// A client that answers neither pings nor anything else for connectionTimeoutMs is dropped.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppSyncError } from './model.js';
import type { EventApisService, Subscription } from './service.js';

export const EVENT_SUBPROTOCOL = 'aws-appsync-event-ws';
const HEADER_PREFIX = 'header-';

export interface RealtimeOptions {
  /** Sent in connection_ack; a client silent for this long is dropped (AppSync: 300000). */
  connectionTimeoutMs?: number;
  /** How often `ka` (and a WebSocket ping) is sent (AppSync: about every minute). */
  keepAliveIntervalMs?: number;
  log?: (line: string) => void;
}

interface Connection {
  ws: WebSocket;
  apiId: string;
  headers: Record<string, unknown>;
  /** Resolves when the connection's own authorization has been checked (false: refused). */
  authorized: Promise<boolean>;
  acked: boolean;
  lastSeen: number;
  /** When it opened (AppSync Events bills connection minutes). */
  opened: number;
  subscriptions: Map<string, Subscription>;
  /** Messages are handled one after the other, in the order they came (a subscribe before its unsubscribe). */
  queue: Promise<void>;
}

/** The authorization headers a client put in its `header-<base64url>` subprotocol. */
export function headersOfSubprotocols(protocols: readonly string[]): Record<string, unknown> | undefined {
  const header = protocols.find((p) => p.startsWith(HEADER_PREFIX));
  if (!header) return undefined;
  try {
    const json = Buffer.from(header.slice(HEADER_PREFIX.length), 'base64url').toString('utf8');
    const parsed = JSON.parse(json) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const errorsOf = (e: unknown) =>
  e instanceof AppSyncError ? [e.toJSON()] : [{ errorType: 'InternalFailure', message: (e as Error).message }];

export class RealtimeServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private closedConnectionMs = 0;
  private readonly connectionTimeoutMs: number;
  private readonly keepAliveIntervalMs: number;
  private readonly timer: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(
    private readonly service: EventApisService,
    options: RealtimeOptions = {},
  ) {
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
    this.keepAliveIntervalMs = options.keepAliveIntervalMs ?? 60_000;
    this.log = options.log ?? (() => {});
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 2 * 1024 * 1024,
      // AppSync answers with the event subprotocol; the header one only carries authorization.
      handleProtocols: (protocols) => (protocols.has(EVENT_SUBPROTOCOL) ? EVENT_SUBPROTOCOL : false),
    });
    this.timer = setInterval(() => this.keepAlive(), this.keepAliveIntervalMs);
    this.timer.unref();
    // An API whose stack is deleted goes away with its connections.
    service.onApiRemoved((apiId) => {
      for (const connection of this.connections)
        if (connection.apiId === apiId) {
          connection.ws.close(1001, 'The API was deleted');
          this.drop(connection);
        }
    });
  }

  /** Takes an HTTP upgrade if it is for an Event API's realtime endpoint; false leaves it to others. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://edge');
    const apiId = this.service.apiOf(url.pathname, req.headers.host, true);
    if (!apiId) return false;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return true;
    };
    if (!this.service.hasApi(apiId)) return refuse(404, 'Not Found');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes(EVENT_SUBPROTOCOL)) return refuse(400, 'Bad Request');
    const headers = headersOfSubprotocols(protocols) ?? {};
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, apiId, headers));
    return true;
  }

  private accept(ws: WebSocket, apiId: string, headers: Record<string, unknown>): void {
    const connection: Connection = {
      ws,
      apiId,
      headers,
      acked: false,
      lastSeen: Date.now(),
      opened: Date.now(),
      subscriptions: new Map(),
      queue: Promise.resolve(),
      authorized: this.service.authorizeConnection(apiId, headers).then(
        () => true,
        (e: unknown) => {
          // As AppSync's realtime endpoint refuses a connection: the error with its HTTP code.
          const errors = errorsOf(e).map((error) => ({
            ...error,
            errorCode: e instanceof AppSyncError ? e.status : 500,
          }));
          this.send(connection, { type: 'connection_error', errors });
          ws.close(1008, 'Unauthorized');
          return false;
        },
      ),
    };
    this.connections.add(connection);
    ws.on('pong', () => (connection.lastSeen = Date.now()));
    ws.on('message', (data) => {
      connection.lastSeen = Date.now();
      const text = data.toString();
      connection.queue = connection.queue
        .then(() => this.onMessage(connection, text))
        .catch((e: unknown) => this.log(`[appsync] ${apiId}: ${(e as Error).stack ?? String(e)}`));
    });
    ws.on('close', () => this.drop(connection));
    ws.on('error', () => this.drop(connection));
  }

  private drop(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.closedConnectionMs += Date.now() - connection.opened;
    for (const sub of connection.subscriptions.values()) this.service.unsubscribe(connection.apiId, sub);
    connection.subscriptions.clear();
  }

  private send(connection: Connection, message: unknown): void {
    if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(JSON.stringify(message));
  }

  private async onMessage(connection: Connection, text: string): Promise<void> {
    let message: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      return this.send(connection, {
        type: 'error',
        errors: [{ errorType: 'BadRequestException', message: 'A message must be a JSON object with a type.' }],
      });
    }
    if (!(await connection.authorized)) return;
    const id = message.id;
    const authorization =
      message.authorization && typeof message.authorization === 'object'
        ? (message.authorization as Record<string, unknown>)
        : connection.headers;
    switch (message.type) {
      case 'connection_init':
        connection.acked = true;
        this.send(connection, { type: 'connection_ack', connectionTimeoutMs: this.connectionTimeoutMs });
        return this.send(connection, { type: 'ka' });
      case 'subscribe': {
        if (typeof id !== 'string' || id === '')
          return this.send(connection, {
            type: 'subscribe_error',
            errors: [{ errorType: 'BadRequestException', message: 'id is required: a unique id for the subscription' }],
          });
        if (connection.subscriptions.has(id))
          return this.send(connection, {
            type: 'subscribe_error',
            id,
            errors: [{ errorType: 'BadRequestException', message: `A subscription with id ${id} already exists.` }],
          });
        try {
          const sub = await this.service.subscribe(connection.apiId, message.channel, authorization, {
            id,
            send: (data) => {
              if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(data);
            },
          });
          if (!this.connections.has(connection)) return this.service.unsubscribe(connection.apiId, sub);
          connection.subscriptions.set(id, sub);
          return this.send(connection, { type: 'subscribe_success', id });
        } catch (e) {
          return this.send(connection, { type: 'subscribe_error', id, errors: errorsOf(e) });
        }
      }
      case 'unsubscribe': {
        const sub = typeof id === 'string' ? connection.subscriptions.get(id) : undefined;
        if (!sub)
          return this.send(connection, {
            type: 'unsubscribe_error',
            id,
            errors: [{ errorType: 'UnknownOperationError', message: `Unknown subscription id ${String(id)}.` }],
          });
        connection.subscriptions.delete(sub.id);
        this.service.unsubscribe(connection.apiId, sub);
        return this.send(connection, { type: 'unsubscribe_success', id });
      }
      case 'publish':
        try {
          const result = await this.service.publish(connection.apiId, message, authorization);
          return this.send(connection, { type: 'publish_success', id, ...result });
        } catch (e) {
          return this.send(connection, { type: 'publish_error', id, errors: errorsOf(e) });
        }
      default:
        return this.send(connection, {
          type: 'error',
          ...(id !== undefined ? { id } : {}),
          errors: [
            { errorType: 'UnsupportedOperation', message: `Unknown message type ${JSON.stringify(message.type)}.` },
          ],
        });
    }
  }

  /** Every tick: `ka` and a ping to each client; one silent past the timeout is dropped. */
  private keepAlive(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (now - connection.lastSeen > this.connectionTimeoutMs) {
        this.log(`[appsync] ${connection.apiId}: a client silent for ${now - connection.lastSeen} ms was dropped`);
        connection.ws.terminate();
        this.drop(connection);
        continue;
      }
      if (connection.acked) this.send(connection, { type: 'ka' });
      connection.ws.ping();
    }
  }

  /** Time connections were open since start, the open ones until now (AppSync Events bills connection minutes). */
  connectionMs(): number {
    const now = Date.now();
    let ms = this.closedConnectionMs;
    for (const connection of this.connections) ms += now - connection.opened;
    return ms;
  }

  /** Open connections (stats, benchmarks). */
  connectionCount(): number {
    return this.connections.size;
  }

  close(): void {
    clearInterval(this.timer);
    for (const connection of this.connections) connection.ws.terminate();
    this.connections.clear();
    this.wss.close();
  }
}

// The AppSync Events WebSocket client the apps share, speaking the protocol as AWS documents it
// ("Understanding the Event API WebSocket protocol"):
//   connect  wss://<realtime>/event/realtime, subprotocols aws-appsync-event-ws and
//            header-<base64url of {"host": <HTTP endpoint's host>, "Authorization": <token>}>
//   -> {type: connection_init}          <- {type: connection_ack, connectionTimeoutMs}
//   <- {type: ka} keep-alives; none for connectionTimeoutMs: the connection is dead, close it
//   -> {type: subscribe, id, channel, authorization}   <- subscribe_success | subscribe_error {errors}
//   <- {type: data, id, event: "<JSON text>"}
//   -> {type: unsubscribe, id}          <- unsubscribe_success | unsubscribe_error
// On top of it what a screen needs: reconnects with jittered, capped exponential backoff, every channel
// subscribed again, a fresh token for each connection (refreshed first after an authorization
// refusal), and while a channel is not live the app's polling function runs every pollEveryMs (and
// once more when it is live again, for what was published meanwhile), so nothing shown is silently
// stale. `status` says which: connecting (first connection), live (every channel live), polling.
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { base64UrlText } from './encoding.js';

export type RealtimeStatus = 'connecting' | 'live' | 'polling';

/** An AppSync error: errorType (e.g. UnauthorizedException) and message. */
export interface RealtimeErrorInfo {
  errorType: string;
  message?: string;
}

export class RealtimeError extends Error {
  override name = 'RealtimeError';
  constructor(
    readonly errorType: string,
    message: string,
    readonly channel?: string,
  ) {
    super(message);
  }
}

/** What a WebSocket (the browser's, Node 24's) offers that the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface SubscribeHandlers<T = unknown> {
  /** Each event published to the channel (parsed JSON; the text when it is not JSON). */
  onData: (event: T) => void;
  /** The channel was refused (subscribe_error), e.g. UnauthorizedException; it is polled meanwhile. */
  onError?: (error: RealtimeError) => void;
  /**
   * Re-reads what the channel would have said, from the HTTP API: called every pollEveryMs while the
   * channel is not live, and once when it is live again.
   */
  poll?: () => Promise<unknown> | unknown;
}

export interface Subscription {
  readonly channel: string;
  /** True while the channel's events arrive over the WebSocket. */
  readonly live: boolean;
  unsubscribe(): void;
}

export interface RealtimeOptions {
  /** The WebSocket endpoint (config.realtime.wsUrl). */
  wsUrl: string;
  /** The HTTP endpoint's host (config.realtime.host), which AppSync checks in every authorization. */
  host: string;
  /** A valid token for each connection and subscription (auth.token(), which refreshes when due). */
  token: () => Promise<string | undefined>;
  /** Forces a token refresh (auth.refresh()): called before reconnecting after an authorization refusal. */
  refreshToken?: () => Promise<unknown>;
  /** Default: the global WebSocket. */
  webSocket?: WebSocketFactory;
  clock?: Clock;
  /** In [0, 1): the backoff's jitter. */
  random?: () => number;
  /** Subscription ids (AppSync takes any unique id; default crypto.randomUUID). */
  newId?: () => string;
  /** Reconnect backoff: base and cap (default 1 s, 30 s). */
  backoff?: { baseMs?: number; capMs?: number };
  /** How often the polling functions run while a channel is not live (default 5 s). */
  pollEveryMs?: number;
  /** How long to wait for connection_ack (default 15 s). */
  ackTimeoutMs?: number;
}

/**
 * The wait before reconnect attempt `attempt` (0 first): exponential from baseMs, capped at capMs,
 * with "equal jitter" (half fixed, half random) so that clients a restart dropped together do not
 * come back together, and each wait still grows.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The subprotocols that carry the authorization (AppSync reads no headers from a browser's WebSocket). */
export function authProtocols(host: string, token: string): string[] {
  return ['aws-appsync-event-ws', `header-${base64UrlText(JSON.stringify({ host, Authorization: token }))}`];
}

// A channel is /<namespace>[/<segment>...], at most 5 segments of letters, digits and hyphens (up to
// 50 each); a subscription may end in /* (every channel below).
const CHANNEL = /^(\/[A-Za-z0-9-]{1,50}){1,5}(\/\*)?$/;

export function channelProblem(channel: string): string | undefined {
  if (!CHANNEL.test(channel))
    return `${JSON.stringify(channel)} is not an AppSync Events channel: write /namespace/segment/..., at most 5 segments of letters, digits and hyphens (50 each), optionally ending in /*.`;
  if (channel.endsWith('/*') && channel.split('/').length - 1 > 5)
    return `${JSON.stringify(channel)} has too many segments: at most 5, the wildcard included.`;
  return undefined;
}

interface Sub {
  channel: string;
  handlers: SubscribeHandlers<never>;
  /** The id of its current subscribe on the current connection; undefined when none was sent. */
  id: string | undefined;
  live: boolean;
  /** Polled since it was last live: it polls once more when it is live again. */
  polled: boolean;
  closed: boolean;
  /** Refusals in a row, for its backoff; and whether the token was refreshed since it was last live. */
  attempt: number;
  refreshed: boolean;
  retryTimer: TimerHandle | undefined;
}

const OPEN = 1;

export class RealtimeClient {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly webSocket: WebSocketFactory;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly pollEveryMs: number;
  private readonly ackTimeoutMs: number;

  private readonly subs = new Set<Sub>();
  private readonly byId = new Map<string, Sub>();
  private readonly listeners = new Set<(status: RealtimeStatus) => void>();
  private ws: WebSocketLike | undefined;
  private acked = false;
  private token: string | undefined;
  private attempt = 0;
  /** Set by the first failure: from then on, whatever is not live is polled. */
  private degraded = false;
  private refreshFirst = false;
  private closed = false;
  private currentStatus: RealtimeStatus = 'connecting';
  private reconnectTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private pollTimer: TimerHandle | undefined;
  /** A connection is being opened (its token awaited): no second one meanwhile. */
  private connecting = false;
  /** connection_ack's connectionTimeoutMs. */
  private keepAliveMs = 300_000;

  constructor(private readonly options: RealtimeOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.webSocket =
      options.webSocket ?? ((url, protocols) => new globalThis.WebSocket(url, protocols) as unknown as WebSocketLike);
    this.baseMs = options.backoff?.baseMs ?? 1_000;
    this.capMs = options.backoff?.capMs ?? 30_000;
    this.pollEveryMs = options.pollEveryMs ?? 5_000;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    // A phone back on a network reconnects at once rather than at the end of its backoff.
    globalThis.addEventListener?.('online', this.onOnline);
  }

  private readonly onOnline = (): void => this.reconnectNow();

  get status(): RealtimeStatus {
    return this.currentStatus;
  }

  /** Called with every change of status. Returns the unsubscribe. */
  onStatus(listener: (status: RealtimeStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to a channel (connecting first if need be); kept across reconnects until unsubscribed. */
  subscribe<T = unknown>(channel: string, handlers: SubscribeHandlers<T>): Subscription {
    const problem = channelProblem(channel);
    if (problem) throw new RealtimeError('BadRequestException', problem, channel);
    if (this.closed)
      throw new RealtimeError('ClientClosed', 'This realtime client was closed; create another.', channel);
    const sub: Sub = {
      channel,
      handlers: handlers as SubscribeHandlers<never>,
      id: undefined,
      live: false,
      polled: false,
      closed: false,
      attempt: 0,
      refreshed: false,
      retryTimer: undefined,
    };
    this.subs.add(sub);
    if (this.ws && this.acked) this.sendSubscribe(sub);
    else if (!this.ws && this.reconnectTimer === undefined) void this.connect();
    this.update();
    return {
      channel,
      get live() {
        return sub.live;
      },
      unsubscribe: () => this.unsubscribe(sub),
    };
  }

  /** Reconnects at once instead of waiting out the backoff (e.g. on the browser's `online` event). */
  reconnectNow(): void {
    if (this.closed || (this.ws && this.acked)) return;
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (!this.ws) void this.connect();
  }

  /** Closes the connection and stops every timer; the subscriptions end. */
  close(): void {
    this.closed = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    for (const timer of [this.reconnectTimer, this.watchdog, this.pollTimer])
      if (timer !== undefined) this.clock.clearTimeout(timer);
    this.reconnectTimer = this.watchdog = this.pollTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000, 'closed by the app');
    }
    for (const sub of this.subs) if (sub.retryTimer !== undefined) this.clock.clearTimeout(sub.retryTimer);
    this.subs.clear();
    this.byId.clear();
  }

  private async connect(): Promise<void> {
    if (this.closed || this.subs.size === 0 || this.connecting || this.ws) return;
    // One connection at a time: the token is awaited before the socket exists.
    this.connecting = true;
    try {
      await this.open();
    } finally {
      this.connecting = false;
    }
  }

  private async open(): Promise<void> {
    let token: string | undefined;
    try {
      if (this.refreshFirst && this.options.refreshToken) await this.options.refreshToken();
      this.refreshFirst = false;
      token = await this.options.token();
    } catch {
      token = undefined;
    }
    if (this.closed) return;
    if (!token) {
      // Signed out, or the sign-in service is unreachable: poll, and try again later.
      this.failed();
      return;
    }
    this.token = token;
    this.acked = false;
    let ws: WebSocketLike;
    try {
      ws = this.webSocket(this.options.wsUrl, authProtocols(this.options.host, token));
    } catch {
      this.failed();
      return;
    }
    this.ws = ws;
    // No ack in time (a proxy that accepts and says nothing): give up on this connection.
    this.watchdog = this.clock.setTimeout(() => this.drop(ws), this.ackTimeoutMs);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init' }));
    ws.onmessage = (event) => this.received(ws, event.data);
    ws.onclose = () => this.drop(ws);
    ws.onerror = () => this.drop(ws);
  }

  private received(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws) return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    const sub = typeof message.id === 'string' ? this.byId.get(message.id) : undefined;
    switch (message.type) {
      case 'connection_ack': {
        this.acked = true;
        const timeout = typeof message.connectionTimeoutMs === 'number' ? message.connectionTimeoutMs : 300_000;
        this.keepAlive(ws, timeout);
        for (const s of this.subs) this.sendSubscribe(s);
        break;
      }
      case 'ka':
        this.keepAlive(ws);
        break;
      case 'subscribe_success':
        if (sub) {
          sub.live = true;
          sub.attempt = 0;
          sub.refreshed = false;
          if (sub.polled) {
            // Events published while it was polled and before this subscription are read once more.
            sub.polled = false;
            this.runPoll(sub);
          }
          // The connection works: the next drop starts the backoff again from its base.
          this.attempt = 0;
        }
        break;
      case 'subscribe_error':
        if (sub) this.subscribeFailed(sub, errorsOf(message));
        break;
      case 'data':
        if (sub && !sub.closed) sub.handlers.onData(parseEvent(message.event) as never);
        break;
      case 'connection_error':
      case 'error': {
        const errors = errorsOf(message);
        if (sub) {
          this.subscribeFailed(sub, errors);
        } else if (message.type === 'connection_error' || (message.id === undefined && errors.some(isAuthError))) {
          // The connection itself was refused (its token): a new one, with a refreshed token.
          if (errors.some(isAuthError)) this.refreshFirst = true;
          this.drop(ws);
        }
        // Any other error names a message this client no longer tracks (an unsubscribe): nothing to do.
        break;
      }
      default:
        // unsubscribe_success / _error, publish answers: nothing to do.
        break;
    }
    this.update();
  }

  private subscribeFailed(sub: Sub, errors: RealtimeErrorInfo[]): void {
    if (sub.id) this.byId.delete(sub.id);
    sub.id = undefined;
    sub.live = false;
    this.degraded = true;
    const first = errors[0] ?? { errorType: 'UnknownError' };
    sub.handlers.onError?.(
      new RealtimeError(
        first.errorType,
        first.message ?? `The subscription to ${sub.channel} was refused.`,
        sub.channel,
      ),
    );
    this.startPolling();
    // Tried again alone, with a backoff of its own: the connection and the other channels stay as
    // they are (each subscribe carries its own authorization). After an authorization refusal the
    // first retry refreshes the token: it may have expired.
    const refresh = errors.some(isAuthError) && !sub.refreshed;
    if (sub.retryTimer !== undefined) this.clock.clearTimeout(sub.retryTimer);
    const delay = backoffDelay(sub.attempt++, this.baseMs, this.capMs, this.random);
    sub.retryTimer = this.clock.setTimeout(() => {
      sub.retryTimer = undefined;
      void this.retrySubscribe(sub, refresh);
    }, delay);
  }

  private async retrySubscribe(sub: Sub, refresh: boolean): Promise<void> {
    if (sub.closed || this.closed) return;
    if (refresh) {
      sub.refreshed = true;
      try {
        if (this.options.refreshToken) await this.options.refreshToken();
        this.token = (await this.options.token()) ?? this.token;
      } catch {
        // The sign-in service is unreachable: try with the token we have.
      }
    }
    if (this.ws && this.acked && !sub.closed && !sub.live && sub.id === undefined) this.sendSubscribe(sub);
  }

  private sendSubscribe(sub: Sub): void {
    if (!this.ws || this.ws.readyState !== OPEN || !this.token) return;
    if (sub.id) this.byId.delete(sub.id);
    sub.id = this.newId();
    sub.live = false;
    this.byId.set(sub.id, sub);
    this.ws.send(
      JSON.stringify({
        type: 'subscribe',
        id: sub.id,
        channel: sub.channel,
        authorization: { host: this.options.host, Authorization: this.token },
      }),
    );
  }

  private unsubscribe(sub: Sub): void {
    if (sub.closed) return;
    sub.closed = true;
    if (sub.retryTimer !== undefined) this.clock.clearTimeout(sub.retryTimer);
    this.subs.delete(sub);
    if (sub.id) {
      this.byId.delete(sub.id);
      if (this.ws && this.acked && this.ws.readyState === OPEN)
        this.ws.send(JSON.stringify({ type: 'unsubscribe', id: sub.id }));
    }
    this.update();
  }

  /** The keep-alive watchdog: no ka for connectionTimeoutMs (the ack's) closes the connection. */
  private keepAlive(ws: WebSocketLike, timeoutMs?: number): void {
    if (timeoutMs !== undefined) this.keepAliveMs = timeoutMs;
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    this.watchdog = this.clock.setTimeout(() => this.drop(ws), this.keepAliveMs);
  }

  /** The connection is lost (closed, silent, refused): poll, and reconnect after the backoff. */
  private drop(ws: WebSocketLike): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    this.acked = false;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close();
    } catch {
      // Already closed.
    }
    this.failed();
  }

  private failed(): void {
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
    for (const sub of this.subs) {
      if (sub.id) this.byId.delete(sub.id);
      if (sub.retryTimer !== undefined) this.clock.clearTimeout(sub.retryTimer);
      sub.retryTimer = undefined;
      sub.id = undefined;
      sub.live = false;
    }
    if (this.closed) return;
    this.degraded = true;
    this.startPolling();
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, this.baseMs, this.capMs, this.random);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.update();
  }

  /** Polls every channel that is not live, now and every pollEveryMs, while any is not live. */
  private startPolling(): void {
    if (this.pollTimer !== undefined || this.closed) return;
    const tick = () => {
      this.pollTimer = undefined;
      const waiting = [...this.subs].filter((s) => !s.live);
      if (waiting.length === 0 || this.closed) return;
      for (const sub of waiting) {
        sub.polled = true;
        this.runPoll(sub);
      }
      this.pollTimer = this.clock.setTimeout(tick, this.pollEveryMs);
    };
    tick();
  }

  private runPoll(sub: Sub): void {
    if (!sub.handlers.poll || sub.closed) return;
    try {
      Promise.resolve(sub.handlers.poll()).catch(() => undefined);
    } catch {
      // The app's poll failed (offline too): the next tick tries again.
    }
  }

  private update(): void {
    const all = [...this.subs];
    const status: RealtimeStatus =
      all.length > 0 && this.acked && all.every((s) => s.live) ? 'live' : this.degraded ? 'polling' : 'connecting';
    if (status === 'live' && this.pollTimer !== undefined) {
      this.clock.clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of this.listeners) listener(status);
  }
}

function errorsOf(message: Record<string, unknown>): RealtimeErrorInfo[] {
  const errors = Array.isArray(message.errors) ? message.errors : [];
  return errors.map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    return {
      errorType: typeof o.errorType === 'string' ? o.errorType : 'UnknownError',
      ...(typeof o.message === 'string' ? { message: o.message } : {}),
    };
  });
}

const isAuthError = (e: RealtimeErrorInfo): boolean => /Unauthorized|Expired|Token/i.test(e.errorType);

function parseEvent(event: unknown): unknown {
  if (typeof event !== 'string') return event;
  try {
    return JSON.parse(event);
  } catch {
    return event;
  }
}

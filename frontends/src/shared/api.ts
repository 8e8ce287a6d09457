// A typed client of the core's HTTP API (core/template.yaml's routes; core/README.md "HTTP API"): each
// route a method, the signed-in person's bearer token on every request, and every refusal an ApiError
// carrying the API's code and a sentence a customer understands, never a status code.
// The core answers errors as { error, message, details? } (core/src/adapters/http/responses.ts); an
// RFC 9457 problem+json body ({ type, title, status, detail, code? }) and API Gateway's own answers
// ({ message: 'Unauthorized' }, throttling) are read too.
import type {
  CustomerOrder,
  DisplayBoard,
  EventConfig,
  FieldError,
  Journey,
  MenuItem,
  OrderStatus,
  PublicOrder,
} from '@serverlesspresso/core/domain';

export type { CustomerOrder, DisplayBoard, EventConfig, FieldError, Journey, MenuItem, OrderStatus, PublicOrder };

export interface Menu {
  eventId: string;
  storeOpen: boolean;
  /** The drinks available now, in menu order. */
  menu: MenuItem[];
  version: number;
}

export interface QrCode {
  eventId: string;
  code: string;
  bucketId: number;
  availableTokens: number;
  drinksPerCode: number;
  validFrom: string;
  validUntil: string;
  refreshInMs: number;
}

export interface NewOrder {
  orderId: string;
  eventId: string;
  message: string;
}

export interface OrderChange {
  order: PublicOrder;
  /** True when the order was already so (a repeated tap): nothing changed. */
  duplicate: boolean;
}

export interface ConfigChange {
  config: EventConfig;
  changed: string[];
}

export type ConfigPatch = Partial<
  Pick<
    EventConfig,
    | 'storeOpen'
    | 'maxOrdersInQueue'
    | 'maxOrdersPerUser'
    | 'drinksPerCode'
    | 'codeRotationMinutes'
    | 'customerWaitMinutes'
    | 'baristaWaitMinutes'
    | 'menu'
  >
> & { version?: number };

export type EventRole = 'admin' | 'barista' | 'display';

/** GET /me/events: the events the signed-in person (or display device) works, with their roles there. */
export interface MyEvents {
  userId: string;
  /** An operator administers every event (each listed with admin). */
  operator: boolean;
  events: { eventId: string; roles: EventRole[] }[];
}

/** POST /events/{eventId}/displays: what the TV signs in with, once. */
export interface DisplaySignIn {
  eventId: string;
  displayId: string;
  username: string;
  password: string;
  message: string;
}

/**
 * A refusal of the API. `code` is the API's (e.g. STORE_CLOSED, NO_TOKENS_LEFT), or NETWORK when it
 * could not be reached, UNAUTHORIZED when the sign-in is missing or over, INTERNAL_ERROR for its
 * failures. `message` is for the person using the app; `serverMessage` is what the API said.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** 0 when the API could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly serverMessage?: string,
    readonly details?: FieldError[],
    /** A 409 the API says to ask again after this long (its Retry-After), capped. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Worth trying again as it is (a lost connection, the API's own failure, throttling). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

// Sentences for the person in front of the app, by the API's code. Where the API's own message is
// already such a sentence with particulars (a limit, the drink), it is used instead (USE_SERVER).
const USE_SERVER = Symbol('the API message');
const SENTENCES: Record<string, string | typeof USE_SERVER> = {
  // Scanning a code (POST /events/{eventId}/orders)
  INVALID_CODE: 'This QR code is not valid for this coffee bar. Scan the code shown on the display at the bar.',
  CODE_EXPIRED: 'This QR code has expired. Scan the new code shown on the display at the bar.',
  NO_TOKENS_LEFT: 'This QR code has no drinks left. Wait a moment for the next code on the display at the bar.',
  STORE_CLOSED: 'The coffee bar is closed right now, so it is not taking orders.',
  AT_CAPACITY: 'The baristas are very busy right now. Please try again in a few minutes.',
  USER_LIMIT: USE_SERVER,
  // Sign-up: the email not verified yet (the code), an account an admin blocked; the API says what to do.
  EMAIL_NOT_VERIFIED: USE_SERVER,
  ACCOUNT_BLOCKED: USE_SERVER,
  EVENT_NOT_FOUND: 'We could not find this coffee bar. Scan the QR code at the bar again.',
  // Ordering a drink, cancelling
  ALREADY_ORDERED: 'You have already chosen a drink for this order. Scan the QR code again to order another.',
  ORDER_REFUSED: USE_SERVER,
  UNKNOWN_DRINK: 'That drink is not on the menu. Please choose another.',
  DRINK_UNAVAILABLE: 'That drink has just run out. Please choose another.',
  UNKNOWN_MODIFIER: 'One of the options you chose is not on the menu. Please check your choices.',
  ONE_OPTION_PER_GROUP: 'Please choose only one option from each group.',
  DUPLICATE_MODIFIER: 'You chose the same option twice. Please check your choices.',
  INVALID_DRINK_ORDER: 'Please choose a drink from the menu.',
  ORDER_BEING_MADE: 'A barista is already making your drink, so it can no longer be cancelled.',
  ALREADY_CANCELLED: 'This order was already cancelled.',
  ALREADY_COMPLETED: 'This order is already ready.',
  ORDER_NOT_FOUND: 'We could not find this order.',
  ORDER_NOT_READY: 'Your order is still being set up. Please try again in a moment.',
  NOT_YOUR_ORDER: 'This order belongs to someone else.',
  // The barista's and admin's actions
  ALREADY_CLAIMED: 'Another barista is already making this order.',
  CLAIMED_BY_OTHER: 'Another barista is making this order; only they or an admin can change it.',
  NOT_IN_QUEUE: 'This order is not in the queue yet: it has no drink or no number.',
  WRONG_GROUP: 'Your account is not allowed to do this. Ask an admin to add you to the right group.',
  NOT_EVENT_STAFF: 'You do not work at this event. Ask an admin of the event to add you, then check again.',
  NOT_EVENT_ADMIN: 'Only an admin of this event can do this.',
  DISPLAY_DEVICE: 'This screen is a display: it shows the board and the QR code, nothing else.',
  WRONG_ROLE: 'Your account is not allowed to do this.',
  CONFIG_VERSION_CONFLICT: 'Someone else changed these settings meanwhile. Reload them and make your change again.',
  CONFIG_BUSY: 'The settings kept changing while saving. Reload them and try again.',
  INVALID_CONFIG: USE_SERVER,
  INVALID_MENU: USE_SERVER,
  USER_NOT_FOUND: USE_SERVER,
  // Anyone
  UNAUTHORIZED: 'Your sign-in has expired. Please sign in again.',
  UNAUTHENTICATED: 'Your sign-in has expired. Please sign in again.',
  TOO_MANY_REQUESTS: 'The coffee bar is very busy. Please try again in a moment.',
  NETWORK: 'We could not reach the coffee bar. Check your connection and try again.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again.',
};

const INTERNAL = 'Something went wrong on our side. Please try again.';
const FALLBACK_BY_STATUS: Record<number, string> = {
  400: 'That did not work: the app sent something the coffee bar did not understand. Please try again.',
  403: 'Your account is not allowed to do this.',
  404: 'We could not find what you asked for.',
  409: 'That is no longer possible: things have moved on. Please refresh.',
  422: 'That choice is not possible. Please check it and try again.',
};

/** The sentence for a refusal: ours for a known code, else the API's message, else one by status. */
export function customerSentence(status: number, code: string, serverMessage?: string): string {
  const known = SENTENCES[code];
  const byStatus = status >= 500 || status === 0 ? INTERNAL : (FALLBACK_BY_STATUS[status] ?? INTERNAL);
  if (known === USE_SERVER) return serverMessage || byStatus;
  if (known) return known;
  if (serverMessage && status > 0 && status < 500) return serverMessage;
  return byStatus;
}

/** The ApiError of a refused response's status and body (any of the shapes the API answers in). */
export function apiErrorOf(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  // The core: { error, message, details }; problem+json: { type, title, detail, code? }; API Gateway: { message }.
  let code = text(b.error) ?? text(b.code);
  if (!code && text(b.type) && b.type !== 'about:blank') code = String(b.type).split(/[/#]/).pop();
  if (!code) {
    if (status === 401) code = 'UNAUTHORIZED';
    else if (status === 429) code = 'TOO_MANY_REQUESTS';
    else if (status >= 500) code = 'INTERNAL_ERROR';
    else code = `HTTP_${status}`;
  }
  const serverMessage = text(b.message) ?? text(b.detail) ?? text(b.title);
  const details = Array.isArray(b.details) ? (b.details as FieldError[]) : undefined;
  // Retry-After in seconds (the core's); an HTTP date is not worth a wait here.
  const seconds = status === 409 && retryAfter ? Number(retryAfter) : NaN;
  const retryAfterMs =
    Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
  return new ApiError(
    status,
    code,
    customerSentence(status, code, serverMessage),
    serverMessage,
    details,
    retryAfterMs,
  );
}

export interface ApiClientOptions {
  /** The core's HTTP API (config.apiUrl). */
  baseUrl: string;
  /**
   * The bearer token of each request (auth.token()); undefined sends none (the API answers 401). When
   * it throws, the request is refused as NETWORK (an AuthError with code 'network') or UNAUTHORIZED.
   */
  token: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  /** Called when the API refuses the sign-in (401): the app asks the person to sign in again. */
  onUnauthorized?: (error: ApiError) => void;
}

// A 409 with Retry-After passes by itself (the API stores the order a moment after admitting it).
const MAX_NOT_YET_ATTEMPTS = 5;
const MAX_RETRY_AFTER_MS = 5_000;

const path = (strings: TemplateStringsArray, ...ids: string[]): string =>
  strings.reduce((out, s, i) => out + s + (i < ids.length ? encodeURIComponent(ids[i]!) : ''), '');

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  // ---- customers ----
  /** The available drinks and whether the store is open. */
  menu = (eventId: string): Promise<Menu> => this.request('GET', path`/events/${eventId}/menu`);
  /** Scans a QR code: a new order, which waits for its drink. */
  placeOrder = (eventId: string, code: string): Promise<NewOrder> =>
    this.request('POST', path`/events/${eventId}/orders`, { code });
  /** The caller's orders at the event; a queued one carries ordersAhead. */
  myOrders = (eventId: string): Promise<{ orders: CustomerOrder[] }> =>
    this.request('GET', path`/events/${eventId}/my-orders`);
  /** One order (the caller's, or any for staff); while queued it carries ordersAhead. */
  order = (orderId: string): Promise<CustomerOrder> => this.request('GET', path`/orders/${orderId}`);
  orderDrink = (orderId: string, drink: { drink: string; modifiers?: string[] }): Promise<OrderChange> =>
    this.request('PUT', path`/orders/${orderId}/drink`, drink);
  /** Cancels (its customer until a barista makes it; staff). */
  cancel = (orderId: string): Promise<OrderChange> => this.request('POST', path`/orders/${orderId}/cancel`);
  journey = (orderId: string): Promise<Journey> => this.request('GET', path`/orders/${orderId}/journey`);

  // ---- baristas and admins ----
  /** The barista queue, oldest first. */
  queue = (eventId: string): Promise<{ eventId: string; orders: PublicOrder[] }> =>
    this.request('GET', path`/events/${eventId}/queue`);
  ordersInState = (
    eventId: string,
    status: OrderStatus,
    limit?: number,
  ): Promise<{ eventId: string; status: OrderStatus; orders: PublicOrder[] }> => {
    const query = new URLSearchParams({ status, ...(limit === undefined ? {} : { limit: String(limit) }) });
    return this.request('GET', `${path`/events/${eventId}/orders`}?${query}`);
  };
  make = (orderId: string): Promise<OrderChange> => this.request('POST', path`/orders/${orderId}/make`);
  unmake = (orderId: string): Promise<OrderChange> => this.request('POST', path`/orders/${orderId}/unmake`);
  complete = (orderId: string): Promise<OrderChange> => this.request('POST', path`/orders/${orderId}/complete`);
  /** The board at the bar: being made, next, ready to collect. */
  display = (eventId: string): Promise<DisplayBoard> => this.request('GET', path`/events/${eventId}/display`);

  // ---- admins ----
  config = (eventId: string): Promise<EventConfig> => this.request('GET', path`/events/${eventId}/config`);
  /** A partial change; with `version`, refused (CONFIG_VERSION_CONFLICT) if the config moved on. */
  patchConfig = (eventId: string, patch: ConfigPatch): Promise<ConfigChange> =>
    this.request('PATCH', path`/events/${eventId}/config`, patch);
  qrCode = (eventId: string): Promise<QrCode> => this.request('GET', path`/events/${eventId}/qr-code`);
  /** Issues the sign-in of a new display device of the event (its admins). */
  issueDisplay = (eventId: string): Promise<DisplaySignIn> => this.request('POST', path`/events/${eventId}/displays`);

  // ---- everyone signed in ----
  /** The events the caller works (staff, display) and their roles there: the token's groups, read by the core. */
  myEvents = (): Promise<MyEvents> => this.request('GET', '/me/events');

  /**
   * One request: JSON in and out, the bearer token, refusals as ApiError. A 409 with Retry-After (an
   * order a moment too early, ORDER_NOT_READY) is asked again after that wait, a few times.
   */
  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, route, body);
      } catch (e) {
        const wait = e instanceof ApiError ? e.retryAfterMs : undefined;
        if (wait === undefined || attempt >= MAX_NOT_YET_ATTEMPTS) throw e;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async requestOnce<T>(method: string, route: string, body?: unknown): Promise<T> {
    let token: string | undefined;
    try {
      token = await this.options.token();
    } catch (e) {
      // The sign-in could not give a token: offline (the refresh could not reach the user pool), or over.
      const offline = (e as { code?: unknown } | null)?.code === 'network';
      const error = offline
        ? new ApiError(0, 'NETWORK', customerSentence(0, 'NETWORK'), (e as Error).message)
        : new ApiError(401, 'UNAUTHORIZED', customerSentence(401, 'UNAUTHORIZED'), (e as Error).message);
      if (!offline) this.options.onUnauthorized?.(error);
      throw error;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'NETWORK', customerSentence(0, 'NETWORK'), (e as Error).message);
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (parsed === undefined && text !== '')
        throw new ApiError(response.status, 'INVALID_RESPONSE', INTERNAL, text.slice(0, 200));
      return parsed as T;
    }
    const error = apiErrorOf(response.status, parsed, response.headers.get('retry-after'));
    if (response.status === 401) this.options.onUnauthorized?.(error);
    throw error;
  }
}

// What the browsers see: the bus events of an order's life and of config changes, turned into
// messages on the AppSync Events channels (pure; the publisher handler posts them).
//
//   /orders/<eventId>/<userId>   one customer's orders (userId = the token's sub)
//   /staff/<eventId>             baristas and admins: the queue and the config
//   /board/<eventId>             the display at the bar: order numbers and drinks, store open, menu
//
// Every message is built from an allow-list of fields, never by copying a detail: a task token, a
// barista's user id, a customer's user id, a QR bucket never reach a channel. The board (a public
// screen) gets no order id either: it is keyed by the order number.
import type {
  BoardChannelMessage,
  BoardConfigMessage,
  BoardOrderMessage,
  CustomerOrderMessage,
  OrdersChannelMessage,
  StaffChannelMessage,
  StaffConfigMessage,
  StaffOrderMessage,
} from '@serverlesspresso/catalog';

/** The channel namespaces of the core's Event API (core/template.yaml). */
export const CHANNEL_NAMESPACES = ['orders', 'staff', 'board'] as const;
export type ChannelNamespace = (typeof CHANNEL_NAMESPACES)[number];

/** AppSync Events takes at most 5 events per publish request. */
export const MAX_EVENTS_PER_PUBLISH = 5;

// A channel segment is 1 to 50 letters, digits or dashes. An eventId never has a dash (tenant.ts) but
// may have underscores, so "_" becomes "-" (one to one); a user id (a Cognito sub, a UUID) is used as is.
const SEGMENT = /^[A-Za-z0-9-]{1,50}$/;

/** The channel segment of an eventId: "_" becomes "-" (channel segments take no underscore). */
export const eventSegment = (eventId: string): string => eventId.replaceAll('_', '-');

function segment(value: string, what: string): string {
  if (!SEGMENT.test(value))
    throw new RangeError(`${what} "${value}" is not a channel segment (1 to 50 letters, digits, dashes)`);
  return value;
}

export const customerChannel = (eventId: string, userId: string): string =>
  `/orders/${segment(eventSegment(eventId), 'eventId')}/${segment(userId, 'userId')}`;
export const staffChannel = (eventId: string): string => `/staff/${segment(eventSegment(eventId), 'eventId')}`;
export const boardChannel = (eventId: string): string => `/board/${segment(eventSegment(eventId), 'eventId')}`;

// The messages are the catalog's channel schemas (extensibility/catalog/channels), types only: the
// catalog is not bundled into the Lambdas.
export type CustomerMessage = OrdersChannelMessage;
export type StaffMessage = StaffChannelMessage;
export type BoardMessage = BoardChannelMessage;
export type ChannelMessage = CustomerMessage | StaffMessage | BoardMessage;
type OrderMessage = StaffOrderMessage;
export type RealtimeOrderState = OrderMessage['state'];
type RealtimeCancelReason = NonNullable<OrderMessage['reason']>;
type RealtimeDrink = NonNullable<OrderMessage['drink']>;
type RealtimeMenuItem = StaffConfigMessage['menu'][number];
/** What every message says of where it comes from. */
type MessageBase = Pick<OrderMessage, 'id' | 'source' | 'eventId' | 'at'>;

export interface ChannelPublish {
  channel: string;
  message: ChannelMessage;
}

/** A bus event as EventBridge delivers it to a function (the fields read here). */
export interface BusEnvelope {
  id: string;
  'detail-type': string;
  source?: string;
  time: string;
  detail: Record<string, unknown>;
}

export interface RealtimeMapping {
  publishes: ChannelPublish[];
  /** Why nothing was published for an event the rule delivered (logged by the handler), when so. */
  skipped?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function drinkOf(v: unknown): RealtimeDrink | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const d = v as Record<string, unknown>;
  const drink = str(d.drink);
  if (!drink) return undefined;
  const icon = str(d.icon);
  return { drink, modifiers: strings(d.modifiers), ...(icon ? { icon } : {}) };
}

const CANCEL_REASONS: readonly string[] = ['customer', 'barista', 'timeout', 'refused'];
const FINISHED = /^OrderManager\.Order([A-Za-z0-9_]+)-(COMPLETED|CANCELLED)$/;

/** What an event says of an order, for every audience (each takes its own fields). */
type OrderChange = Omit<OrderMessage, keyof MessageBase | 'kind'> & { refusal?: string };

/** The order change an event says, or why it says none the screens show. */
function orderChange(e: BusEnvelope): { change: OrderChange; userId: string } | string {
  const d = e.detail;
  const dt = e['detail-type'];
  const orderId = str(d.orderId);
  const userId = str(d.userId);
  const message = str(d.Message) ?? '';
  const orderNumber = str(d.orderNumber);
  if (!orderId || !userId) return `${dt}: detail.orderId and detail.userId are required`;
  const common = { orderId, message, ...(orderNumber ? { orderNumber } : {}) };
  switch (dt) {
    case 'OrderProcessor.WorkflowStarted':
      return { change: { ...common, state: 'CREATED' }, userId };
    case 'OrderProcessor.ShopUnavailable':
      return {
        change: {
          ...common,
          state: 'CANCELLED',
          reason: 'refused',
          ...(str(d.reason) ? { refusal: str(d.reason) } : {}),
        },
        userId,
      };
    case 'OrderProcessor.OrderFailed':
      // The failure's error and cause are for operators (the journey, the logs): screens show the sentence.
      return { change: { ...common, state: 'FAILED' }, userId };
    case 'OrderManager.WaitingCompletion': {
      const drink = drinkOf(d.drinkOrder);
      const ts = num(d.TS);
      return {
        change: {
          ...common,
          state: 'QUEUED',
          ...(drink ? { drink } : {}),
          ...(ts === undefined ? {} : { queuedAt: new Date(ts).toISOString() }),
          robot: d.robot === true,
        },
        userId,
      };
    }
    case 'OrderManager.MakeOrder': {
      const drink = drinkOf(d.drinkOrder);
      return { change: { ...common, state: 'MAKING', ...(drink ? { drink } : {}) }, userId };
    }
  }
  const finished = FINISHED.exec(dt);
  if (!finished) return `${dt} is not shown on any channel`;
  const drink = drinkOf(d.drinkOrder);
  if (finished[2] === 'COMPLETED')
    return { change: { ...common, state: 'COMPLETED', ...(drink ? { drink } : {}) }, userId };
  const reason = str(d.reason);
  const cause = str(d.timeoutCause);
  return {
    change: {
      ...common,
      state: 'CANCELLED',
      ...(drink ? { drink } : {}),
      ...(reason && CANCEL_REASONS.includes(reason) ? { reason: reason as RealtimeCancelReason } : {}),
      ...(cause === 'customer' || cause === 'barista' ? { timeoutCause: cause } : {}),
    },
    userId,
  };
}

function configMessages(e: BusEnvelope, base: MessageBase): ChannelPublish[] | string {
  const d = e.detail;
  const storeOpen = d.storeOpen;
  const version = num(d.version);
  if (typeof storeOpen !== 'boolean' || version === undefined || !Array.isArray(d.menu))
    return `${e['detail-type']}: detail.storeOpen, version and menu are required`;
  const menu: RealtimeMenuItem[] = d.menu.flatMap((m: unknown) => {
    if (!m || typeof m !== 'object') return [];
    const item = m as Record<string, unknown>;
    const drink = str(item.drink);
    if (!drink) return [];
    const modifiers = Array.isArray(item.modifiers)
      ? item.modifiers.flatMap((g: unknown) => {
          const group = (g ?? {}) as Record<string, unknown>;
          const name = str(group.Name);
          return name ? [{ Name: name, Options: strings(group.Options) }] : [];
        })
      : [];
    return [{ drink, icon: str(item.icon) ?? '', available: item.available === true, modifiers }];
  });
  const board: BoardConfigMessage = { ...base, kind: 'config', storeOpen, menu, version };
  const staff: StaffConfigMessage = {
    ...board,
    maxOrdersInQueue: num(d.maxOrdersInQueue) ?? 0,
    maxOrdersPerUser: num(d.maxOrdersPerUser) ?? 0,
    drinksPerCode: num(d.drinksPerCode) ?? 0,
    codeRotationMinutes: num(d.codeRotationMinutes) ?? 0,
    // Settings added later: in the message when the config has them.
    ...(num(d.customerWaitMinutes) === undefined ? {} : { customerWaitMinutes: num(d.customerWaitMinutes) }),
    ...(num(d.baristaWaitMinutes) === undefined ? {} : { baristaWaitMinutes: num(d.baristaWaitMinutes) }),
    ...(typeof d.robotsAllowed === 'boolean' ? { robotsAllowed: d.robotsAllowed } : {}),
  };
  return [
    { channel: staffChannel(base.eventId), message: staff },
    { channel: boardChannel(base.eventId), message: board },
  ];
}

/**
 * The channel messages of one bus event:
 * - OrderProcessor.WorkflowStarted (the workflow waits for the drink), .ShopUnavailable (refused):
 *   the customer's channel only (the order is in no queue);
 * - OrderManager.WaitingCompletion, .MakeOrder, .Order<eventId>-COMPLETED / -CANCELLED, and
 *   OrderProcessor.OrderFailed (the workflow stopped the order, its place given back): the customer's
 *   channel, the staff channel, and the board when the order has a number;
 * - ConfigService.ConfigChanged: the staff channel (the config) and the board (store open, menu).
 * Anything else (the processor's own WaitingCompletion, OrderTimeOut, orderFinished: the order
 * manager's events that follow say the same), a replay, or a malformed event: nothing, and why.
 */
export function channelMessages(e: BusEnvelope): RealtimeMapping {
  const dt = e['detail-type'];
  if (e.detail.replay !== undefined) return { publishes: [], skipped: `${dt}: a replay is history, not news` };
  const eventId = str(e.detail.eventId);
  if (!eventId) return { publishes: [], skipped: `${dt}: detail.eventId is required` };
  if (!SEGMENT.test(eventSegment(eventId)))
    return { publishes: [], skipped: `${dt}: eventId "${eventId}" is not a channel segment` };
  // The fact's own id when it has one (detail.idempotencyKey): a producer's retry puts it again under
  // a new envelope id, and a browser drops a message whose id it has seen.
  const key =
    typeof e.detail.idempotencyKey === 'string' && e.detail.idempotencyKey !== '' ? e.detail.idempotencyKey : undefined;
  const base: MessageBase = { id: key ?? e.id, source: dt, eventId, at: e.time };
  if (dt === 'ConfigService.ConfigChanged') {
    const out = configMessages(e, base);
    return typeof out === 'string' ? { publishes: [], skipped: out } : { publishes: out };
  }
  const found = orderChange(e);
  if (typeof found === 'string') return { publishes: [], skipped: found };
  const { change, userId } = found;
  if (!SEGMENT.test(userId)) return { publishes: [], skipped: `${dt}: userId "${userId}" is not a channel segment` };
  const { robot, ...forCustomer } = change;
  const customer: CustomerOrderMessage = { ...base, kind: 'order', ...forCustomer };
  const publishes: ChannelPublish[] = [{ channel: customerChannel(eventId, userId), message: customer }];
  if (change.state === 'CREATED' || change.reason === 'refused') return { publishes };
  const { refusal: _refusal, ...forStaff } = change;
  const staff: StaffOrderMessage = { ...base, kind: 'order', ...forStaff, ...(robot === undefined ? {} : { robot }) };
  publishes.push({ channel: staffChannel(eventId), message: staff });
  if (change.orderNumber !== undefined) {
    const board: BoardOrderMessage = {
      ...base,
      kind: 'order',
      state: change.state,
      orderNumber: change.orderNumber,
      message: change.message,
      ...(change.drink ? { drink: change.drink } : {}),
      ...(change.queuedAt ? { queuedAt: change.queuedAt } : {}),
      ...(change.reason ? { reason: change.reason } : {}),
    };
    publishes.push({ channel: boardChannel(eventId), message: board });
  }
  return { publishes };
}

/** The publish requests for a list of messages: per channel, in order, at most 5 events each. */
export function publishBatches(publishes: readonly ChannelPublish[]): { channel: string; events: ChannelMessage[] }[] {
  const byChannel = new Map<string, ChannelMessage[]>();
  for (const p of publishes) {
    const list = byChannel.get(p.channel) ?? [];
    list.push(p.message);
    byChannel.set(p.channel, list);
  }
  const out: { channel: string; events: ChannelMessage[] }[] = [];
  for (const [channel, events] of byChannel)
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_PUBLISH)
      out.push({ channel, events: events.slice(i, i + MAX_EVENTS_PER_PUBLISH) });
  return out;
}

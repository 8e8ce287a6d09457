// The core deployed on the local cloud, as its tests, its benchmark and the EventPlayer's recorder use
// it (the recorder through the export @serverlesspresso/core/harness): real HTTP with tokens from the
// local issuer, real SDK clients through the edge, and every event accepted by the bus collected (and
// checked against the contract) as it is put.
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { validateEvent } from '@serverlesspresso/catalog';
import {
  startLocalCloud,
  type EventEnvelope,
  type LocalCloud,
  type StackEventApi,
  type StackRecord,
} from '@serverlesspresso/local';
import { EventsClient } from '@serverlesspresso/testing/events';
import { until } from '@serverlesspresso/testing/until';

export const CORE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const SOURCE = 'awsserverlessda.serverlesspresso';
export const BUS = 'Serverlesspresso';

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface User {
  name: string;
  token: string;
  /** The token's sub: the userId the core sees. */
  sub: string;
}

export interface Core {
  cloud: LocalCloud;
  stack: StackRecord;
  /** The core API's local base URL. */
  api: string;
  /** Every event the bus accepted, in order. */
  events: EventEnvelope[];
  logs: string[];
  /** Step Functions through the edge. */
  sfn: SFNClient;
  /** DynamoDB through the edge, as the account's administrator (for what no route can force). */
  dynamodb: DynamoDBClient;
  /** The physical id (name, ARN or URL) of a resource of the core stack, by its logical id. */
  physicalId(logicalId: string): string;
  /** Events the core put that the contract refuses (should stay empty). */
  invalid: { event: EventEnvelope; errors: unknown }[];
  /**
   * A token of the core's user pool for name (`presso token`): an ID token with email `<name>@example.com`
   * (verified) unless options say otherwise; a user who signed up gets their own sub and email.
   */
  user(name: string, groups?: string[], options?: { email?: string; emailVerified?: boolean }): Promise<User>;
  http<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { user?: User; body?: unknown; rawBody?: string; contentType?: string },
  ): Promise<HttpResult<T>>;
  /** Waits for an event (already put or still to come) that matches; bounded. */
  event(what: string, match: (e: EventEnvelope) => boolean, timeoutMs?: number): Promise<EventEnvelope>;
  /** Events of one order, in the order the bus accepted them. */
  eventsOf(orderId: string): EventEnvelope[];
  put(detailType: string, detail: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

const decodeSub = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

export async function startCore(
  options: { speed?: number; parameterOverrides?: Record<string, string>; quiet?: boolean } = {},
): Promise<Core> {
  const logs: string[] = [];
  const cloud = await startLocalCloud({ port: 0, speed: options.speed ?? 1, log: (line) => void logs.push(line) });
  const events: EventEnvelope[] = [];
  const invalid: Core['invalid'] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = cloud.events.archive.subscribe(({ bus, event }) => {
    if (bus !== BUS) return;
    events.push(event);
    // Whatever the core puts must be an event of the contract.
    if (event.source === SOURCE) {
      const verdict = validateEvent(event);
      if (!verdict.valid) invalid.push({ event, errors: verdict.errors });
    }
    for (const wake of waiters) wake();
  });
  let stack: StackRecord;
  try {
    stack = await cloud.stacks.deploy({
      path: CORE_DIR,
      stackName: 'core',
      ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}),
    });
  } catch (e) {
    unsubscribe();
    await cloud.close();
    throw new Error(`${(e as Error).message}\n${logs.slice(-30).join('\n')}`);
  }
  const api = stack.apis.CoreApi?.url;
  if (!api) throw new Error(`the core stack has no CoreApi: ${JSON.stringify(stack.apis)}`);
  const clientConfig = {
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  };
  const eventBridge = new EventBridgeClient(clientConfig);
  const sfn = new SFNClient(clientConfig);
  const dynamodb = new DynamoDBClient(clientConfig);

  const core: Core = {
    cloud,
    stack,
    api,
    events,
    logs,
    invalid,
    sfn,
    dynamodb,
    physicalId(logicalId) {
      const found = stack.resources.find((r) => r.logicalId === logicalId);
      if (!found) throw new Error(`the core stack has no ${logicalId}`);
      return found.physicalId;
    },
    async user(name, groups = [], options = {}) {
      const response = await fetch(`${cloud.url}/_presso/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: name, groups, ...options }),
      });
      const body = (await response.json()) as { token?: string; message?: string };
      if (!body.token) throw new Error(`no token for ${name}: ${response.status} ${body.message}`);
      return { name, token: body.token, sub: decodeSub(body.token) };
    },
    async http(method, path, o = {}) {
      const headers: Record<string, string> = {};
      if (o.user) headers.authorization = `Bearer ${o.user.token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
      const response = await fetch(`${api}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed as never, text, headers: response.headers };
    },
    event(what, match, timeoutMs = 15_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const wake = () => {
          const hit = events.find(match);
          if (!hit) return;
          cleanup();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for ${what}; last events: ${events
                .slice(-8)
                .map((e) => `${e['detail-type']} ${String(e.detail.orderId ?? '')}`)
                .join(' | ')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
      });
    },
    eventsOf: (orderId) => events.filter((e) => e.detail.orderId === orderId),
    async put(detailType, detail) {
      const result = await eventBridge.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: BUS, Source: SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }],
        }),
      );
      if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
    },
    async close() {
      unsubscribe();
      eventBridge.destroy();
      sfn.destroy();
      dynamodb.destroy();
      await cloud.stacks.deleteAll();
      await cloud.close();
    },
  };
  return core;
}

/** Detail-types in the order the bus accepted them. */
export const typesOf = (events: readonly EventEnvelope[]): string[] => events.map((e) => e['detail-type']);

// ---- The order's journey through the routes, step by step ----------------------------------------

/** The current QR code of an event, as the display shows it to an admin. */
export async function currentCode(core: Core, admin: User, eventId = 'NYC'): Promise<string> {
  const r = await core.http<{ code: string }>('GET', `/events/${eventId}/qr-code`, { user: admin });
  if (r.status !== 200) throw new Error(`GET qr-code: ${r.status} ${r.text}`);
  return r.body.code;
}

/** Scans the current code as a customer; the order id of the new order. */
export async function scan(core: Core, admin: User, customer: User, eventId = 'NYC'): Promise<string> {
  const code = await currentCode(core, admin, eventId);
  const r = await core.http<{ orderId: string }>('POST', `/events/${eventId}/orders`, {
    user: customer,
    body: { code },
  });
  if (r.status !== 201) throw new Error(`scan: ${r.status} ${r.text}`);
  return r.body.orderId;
}

/** Waits until the order manager has stored the order (its workflow started). */
export async function stored(core: Core, user: User, orderId: string): Promise<Record<string, unknown>> {
  return until(`order ${orderId} to be stored`, async () => {
    const r = await core.http('GET', `/orders/${orderId}`, { user });
    return r.status === 200 ? r.body : undefined;
  });
}

/** A scanned, started and stored order with its drink ordered, in the barista queue. */
export async function queuedOrder(
  core: Core,
  admin: User,
  customer: User,
  drink: { drink: string; modifiers?: string[] } = { drink: 'Flat White', modifiers: ['Oat'] },
  eventId = 'NYC',
): Promise<string> {
  const orderId = await scan(core, admin, customer, eventId);
  await stored(core, customer, orderId);
  const r = await core.http('PUT', `/orders/${orderId}/drink`, { user: customer, body: drink });
  if (r.status !== 200) throw new Error(`drink: ${r.status} ${r.text}`);
  await core.event(
    `OrderManager.WaitingCompletion of ${orderId}`,
    (e) => e['detail-type'] === 'OrderManager.WaitingCompletion' && e.detail.orderId === orderId,
  );
  return orderId;
}

// ---- The realtime channels, as a browser listens ------------------------------------------------

/** A browser on the core's channels: one connection, its token on the connection and on every subscription. */
export class Subscriber {
  private constructor(
    private readonly client: EventsClient,
    private readonly auth: Record<string, string>,
  ) {}

  static async connect(events: StackEventApi, token: string): Promise<Subscriber> {
    const auth = { host: events.dns.http, authorization: token };
    const client = await EventsClient.connect(events.realtime, auth);
    await client.init();
    return new Subscriber(client, auth);
  }

  subscribe(id: string, channel: string) {
    return this.client.subscribe(id, channel, this.auth);
  }

  /** The messages a subscription delivered, parsed. */
  data(id: string): Record<string, unknown>[] {
    return this.client.data(id) as Record<string, unknown>[];
  }

  close(): void {
    this.client.close();
  }
}

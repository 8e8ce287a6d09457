// AppSync Events on the edge: each API's HTTP publish endpoint (`POST <edge>/appsync/<apiId>/event`,
// or `POST /event` with the API's AWS host name in Host) and, through realtime.ts, its WebSocket
// endpoint. A publish is validated as AppSync validates it (at most 5 events, each a JSON string of
// at most 240 KB, a channel of the API's namespaces), authorized with the namespace's publish modes,
// run through the namespace's onPublish handler, then delivered to every matching subscription.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { LocalIssuer } from '../apis/issuer.js';
import { authorize, type AuthDeps, type Authorized, type IamCheck, type Operation } from './auth.js';
import { ChannelError, channelMatches, parseChannel, type Channel } from './channels.js';
import type { HandlerContext } from './handlers.js';
import {
  AppSyncError,
  badRequest,
  MAX_EVENT_BYTES,
  MAX_EVENTS_PER_PUBLISH,
  unauthorized,
  type ApiKeyConfig,
  type AuthType,
  type EventApiConfig,
  type NamespaceConfig,
} from './model.js';

/** A subscription a WebSocket connection holds; `send` writes one `data` message. */
export interface Subscription {
  id: string;
  channel: Channel;
  send(message: string): void;
}

interface LiveApi {
  config: EventApiConfig;
  namespaces: Map<string, NamespaceConfig>;
  keys: Map<string, ApiKeyConfig>;
  subscriptions: Set<Subscription>;
}

export interface PublishResult {
  successful: Array<{ identifier: string; index: number }>;
  failed: Array<{ identifier: string; index: number; code: string; message: string }>;
}

/** Local paths: `/appsync/<apiId>/event` (HTTP publish) and `/appsync/<apiId>/event/realtime` (WebSocket). */
const LOCAL_PATH = /^\/appsync\/([a-z0-9]+)\/event(\/realtime)?$/;
/** AWS host names, for requests sent to the edge under them (/etc/hosts, a proxy). */
const AWS_HOST = /^([a-z0-9]{26})\.appsync-(api|realtime-api)\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::\d+)?$/;

export interface EventApisOptions {
  issuer: LocalIssuer;
  log?: (line: string) => void;
  /** IAM enforcement; without it a SigV4-signed request is authorized. */
  iam?: IamCheck;
}

export class EventApisService implements PathService {
  readonly name = 'appsync';
  private readonly apis = new Map<string, LiveApi>();
  private readonly log: (line: string) => void;
  private readonly deps: AuthDeps;
  /** Counters for benchmarks and tests. */
  readonly counters = { published: 0, delivered: 0, refused: 0 };

  constructor(private readonly options: EventApisOptions) {
    this.log = options.log ?? (() => {});
    this.deps = {
      issuer: options.issuer,
      keys: (apiId) => this.apis.get(apiId)?.keys.values() ?? [],
      ...(options.iam ? { iam: options.iam } : {}),
    };
  }

  /** Sets (or, with undefined, removes) the IAM check a SigV4-signed request must pass. */
  setIamCheck(check: IamCheck | undefined): void {
    if (check) this.deps.iam = check;
    else delete this.deps.iam;
  }

  // --- the registry stacks deploy into -------------------------------------------------------

  putApi(config: EventApiConfig): void {
    const live = this.apis.get(config.apiId);
    if (live) live.config = config;
    else this.apis.set(config.apiId, { config, namespaces: new Map(), keys: new Map(), subscriptions: new Set() });
  }
  hasApi(apiId: string): boolean {
    return this.apis.has(apiId);
  }
  api(apiId: string): EventApiConfig | undefined {
    return this.apis.get(apiId)?.config;
  }
  removeApi(apiId: string): void {
    this.apis.delete(apiId);
    for (const listener of this.removed) listener(apiId);
  }
  private readonly removed: Array<(apiId: string) => void> = [];
  /** Called with the id of every API removed (its stack deleted): the realtime endpoint closes its connections. */
  onApiRemoved(listener: (apiId: string) => void): void {
    this.removed.push(listener);
  }
  putNamespace(apiId: string, namespace: NamespaceConfig): () => void {
    const live = this.require(apiId);
    live.namespaces.set(namespace.name, namespace);
    return () => {
      if (live.namespaces.get(namespace.name) === namespace) live.namespaces.delete(namespace.name);
    };
  }
  namespace(apiId: string, name: string): NamespaceConfig | undefined {
    return this.apis.get(apiId)?.namespaces.get(name);
  }
  addKey(apiId: string, key: ApiKeyConfig): () => void {
    const live = this.require(apiId);
    live.keys.set(key.id, key);
    return () => void live.keys.delete(key.id);
  }
  private require(apiId: string): LiveApi {
    const live = this.apis.get(apiId);
    if (!live)
      throw new Error(`Event API ${apiId} does not exist (deployed: ${[...this.apis.keys()].join(', ') || 'none'})`);
    return live;
  }

  // --- operations shared by HTTP and WebSocket -----------------------------------------------

  /** The API a request or upgrade is for: by local path, or by the AWS host name it was sent to. */
  apiOf(path: string, host: string | undefined, realtime: boolean): string | undefined {
    const local = LOCAL_PATH.exec(path);
    if (local) return Boolean(local[2]) === realtime ? local[1] : undefined;
    const aws = host ? AWS_HOST.exec(host) : null;
    if (!aws) return undefined;
    if (realtime ? aws[2] === 'realtime-api' && path === '/event/realtime' : aws[2] === 'api' && path === '/event')
      return aws[1];
    return undefined;
  }

  async authorizeConnection(apiId: string, headers: Record<string, unknown>): Promise<Authorized> {
    const live = this.apis.get(apiId);
    if (!live) throw new AppSyncError('NotFoundException', `Event API ${apiId} not found.`, 404);
    return this.authorize(live.config, live.config.connectionAuthModes, headers, 'connect');
  }

  /** Subscribes after authorization and the namespace's onSubscribe; throws AppSyncError. */
  async subscribe(
    apiId: string,
    rawChannel: unknown,
    headers: Record<string, unknown>,
    subscription: Omit<Subscription, 'channel'>,
  ): Promise<Subscription> {
    const live = this.apis.get(apiId);
    if (!live) throw new AppSyncError('NotFoundException', `Event API ${apiId} not found.`, 404);
    const channel = this.channel(rawChannel, true);
    const namespace = this.namespaceOf(live, channel);
    const auth = await this.authorize(
      live.config,
      namespace.subscribeAuthModes ?? live.config.defaultSubscribeAuthModes,
      headers,
      'subscribe',
      namespace.name,
    );
    if (namespace.handlers?.has('onSubscribe')) {
      const outcome = namespace.handlers.run(
        'onSubscribe',
        this.context(namespace, channel, auth, headers, 'SUBSCRIBE'),
      );
      this.logHandler(live, namespace, 'onSubscribe', outcome.logs);
      if (!outcome.ok) throw this.handlerError(outcome.errorType, outcome.message);
    }
    const sub: Subscription = { ...subscription, channel };
    live.subscriptions.add(sub);
    return sub;
  }

  unsubscribe(apiId: string, subscription: Subscription): void {
    this.apis.get(apiId)?.subscriptions.delete(subscription);
  }

  /** A publish as AppSync runs it; throws AppSyncError for a refusal of the whole request. */
  async publish(apiId: string, body: unknown, headers: Record<string, unknown>): Promise<PublishResult> {
    const live = this.apis.get(apiId);
    if (!live) throw new AppSyncError('NotFoundException', `Event API ${apiId} not found.`, 404);
    const { channel: rawChannel, events } = (body ?? {}) as { channel?: unknown; events?: unknown };
    const channel = this.channel(rawChannel, false);
    if (!Array.isArray(events) || events.length === 0)
      throw badRequest('events is required: a list of 1 to 5 events, each a JSON value as a string');
    if (events.length > MAX_EVENTS_PER_PUBLISH)
      throw badRequest(
        `events has ${events.length} events; a publish carries at most ${MAX_EVENTS_PER_PUBLISH} (send the rest in another batch)`,
      );
    const incoming = events.map((event, index) => {
      if (typeof event !== 'string')
        throw badRequest(`events[${index}] must be a string holding JSON (JSON.stringify the event)`);
      const bytes = Buffer.byteLength(event);
      if (bytes > MAX_EVENT_BYTES)
        throw badRequest(`events[${index}] is ${bytes} bytes; an event is at most ${MAX_EVENT_BYTES} bytes (240 KB)`);
      try {
        return { id: randomUUID(), payload: JSON.parse(event) as unknown, raw: event };
      } catch {
        throw badRequest(`events[${index}] is not valid JSON: each event must be a stringified JSON value`);
      }
    });
    const namespace = this.namespaceOf(live, channel);
    const auth = await this.authorize(
      live.config,
      namespace.publishAuthModes ?? live.config.defaultPublishAuthModes,
      headers,
      'publish',
      namespace.name,
    );
    this.counters.published += incoming.length;
    const result: PublishResult = {
      successful: incoming.map((e, index) => ({ identifier: e.id, index })),
      failed: [],
    };
    // Without onPublish, subscribers get each event as it was published, byte for byte.
    let outgoing: Array<{ id: string; payload: unknown; raw?: string }> = incoming;
    if (namespace.handlers?.has('onPublish')) {
      const events = incoming.map(({ id, payload }) => ({ id, payload }));
      const ctx = { ...this.context(namespace, channel, auth, headers, 'PUBLISH'), events };
      const outcome = namespace.handlers.run('onPublish', ctx);
      this.logHandler(live, namespace, 'onPublish', outcome.logs);
      if (!outcome.ok) throw this.handlerError(outcome.errorType, outcome.message);
      outgoing = this.outgoing(outcome.result, incoming, result);
    }
    this.broadcast(live, channel, outgoing);
    return result;
  }

  /** The events onPublish returned: those with `error` are failed, the others broadcast. */
  private outgoing(
    returned: unknown,
    incoming: Array<{ id: string; payload: unknown }>,
    result: PublishResult,
  ): Array<{ id: string; payload: unknown }> {
    if (returned === null) return [];
    if (!Array.isArray(returned)) throw new AppSyncError('Code', 'onPublish must return a list of events or null', 400);
    const index = new Map(incoming.map((e, i) => [e.id, i]));
    const out: Array<{ id: string; payload: unknown }> = [];
    for (const e of returned as Array<{ id?: string; payload?: unknown; error?: string }>) {
      if (e && typeof e.error === 'string') {
        const i = index.get(e.id ?? '') ?? -1;
        result.successful = result.successful.filter((s) => s.identifier !== e.id);
        result.failed.push({ identifier: e.id ?? '', index: i, code: 'CustomError', message: e.error });
      } else if (e && typeof e === 'object') out.push({ id: e.id ?? randomUUID(), payload: e.payload });
    }
    return out;
  }

  private broadcast(
    live: LiveApi,
    channel: Channel,
    events: Array<{ id: string; payload: unknown; raw?: string }>,
  ): void {
    if (events.length === 0) return;
    // What onPublish returns is held to the same 240 KB per event; AppSync drops a larger one unsent.
    const payloads = events
      .map((e) => e.raw ?? JSON.stringify(e.payload ?? null))
      .filter((payload) => {
        const fits = Buffer.byteLength(payload) <= MAX_EVENT_BYTES;
        if (!fits)
          this.log(`[appsync] ${live.config.name}: an event onPublish returned is over 240 KB and was dropped`);
        return fits;
      });
    for (const sub of live.subscriptions) {
      if (!channelMatches(sub.channel, channel)) continue;
      for (const event of payloads) {
        sub.send(`{"type":"data","id":${JSON.stringify(sub.id)},"event":${JSON.stringify(event)}}`);
        this.counters.delivered += 1;
      }
    }
  }

  /** Subscriptions held, per API (stats, tests). */
  subscriptionCount(apiId?: string): number {
    let n = 0;
    for (const [id, live] of this.apis) if (!apiId || id === apiId) n += live.subscriptions.size;
    return n;
  }

  private async authorize(
    api: EventApiConfig,
    modes: readonly AuthType[],
    headers: Record<string, unknown>,
    operation: Operation,
    namespace?: string,
  ): Promise<Authorized> {
    try {
      return await authorize(headers, modes, api, operation, this.deps, namespace);
    } catch (e) {
      this.counters.refused += 1;
      throw e;
    }
  }

  private channel(raw: unknown, subscribe: boolean): Channel {
    try {
      return parseChannel(raw, subscribe);
    } catch (e) {
      if (e instanceof ChannelError) throw badRequest(`Invalid channel: ${e.message}`);
      throw e;
    }
  }

  private namespaceOf(live: LiveApi, channel: Channel): NamespaceConfig {
    const namespace = live.namespaces.get(channel.namespace);
    if (!namespace)
      throw badRequest(
        `Invalid channel: namespace '${channel.namespace}' does not exist on this API (namespaces: ${[...live.namespaces.keys()].join(', ') || 'none'})`,
      );
    return namespace;
  }

  private context(
    namespace: NamespaceConfig,
    channel: Channel,
    auth: Authorized,
    headers: Record<string, unknown>,
    operation: 'SUBSCRIBE' | 'PUBLISH',
  ): HandlerContext {
    return {
      identity: auth.identity,
      info: {
        channel: { path: channel.path, segments: channel.segments },
        channelNamespace: { name: namespace.name },
        operation,
      },
      request: {
        headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => typeof v === 'string')) as Record<
          string,
          string
        >,
        domainName: null,
      },
      stash: {},
    };
  }

  private handlerError(errorType: string, message: string): AppSyncError {
    if (errorType === 'UnauthorizedException') return unauthorized(message);
    return new AppSyncError(errorType, message, 400);
  }

  private logHandler(live: LiveApi, namespace: NamespaceConfig, name: string, logs: string[]): void {
    for (const line of logs) this.log(`[appsync] ${live.config.name}/${namespace.name} ${name}: ${line}`);
  }

  // --- HTTP publish ---------------------------------------------------------------------------

  accepts(request: EdgeRequest): boolean {
    const host = typeof request.headers.host === 'string' ? request.headers.host : undefined;
    return this.apiOf(request.path, host, false) !== undefined;
  }

  async serve(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const host = typeof request.headers.host === 'string' ? request.headers.host : undefined;
    const apiId = this.apiOf(request.path, host, false)!;
    // Browsers publish across origins: AppSync answers CORS preflights.
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'POST, OPTIONS',
    };
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
    };
    if (request.method === 'OPTIONS') {
      res.writeHead(200, cors);
      return void res.end();
    }
    if (request.method !== 'POST')
      return send(405, { errors: [badRequest('Publishing (POST /event) is the only operation over HTTP.')] });
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString('utf8') || 'null');
    } catch {
      return send(400, { errors: [badRequest('The request body is not valid JSON.')] });
    }
    try {
      return send(200, await this.publish(apiId, body, request.headers as Record<string, unknown>));
    } catch (e) {
      if (e instanceof AppSyncError) return send(e.status, { errors: [e] });
      throw e;
    }
  }
}

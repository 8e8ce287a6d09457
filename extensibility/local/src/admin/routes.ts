// The local cloud's own routes on the edge (not AWS APIs), under /_presso/: what `presso events`,
// `presso stats` and `presso dlq` read. Everything else on the edge speaks AWS.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../edge/types.js';
import { compilePattern, type CompiledPattern } from '../services/events/pattern/index.js';
import type { EventsService } from '../services/events/service.js';
import { TemplateError } from '../stacks/template/index.js';
import type { Stacks } from '../stacks/stacks.js';
import { jsonBody, sendJson } from '../services/request.js';
import type { Alarms } from '../services/cloudwatch/alarms.js';
import type { SqsService } from '../services/sqs/service.js';
import {
  deadLetterQueueView,
  eventBridgeLetter,
  parseQueueLetterId,
  queueLetterId,
  type QueueMessageView,
} from '../services/sqs/dead-letters.js';
import { isStreamFailureRecord, type StreamFailureRecord } from '../services/dynamodb/stream-pollers.js';
import type { InvokeResult } from '../services/lambda/functions.js';
import type { Usage } from './usage.js';
import { serveStream, type LiveSources } from './stream.js';

/** Who sends failures to which queue, and how to deliver a failure again to whoever failed it. */
export interface DeadLetterConsumers {
  /** Every queue configured as a dead-letter or on-failure destination, and whose it is. */
  destinations(): Array<{ queueArn: string; consumer: string; via: string }>;
  /** Invokes a function once, synchronously (a redriven asynchronous invocation). */
  invoke(functionArn: string, payload: unknown): Promise<InvokeResult>;
  /** Reads a discarded stream batch again from its shard and invokes its function once. */
  redriveStream(record: StreamFailureRecord): Promise<InvokeResult>;
}

export class AdminRoutes implements PathService {
  readonly name = 'presso';

  constructor(
    private readonly events: EventsService,
    private readonly stacks: () => Stacks,
    private readonly info: () => Record<string, unknown>,
    private readonly alarms?: Alarms,
    private readonly sqs?: SqsService,
    private readonly consumers?: DeadLetterConsumers,
    /** What the cloud did since start, in the units AWS bills (`presso cost`). */
    private readonly usage?: () => Usage,
    /** What GET /_presso/stream (the console's live updates) listens to. */
    private readonly live?: LiveSources,
  ) {}

  accepts(request: EdgeRequest): boolean {
    // The token and issuer routes belong to the HTTP APIs service, the Cognito messages to Cognito.
    return (
      request.path.startsWith('/_presso/') &&
      request.path !== '/_presso/token' &&
      // The console's static files (extensibility/console, added by presso up).
      request.path !== '/_presso/console' &&
      !request.path.startsWith('/_presso/console/') &&
      !request.path.startsWith('/_presso/issuer/') &&
      !request.path.startsWith('/_presso/cognito/')
    );
  }

  async serve(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /_presso/health':
        return sendJson(res, 200, { status: 'ok', ...this.info() });
      case 'GET /_presso/stats':
        return sendJson(res, 200, this.events.counters.snapshot());
      case 'GET /_presso/usage':
        if (!this.usage) return sendJson(res, 404, { message: 'This local cloud counts no usage.' });
        return sendJson(res, 200, this.usage());
      case 'GET /_presso/dlq':
        return sendJson(res, 200, this.deadLetters(request.query.get('queue') ?? undefined));
      case 'POST /_presso/dlq/redrive':
        return this.redrive(request, res);
      case 'GET /_presso/events':
        return this.streamEvents(request, res);
      case 'GET /_presso/archive':
        return this.searchArchive(request, res);
      case 'GET /_presso/functions': {
        const name = request.query.get('name');
        const functions = (this.live?.functions() ?? []).filter((f) => !name || f.name === name);
        return sendJson(res, 200, { functions });
      }
      case 'GET /_presso/stream':
        if (!this.live) return sendJson(res, 404, { message: 'This local cloud has no live stream.' });
        return serveStream(this.live, request, res);
      case 'GET /_presso/stacks':
        // Each stack with its alarms' current state (which changes after the deploy).
        return sendJson(res, 200, {
          stacks: this.stacks()
            .list()
            .map((s) => ({ ...s, alarms: this.alarms?.list(s.name) ?? [] })),
        });
      case 'POST /_presso/stacks':
        return this.deploy(request, res);
      default:
        if (request.method === 'DELETE' && request.path.startsWith('/_presso/stacks/')) {
          const name = decodeURIComponent(request.path.slice('/_presso/stacks/'.length));
          const deleted = await this.stacks().delete(name);
          return sendJson(
            res,
            deleted ? 200 : 404,
            deleted ? { deleted: name } : { message: `Stack ${name} does not exist.` },
          );
        }
        return sendJson(res, 404, { message: `No local route ${route}` });
    }
  }

  /** Deploys an app folder or template file on this machine; errors name file, resource and property. */
  private async deploy(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const body = jsonBody(request) as {
      path?: string;
      stackName?: string;
      parameterOverrides?: Record<string, string>;
    };
    if (!body.path) return sendJson(res, 400, { message: 'path is required: an app folder or a template file' });
    try {
      const stack = await this.stacks().deploy({
        path: body.path,
        ...(body.stackName ? { stackName: body.stackName } : {}),
        ...(body.parameterOverrides ? { parameterOverrides: body.parameterOverrides } : {}),
      });
      sendJson(res, 200, { stack });
    } catch (e) {
      const issues = e instanceof TemplateError ? e.issues : undefined;
      sendJson(res, 400, { message: (e as Error).message, ...(issues ? { issues } : {}) });
    }
  }

  /**
   * Dead letters of the local store and of the real dead-letter queues (EventBridge's in the
   * store's shape), and every dead-letter queue (those a redrive policy or a consumer's
   * DeadLetterConfig, DeadLetterQueue or OnFailure names, empty ones too) with its depth, whose it
   * is, its alarms' states and every message it holds.
   */
  private deadLetters(queueArn?: string) {
    const destinations = this.consumers?.destinations() ?? [];
    const known = new Map((this.sqs?.deadLetterQueues() ?? []).map((q) => [q.arn, q]));
    for (const d of destinations) {
      const q = this.sqs?.queueByArn(d.queueArn);
      if (q) known.set(q.arn, q);
    }
    const alarms = this.alarms?.list() ?? [];
    const queues = [...known.values()]
      .filter((q) => !queueArn || q.arn === queueArn)
      .map((q) => ({
        ...deadLetterQueueView(q),
        depth: q.counts().visible,
        consumers: destinations.filter((d) => d.queueArn === q.arn).map((d) => `${d.consumer} (${d.via})`),
        alarms: alarms.filter((a) => a.queueName === q.name).map((a) => ({ name: a.name, state: a.state })),
      }));
    const targetIdOf = (ruleArn: string, targetArn: string) =>
      this.events.ruleTarget(ruleArn, targetArn)?.target.definition.Id;
    const inQueues = queues.flatMap((q) => q.messages.flatMap((m) => eventBridgeLetter(q, m, targetIdOf) ?? []));
    return { deadLetters: [...this.events.deadLetters.list(queueArn), ...inQueues], queues };
  }

  /**
   * Redrives one message of a dead-letter queue to whoever failed it: an EventBridge dead letter to
   * its rule's target (taken out first: it comes back if it fails again); Lambda's record of a failed
   * asynchronous invocation (OnFailure) or a DeadLetterQueue's event to its function; Lambda's
   * record of a discarded stream batch to its function, the records read again from the shard. The
   * last three are invoked once and the message deleted only when the function succeeds.
   */
  private async redriveFromQueue(id: string): Promise<boolean> {
    const where = parseQueueLetterId(id)!;
    const queue = this.sqs?.queueByArn(this.sqs.arnOf(where.queueName));
    const view = queue && deadLetterQueueView(queue);
    const message = view?.messages.find((m) => m.messageId === where.messageId);
    if (!queue || !view || !message) throw new Error(`Dead letter ${id} does not exist.`);
    const letter = eventBridgeLetter(view, message, () => undefined);
    if (letter) {
      queue.take(where.messageId);
      return this.events.redriveEvent(letter.event, letter.ruleArn, letter.targetArn);
    }
    const result = await this.redriveToFunction(queue.arn, message);
    if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage} (kept in the queue)`);
    queue.take(where.messageId);
    return true;
  }

  private redriveToFunction(queueArn: string, message: QueueMessageView): Promise<InvokeResult> {
    const consumers = this.consumers;
    if (!consumers) throw new Error('This local cloud redrives no function failures.');
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      body = message.body;
    }
    if (isStreamFailureRecord(body)) return consumers.redriveStream(body);
    const record = body as { requestContext?: { functionArn?: unknown }; requestPayload?: unknown } | null;
    if (typeof record?.requestContext?.functionArn === 'string' && record && 'requestPayload' in record)
      return consumers.invoke(record.requestContext.functionArn.replace(/:\$LATEST$/, ''), record.requestPayload);
    // A function's DeadLetterQueue holds the event itself (with RequestID, ErrorCode, ErrorMessage).
    const owner = consumers.destinations().find((d) => d.queueArn === queueArn && d.via === 'DeadLetterQueue');
    if (owner && message.messageAttributes.RequestID !== undefined) return consumers.invoke(owner.consumer, body);
    throw new Error(`Message ${message.messageId} is not a failure the local cloud knows how to redrive.`);
  }

  private async redrive(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const body = jsonBody(request) as { ids?: string[] };
    let ids = body.ids;
    if (!ids) {
      // Everything: the store's dead letters and every message of every dead-letter queue.
      const all = this.deadLetters();
      ids = [
        ...this.events.deadLetters.list().map((l) => l.id),
        ...all.queues.flatMap((q) => q.messages.map((m) => queueLetterId(q.queueName, m.messageId))),
      ];
    }
    const results = [];
    for (const id of ids) {
      try {
        const delivered = parseQueueLetterId(id) ? await this.redriveFromQueue(id) : await this.events.redrive(id);
        results.push({ id, delivered });
      } catch (e) {
        results.push({ id, delivered: false, error: (e as Error).message });
      }
    }
    sendJson(res, 200, { results });
  }

  /**
   * One page of a bus's archive, newest first: `bus` (required), `pattern`, `from` and `to` (ISO
   * times or epoch milliseconds, on the event's `time`), `limit` (default 100, at most 1,000).
   * Answers the events and how many were read and matched.
   */
  private async searchArchive(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const bus = request.query.get('bus');
    if (!bus) return sendJson(res, 400, { message: 'bus is required: the name of the bus whose archive to search.' });
    let pattern: CompiledPattern | undefined;
    const patternText = request.query.get('pattern');
    if (patternText) {
      try {
        pattern = compilePattern(patternText);
      } catch (e) {
        return sendJson(res, 400, { message: (e as Error).message });
      }
    }
    const time = (name: string): number | undefined | string => {
      const text = request.query.get(name);
      if (!text) return undefined;
      const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
      return Number.isNaN(ms)
        ? `${name} is not a time: write an ISO 8601 time (2026-12-07T15:00:00Z) or epoch milliseconds.`
        : ms;
    };
    const from = time('from');
    const to = time('to');
    for (const t of [from, to]) if (typeof t === 'string') return sendJson(res, 400, { message: t });
    const limit = Math.min(1000, Math.max(1, Number(request.query.get('limit') ?? 100) || 100));
    const page: unknown[] = [];
    let read = 0;
    let matched = 0;
    if (!pattern && from === undefined && to === undefined) {
      // Every event matches: only the page's lines are parsed (a bus page opens at once on 10,000 events).
      const lines: string[] = [];
      for await (const line of this.events.archive.lines(bus)) {
        read++;
        lines.push(line);
        if (lines.length > limit) lines.shift();
      }
      const events = lines.reverse().map((line) => JSON.parse(line) as unknown);
      return sendJson(res, 200, { bus, read, matched: read, events });
    }
    for await (const event of this.events.archive.read(bus)) {
      read++;
      const at = Date.parse(event.time);
      if (typeof from === 'number' && at < from) continue;
      if (typeof to === 'number' && at > to) continue;
      if (pattern && !pattern.matches(event)) continue;
      matched++;
      page.push(event);
      if (page.length > limit) page.shift();
    }
    sendJson(res, 200, { bus, read, matched, events: page.reverse() });
  }

  /** The archive as JSON Lines; with follow=1 the response stays open and new events follow. */
  private async streamEvents(request: EdgeRequest, res: ServerResponse): Promise<void> {
    let pattern: CompiledPattern | undefined;
    const patternText = request.query.get('pattern');
    if (patternText) {
      try {
        pattern = compilePattern(patternText);
      } catch (e) {
        return sendJson(res, 400, { message: (e as Error).message });
      }
    }
    const busFilter = request.query.get('bus');
    const buses = busFilter ? [busFilter] : this.events.archive.buses();
    const keep = (bus: string, event: unknown) =>
      (!busFilter || bus === busFilter) && (!pattern || pattern.matches(event));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // Followers must see the response start before any event exists.
    res.flushHeaders();
    const follow = request.query.get('follow') === '1';
    // Subscribe before reading the file so that nothing archived meanwhile is missed.
    const queued: string[] = [];
    let live = false;
    const unsubscribe = follow
      ? this.events.archive.subscribe(({ bus, event }) => {
          if (!keep(bus, event)) return;
          const line = JSON.stringify(event) + '\n';
          if (live) res.write(line);
          else queued.push(line);
        })
      : undefined;
    const seen = new Set<string>();
    for (const bus of buses) {
      for await (const event of this.events.archive.read(bus)) {
        if (!keep(bus, event)) continue;
        seen.add(event.id);
        res.write(JSON.stringify(event) + '\n');
      }
    }
    if (!unsubscribe) return void res.end();
    for (const line of queued) if (!seen.has((JSON.parse(line) as { id: string }).id)) res.write(line);
    live = true;
    res.on('close', unsubscribe);
  }
}

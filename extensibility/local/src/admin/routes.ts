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
import { deadLetterQueueView, eventBridgeLetter, parseQueueLetterId } from '../services/sqs/dead-letters.js';

export class AdminRoutes implements PathService {
  readonly name = 'presso';

  constructor(
    private readonly events: EventsService,
    private readonly stacks: () => Stacks,
    private readonly info: () => Record<string, unknown>,
    private readonly alarms?: Alarms,
    private readonly sqs?: SqsService,
  ) {}

  accepts(request: EdgeRequest): boolean {
    // The token and issuer routes belong to the HTTP APIs service, the Cognito messages to Cognito.
    return (
      request.path.startsWith('/_presso/') &&
      request.path !== '/_presso/token' &&
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
      case 'GET /_presso/dlq':
        return sendJson(res, 200, this.deadLetters(request.query.get('queue') ?? undefined));
      case 'POST /_presso/dlq/redrive':
        return this.redrive(request, res);
      case 'GET /_presso/events':
        return this.streamEvents(request, res);
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
   * store's shape), and every message those queues hold.
   */
  private deadLetters(queueArn?: string) {
    const queues = (this.sqs?.deadLetterQueues() ?? [])
      .filter((q) => !queueArn || q.arn === queueArn)
      .map(deadLetterQueueView);
    const targetIdOf = (ruleArn: string, targetArn: string) =>
      this.events.ruleTarget(ruleArn, targetArn)?.target.definition.Id;
    const inQueues = queues.flatMap((q) => q.messages.flatMap((m) => eventBridgeLetter(q, m, targetIdOf) ?? []));
    return { deadLetters: [...this.events.deadLetters.list(queueArn), ...inQueues], queues };
  }

  /** Redrives one dead letter held in a queue: taken out, delivered again (back to the DLQ if it fails again). */
  private async redriveFromQueue(id: string): Promise<boolean> {
    const where = parseQueueLetterId(id)!;
    const queue = this.sqs?.queueByArn(this.sqs.arnOf(where.queueName));
    const view = queue && deadLetterQueueView(queue);
    const message = view?.messages.find((m) => m.messageId === where.messageId);
    const letter = view && message && eventBridgeLetter(view, message, () => undefined);
    if (!queue || !letter) throw new Error(`Dead letter ${id} does not exist.`);
    queue.take(where.messageId);
    return this.events.redriveEvent(letter.event, letter.ruleArn, letter.targetArn);
  }

  private async redrive(request: EdgeRequest, res: ServerResponse): Promise<void> {
    const body = jsonBody(request) as { ids?: string[] };
    const ids = body.ids ?? this.deadLetters().deadLetters.map((l) => l.id);
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

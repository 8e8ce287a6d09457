// GET /_presso/stream: the local cloud's live changes as Server-Sent Events, what the console
// (extensibility/console) listens to instead of polling: events archived on a bus (filtered by bus
// and pattern, sampled above a rate), each rule's and target's delivery outcome for them, Step
// Functions executions' status changes and history events, and the counters when they change.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest } from '../edge/types.js';
import type { EventArchive } from '../services/events/archive.js';
import type { Counters } from '../services/events/counters.js';
import type { DeliveryOutcome } from '../services/events/delivery.js';
import { compilePattern, type CompiledPattern } from '../services/events/pattern/index.js';
import type { EngineNotification } from '../services/states/engine/index.js';
import type { InvocationRecord } from '../services/lambda/runtime/sandboxes.js';
import { sendJson } from '../services/request.js';

/** What the stream listens to (each returns its unsubscribe function). */
export interface LiveSources {
  archive: Pick<EventArchive, 'subscribe'>;
  observeDeliveries(observer: (outcome: DeliveryOutcome) => void): () => void;
  observeExecutions(listener: (notification: EngineNotification) => void): () => void;
  counters: Pick<Counters, 'snapshot'>;
  /** Lambda functions with their recent invocations and log lines (GET /_presso/functions). */
  functions(): FunctionView[];
}

/** A function as the console shows it. */
export interface FunctionView {
  name: string;
  arn: string;
  invocations: InvocationRecord[];
  logs: string[];
  stats?: { invocations: number; coldStarts: number; errors: number; timeouts: number; sandboxes: number };
}

/** Events per second a connection gets at most; beyond it the rest of the second is dropped and counted. */
export const SAMPLE_ABOVE_PER_SECOND = 1000;
/** Event ids remembered per connection, to send the outcomes of only the events it was sent. */
const REMEMBERED = 20_000;

export type Topic = 'events' | 'deliveries' | 'executions' | 'stats' | 'functions';
const TOPICS: readonly Topic[] = ['events', 'deliveries', 'executions', 'stats', 'functions'];

/**
 * Serves one SSE connection until the client closes it. Query: `topics` (comma-separated, default
 * all), `bus`, `pattern` (an event pattern; an invalid one is answered 400 with the engine's
 * reason, before the stream starts), `executionArn` (only that execution's notifications).
 */
export function serveStream(
  sources: LiveSources,
  request: EdgeRequest,
  res: ServerResponse,
  options: { statsEveryMs?: number; samplePerSecond?: number } = {},
): void {
  const topicsParam = request.query.get('topics');
  const topics = new Set<Topic>(
    topicsParam ? (topicsParam.split(',').filter((t) => (TOPICS as string[]).includes(t)) as Topic[]) : TOPICS,
  );
  let pattern: CompiledPattern | undefined;
  const patternText = request.query.get('pattern');
  if (patternText) {
    try {
      pattern = compilePattern(patternText);
    } catch (e) {
      return sendJson(res, 400, { message: (e as Error).message });
    }
  }
  const bus = request.query.get('bus') ?? undefined;
  const executionArn = request.query.get('executionArn') ?? undefined;
  const limit = options.samplePerSecond ?? SAMPLE_ABOVE_PER_SECOND;

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  send('hello', { topics: [...topics], sampleAbovePerSecond: limit });

  const sent = new Set<string>();
  const remember = (id: string) => {
    sent.add(id);
    if (sent.size > REMEMBERED) sent.delete(sent.values().next().value!);
  };
  let windowStart = Date.now();
  let inWindow = 0;
  let dropped = 0;
  const unsubscribes: Array<() => void> = [];

  if (topics.has('events'))
    unsubscribes.push(
      sources.archive.subscribe(({ bus: from, event }) => {
        if (bus && from !== bus) return;
        if (pattern && !pattern.matches(event)) return;
        const now = Date.now();
        if (now - windowStart >= 1000) {
          if (dropped > 0) send('sampled', { dropped, windowMs: now - windowStart, limit });
          windowStart = now;
          inWindow = 0;
          dropped = 0;
        }
        if (++inWindow > limit) return void dropped++;
        remember(event.id);
        send('event', { bus: from, event });
      }),
    );
  if (topics.has('deliveries'))
    unsubscribes.push(
      sources.observeDeliveries((outcome) => {
        if (topics.has('events') ? !sent.has(outcome.eventId) : bus && outcome.busName !== bus) return;
        send('delivery', outcome);
      }),
    );
  if (topics.has('executions'))
    unsubscribes.push(
      sources.observeExecutions((n) => {
        if (n.type === 'marker') return;
        const arn = n.type === 'executionStatus' ? n.execution.executionArn : n.executionArn;
        if (executionArn && arn !== executionArn) return;
        // Without inputs and outputs (the console reads them from the API when it shows them).
        if (n.type === 'executionStatus') {
          const { input: _input, output: _output, inputDetails: _i, outputDetails: _o, ...execution } = n.execution;
          // Dates as the Step Functions API writes them: epoch seconds.
          send('execution', {
            ...execution,
            startDate: execution.startDate.getTime() / 1000,
            ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() / 1000 } : {}),
          });
        } else send('history', { executionArn: arn, id: n.event.id, type: n.event.type });
      }),
    );
  let lastStats = '';
  let lastFunctions = '';
  const timer = setInterval(() => {
    if (topics.has('stats')) {
      const stats = JSON.stringify(sources.counters.snapshot());
      if (stats !== lastStats) res.write(`event: stats\ndata: ${stats}\n\n`);
      lastStats = stats;
    }
    if (topics.has('functions')) {
      // Each function's invocation and log counts: the console reads what changed.
      const counts = sources.functions().map((f) => ({
        name: f.name,
        invocations: f.stats?.invocations ?? f.invocations.length,
        lines: f.logs.length,
      }));
      const text = JSON.stringify(counts);
      if (text !== lastFunctions) res.write(`event: functions\ndata: ${text}\n\n`);
      lastFunctions = text;
    }
    // A comment now and then keeps proxies and the browser from closing an idle stream.
    res.write(': keep-alive\n\n');
    if (dropped > 0 && Date.now() - windowStart >= 1000) {
      send('sampled', { dropped, windowMs: Date.now() - windowStart, limit });
      dropped = 0;
    }
  }, options.statsEveryMs ?? 1000);
  res.on('close', () => {
    clearInterval(timer);
    for (const unsubscribe of unsubscribes) unsubscribe();
  });
}

// What the local console reads beside the AWS APIs: GET /_presso/stream (Server-Sent Events: events
// on a bus filtered by a pattern, each rule's and target's outcome, executions, sampling above a rate)
// and GET /_presso/archive (a page of a bus's archive by time and pattern).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { serveStream } from '../../src/admin/stream.js';
import { EventArchive } from '../../src/services/events/archive.js';
import { Counters } from '../../src/services/events/counters.js';
import { arns, inProcessFunction, startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;

async function aws<T = unknown>(target: string, input: object): Promise<T> {
  const response = await fetch(cloud.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${target}: ${JSON.stringify(body)}`);
  return body;
}

/** An open SSE connection: every message so far, by type. */
async function listen(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const messages: Array<{ type: string; data: unknown }> = [];
  let buffer = '';
  const reader = response.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) messages.push({ type, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  await until('the stream to say hello', () => messages.some((m) => m.type === 'hello'));
  return {
    response,
    messages,
    of: (type: string) => messages.filter((m) => m.type === type).map((m) => m.data),
    close: () => controller.abort(),
  };
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  const name = 'console-target';
  const arn = arns.lambda(cloud.account, name);
  cloud.lambda.register(inProcessFunction({ name, arn, handler: async () => ({}) }));
  // What `aws lambda add-permission --principal events.amazonaws.com` writes: EventBridge may invoke it.
  cloud.iam.putResourcePolicy(arn, 'events', [
    { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: arn },
  ]);
  await aws('AWSEvents.CreateEventBus', { Name: 'Console' });
  await aws('AWSEvents.PutRule', {
    Name: 'orders',
    EventBusName: 'Console',
    EventPattern: JSON.stringify({ source: ['console.orders'] }),
  });
  await aws('AWSEvents.PutTargets', {
    Rule: 'orders',
    EventBusName: 'Console',
    Targets: [{ Id: 'fn', Arn: arns.lambda(cloud.account, name) }],
  });
});

afterAll(async () => {
  await cloud?.close();
});

const put = (source: string, detail: object, time?: string) =>
  aws('AWSEvents.PutEvents', {
    Entries: [
      {
        EventBusName: 'Console',
        Source: source,
        DetailType: 'Console.Test',
        Detail: JSON.stringify(detail),
        ...(time ? { Time: time } : {}),
      },
    ],
  });

describe('GET /_presso/stream', () => {
  it("sends the bus's events that match the pattern, then each rule's and target's outcome", async () => {
    const pattern = encodeURIComponent(JSON.stringify({ detail: { keep: [true] } }));
    const stream = await listen(`${cloud.url}/_presso/stream?topics=events,deliveries&bus=Console&pattern=${pattern}`);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await put('console.orders', { keep: false });
    await put('console.orders', { keep: true, n: 1 });
    const [sent] = await until('the matching event', () => stream.of('event').length > 0 && stream.of('event'));
    const event = (sent as { bus: string; event: EventEnvelope }).event;
    expect((sent as { bus: string }).bus).toBe('Console');
    expect(event.detail).toEqual({ keep: true, n: 1 });
    const outcomes = await until('the delivery', () => {
      const list = stream.of('delivery') as Array<{
        eventId: string;
        status: string;
        ruleName: string;
        targetId: string;
      }>;
      return list.some((o) => o.status === 'delivered') && list;
    });
    // Only the events it was sent: the first event's outcomes are not.
    expect(outcomes.map((o) => [o.eventId, o.ruleName, o.targetId, o.status])).toEqual([
      [event.id, 'orders', 'fn', 'matched'],
      [event.id, 'orders', 'fn', 'delivered'],
    ]);
    expect(stream.of('event')).toHaveLength(1);
    stream.close();
  });

  it('refuses a pattern that is not valid with the engine’s reason, before the stream starts', async () => {
    const response = await fetch(`${cloud.url}/_presso/stream?pattern=${encodeURIComponent('{"source": "x"}')}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/array/i);
  });

  it("sends an execution's status changes without its input or output", async () => {
    const { stateMachineArn } = await aws<{ stateMachineArn: string }>('AWSStepFunctions.CreateStateMachine', {
      name: 'console-pass',
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      roleArn: 'arn:aws:iam::123456789012:role/console',
    });
    const stream = await listen(`${cloud.url}/_presso/stream?topics=executions`);
    const { executionArn } = await aws<{ executionArn: string }>('AWSStepFunctions.StartExecution', {
      stateMachineArn,
      input: '{"secret": 1}',
    });
    const done = await until('the execution to succeed', () =>
      (stream.of('execution') as Array<Record<string, unknown>>).find((e) => e.status === 'SUCCEEDED'),
    );
    expect(done).toMatchObject({ executionArn, stateMachineArn });
    expect(typeof done.startDate).toBe('number');
    expect(done).not.toHaveProperty('input');
    expect(stream.of('history').length).toBeGreaterThan(0);
    stream.close();
  });
});

describe('sampling', () => {
  let server: Server;
  let dir: string;
  let archive: EventArchive;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'presso-stream-'));
    archive = new EventArchive(dir);
    const counters = new Counters();
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      serveStream(
        {
          archive,
          counters,
          observeDeliveries: () => () => {},
          observeExecutions: () => () => {},
          functions: () => [],
        },
        { method: 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.alloc(0) },
        res,
        { samplePerSecond: 5, statsEveryMs: 50 },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
    archive.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends at most the limit of events a second and says how many it left out', async () => {
    const { port } = server.address() as { port: number };
    const stream = await listen(`http://127.0.0.1:${port}/?topics=events`);
    const event = (i: number) =>
      ({
        id: String(i),
        source: 's',
        'detail-type': 'd',
        time: new Date().toISOString(),
        detail: {},
      }) as unknown as EventEnvelope;
    archive.append(
      'b',
      Array.from({ length: 20 }, (_, i) => event(i)),
    );
    const sampled = await until('the sampling notice', () => stream.of('sampled')[0], { ms: 5000 });
    expect(stream.of('event')).toHaveLength(5);
    expect(sampled).toMatchObject({ dropped: 15, limit: 5 });
    stream.close();
  });
});

describe('GET /_presso/archive', () => {
  it('answers the newest events first, by pattern and time, with how many it read and matched', async () => {
    await put('console.archive', { n: 1 }, '2026-01-01T10:00:00Z');
    await put('console.archive', { n: 2 }, '2026-01-01T11:00:00Z');
    await put('console.archive', { n: 3 }, '2026-01-01T12:00:00Z');
    const search = async (query: string) =>
      (await (await fetch(`${cloud.url}/_presso/archive?bus=Console&${query}`)).json()) as {
        read: number;
        matched: number;
        events: EventEnvelope[];
        message?: string;
      };
    const pattern = encodeURIComponent('{"source": ["console.archive"]}');
    const all = await search(`pattern=${pattern}`);
    expect(all.events.map((e) => e.detail)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    expect(all.matched).toBe(3);
    expect(all.read).toBeGreaterThan(3);
    // Without a filter every event matches: the newest of the bus.
    const newest = await search('limit=2');
    expect(newest.events.map((e) => e.detail)).toEqual([{ n: 3 }, { n: 2 }]);
    expect(newest.matched).toBe(newest.read);
    expect(newest.read).toBe(all.read);
    const page = await search(`pattern=${pattern}&limit=2`);
    expect(page.events.map((e) => e.detail)).toEqual([{ n: 3 }, { n: 2 }]);
    const window = await search(`pattern=${pattern}&from=2026-01-01T10:30:00Z&to=2026-01-01T11:30:00Z`);
    expect(window.events.map((e) => e.detail)).toEqual([{ n: 2 }]);
    const bad = await fetch(`${cloud.url}/_presso/archive?bus=Console&from=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'from is not a time: write an ISO 8601 time (2026-12-07T15:00:00Z) or epoch milliseconds.',
    );
  });
});

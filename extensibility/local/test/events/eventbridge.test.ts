// The local EventBridge through the real SDK client against the running edge: what an app or the
// aws CLI sees. Functions here are a test's own Lambda code; everything between is ours, real.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
  type PutEventsRequestEntry,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { arns, inProcessFunction, startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

let cloud: LocalCloud;
let eb: EventBridgeClient;
const received = new Map<string, unknown[]>();
let failuresLeft = 0;

function fn(name: string, handler?: (event: unknown) => Promise<unknown>) {
  received.set(name, []);
  cloud.lambda.register(
    inProcessFunction({
      name,
      arn: arns.lambda(cloud.account, name),
      handler: async (event) => {
        received.get(name)!.push(event);
        return handler ? handler(event) : { ok: true };
      },
    }),
  );
  const arn = arns.lambda(cloud.account, name);
  // What `aws lambda add-permission --principal events.amazonaws.com` writes: EventBridge may invoke it.
  cloud.iam.putResourcePolicy(arn, 'events', [
    {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: arn,
    },
  ]);
  return arn;
}

const entry = (detail: Record<string, unknown>, extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'awsserverlessda.serverlesspresso',
  DetailType: 'Validator.NewOrder',
  Detail: JSON.stringify(detail),
  EventBusName: 'Serverlesspresso',
  ...extra,
});

async function rule(name: string, pattern: object, targets: Target[]) {
  await eb.send(
    new PutRuleCommand({ Name: name, EventBusName: 'Serverlesspresso', EventPattern: JSON.stringify(pattern) }),
  );
  return eb.send(new PutTargetsCommand({ Rule: name, EventBusName: 'Serverlesspresso', Targets: targets }));
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  eb = new EventBridgeClient({
    endpoint: cloud.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
  await eb.send(new CreateEventBusCommand({ Name: 'Serverlesspresso' }));
});

afterAll(async () => {
  eb.destroy();
  await cloud.close();
});

beforeEach(async () => {
  await cloud.events.delivery.drain();
});

describe('buses', () => {
  it('always has the default bus, and creates, describes, lists and deletes others', async () => {
    const { EventBuses } = await eb.send(new ListEventBusesCommand({}));
    expect(EventBuses!.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', 'Serverlesspresso']));
    const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'Scratch' }));
    expect(EventBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/Scratch');
    expect((await eb.send(new DescribeEventBusCommand({ Name: EventBusArn }))).Name).toBe('Scratch');
    await expect(eb.send(new CreateEventBusCommand({ Name: 'Scratch' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    await eb.send(new DeleteEventBusCommand({ Name: 'Scratch' }));
    await expect(eb.send(new DescribeEventBusCommand({ Name: 'Scratch' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus Scratch does not exist.',
    });
    await expect(eb.send(new DeleteEventBusCommand({ Name: 'default' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('rules', () => {
  it('rejects an invalid pattern with AWS reason text, and a rule on a missing bus', async () => {
    await expect(
      eb.send(
        new PutRuleCommand({
          Name: 'bad',
          EventBusName: 'Serverlesspresso',
          EventPattern: '{"source": "not-an-array"}',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
    });
    await expect(
      eb.send(new PutRuleCommand({ Name: 'r', EventBusName: 'Nope', EventPattern: '{"source":["a"]}' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(eb.send(new PutRuleCommand({ Name: 'r', EventBusName: 'Serverlesspresso' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    });
  });

  it('describes, lists, disables and enables rules; a rule with targets cannot be deleted', async () => {
    const arn = fn('listFn');
    await rule('Listed', { source: ['x.listed'] }, [{ Id: 't', Arn: arn }]);
    const described = await eb.send(new DescribeRuleCommand({ Name: 'Listed', EventBusName: 'Serverlesspresso' }));
    expect(described).toMatchObject({
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/Serverlesspresso/Listed',
      State: 'ENABLED',
      EventBusName: 'Serverlesspresso',
    });
    expect(
      (await eb.send(new ListRulesCommand({ EventBusName: 'Serverlesspresso', NamePrefix: 'List' }))).Rules!.map(
        (r) => r.Name,
      ),
    ).toEqual(['Listed']);

    await eb.send(new DisableRuleCommand({ Name: 'Listed', EventBusName: 'Serverlesspresso' }));
    await eb.send(new PutEventsCommand({ Entries: [entry({ n: 1 }, { Source: 'x.listed' })] }));
    await cloud.events.delivery.drain();
    expect(received.get('listFn')).toHaveLength(0);
    await eb.send(new EnableRuleCommand({ Name: 'Listed', EventBusName: 'Serverlesspresso' }));
    await eb.send(new PutEventsCommand({ Entries: [entry({ n: 2 }, { Source: 'x.listed' })] }));
    await cloud.events.delivery.drain();
    expect(received.get('listFn')).toHaveLength(1);

    await expect(
      eb.send(new DeleteRuleCommand({ Name: 'Listed', EventBusName: 'Serverlesspresso' })),
    ).rejects.toMatchObject({ message: "Rule can't be deleted since it has targets." });
    await eb.send(new RemoveTargetsCommand({ Rule: 'Listed', EventBusName: 'Serverlesspresso', Ids: ['t'] }));
    expect(
      (await eb.send(new ListTargetsByRuleCommand({ Rule: 'Listed', EventBusName: 'Serverlesspresso' }))).Targets,
    ).toEqual([]);
    await eb.send(new DeleteRuleCommand({ Name: 'Listed', EventBusName: 'Serverlesspresso' }));
  });

  it('TestEventPattern answers with the same matcher', async () => {
    const event = {
      id: '1',
      account: '1',
      source: 'awsserverlessda.serverlesspresso',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'OrderManager.OrderNYC-COMPLETED',
      resources: [],
      detail: { eventId: 'NYC' },
    };
    const test = (pattern: object) =>
      eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }));
    expect((await test({ 'detail-type': [{ wildcard: 'OrderManager.Order*-COMPLETED' }] })).Result).toBe(true);
    expect((await test({ detail: { eventId: [{ 'anything-but': 'NYC' }] } })).Result).toBe(false);
  });
});

describe('PutEvents', () => {
  it('delivers the AWS envelope to a Lambda target', async () => {
    const arn = fn('envelopeFn');
    await rule(
      'NewOrders',
      {
        source: ['awsserverlessda.serverlesspresso'],
        'detail-type': ['Validator.NewOrder'],
        detail: { bucket: { eventId: ['NYC'] } },
      },
      [{ Id: 'fn', Arn: arn }],
    );
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          entry(
            { orderId: 'o1', bucket: { eventId: 'NYC' } },
            {
              Resources: ['arn:aws:states:us-east-1:000000000000:stateMachine:X'],
              Time: new Date('2026-11-23T10:11:12.345Z'),
            },
          ),
          entry({ orderId: 'o2', bucket: { eventId: 'BCN' } }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await cloud.events.delivery.drain();
    const [event] = received.get('envelopeFn') as EventEnvelope[];
    expect(received.get('envelopeFn')).toHaveLength(1);
    expect(event).toEqual({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': 'Validator.NewOrder',
      source: 'awsserverlessda.serverlesspresso',
      account: '000000000000',
      time: '2026-11-23T10:11:12Z',
      region: 'us-east-1',
      resources: ['arn:aws:states:us-east-1:000000000000:stateMachine:X'],
      detail: { orderId: 'o1', bucket: { eventId: 'NYC' } },
    });
    expect(event!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fails bad entries one by one with HTTP 200, same-length Entries and FailedEntryCount', async () => {
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          entry({ fine: true }),
          { DetailType: 'X', Detail: '{}' },
          { Source: 's', Detail: '{}' },
          { Source: 's', DetailType: 'X' },
          { Source: 's', DetailType: 'X', Detail: '[1,2]' },
          { Source: 's', DetailType: 'X', Detail: '{not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries).toHaveLength(6);
    expect(out.Entries![0]!.EventId).toBeDefined();
    expect(out.Entries!.slice(1).map((e) => [e.ErrorCode, e.ErrorMessage])).toEqual([
      ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.'],
      ['InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.'],
      ['InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.'],
      ['MalformedDetail', 'Detail is malformed.'],
      ['MalformedDetail', 'Detail is malformed.'],
    ]);
  });

  it('rejects more than 10 entries and an oversized request as a whole', async () => {
    await expect(
      eb.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry({})) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Member must have length less than or equal to 10'),
    });
    const big = 'x'.repeat(120 * 1024);
    await expect(
      eb.send(new PutEventsCommand({ Entries: Array.from({ length: 9 }, () => entry({ big })) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Total size of the entries in the request is over the limit'),
    });
  });

  it('accepts and drops events for a bus that does not exist', async () => {
    const out = await eb.send(new PutEventsCommand({ Entries: [entry({}, { EventBusName: 'NoSuchBus' })] }));
    expect(out.FailedEntryCount).toBe(0);
    expect(cloud.events.counters.buses.get('NoSuchBus')).toBeUndefined();
  });
});

describe('targets', () => {
  it('renders Input, InputPath and InputTransformer (with predefined and missing placeholders)', async () => {
    const a = fn('inputFn');
    const b = fn('pathFn');
    const c = fn('transformFn');
    await rule('Inputs', { source: ['x.inputs'] }, [
      { Id: 'input', Arn: a, Input: '{"constant": 1}' },
      { Id: 'path', Arn: b, InputPath: '$.detail.drinkOrder' },
      {
        Id: 'transform',
        Arn: c,
        InputTransformer: {
          InputPathsMap: { drink: '$.detail.drinkOrder.drink', n: '$.detail.n', missing: '$.detail.nope' },
          InputTemplate:
            '{"text": "<drink> #<n> by <aws.events.rule-name>", "n": <n>, "drink": <drink>, "missing": "<missing>", "alsoMissing": <missing>}',
        },
      },
    ]);
    await eb.send(
      new PutEventsCommand({ Entries: [entry({ drinkOrder: { drink: 'Flat White' }, n: 7 }, { Source: 'x.inputs' })] }),
    );
    await cloud.events.delivery.drain();
    expect(received.get('inputFn')).toEqual([{ constant: 1 }]);
    expect(received.get('pathFn')).toEqual([{ drink: 'Flat White' }]);
    expect(received.get('transformFn')).toEqual([
      { text: 'Flat White #7 by Inputs', n: 7, drink: 'Flat White', missing: '', alsoMissing: null },
    ]);
  });

  it('rejects ambiguous input settings, invalid placeholders and unsupported targets at PutTargets', async () => {
    const arn = fn('unusedFn');
    await eb.send(
      new PutRuleCommand({ Name: 'Strict', EventBusName: 'Serverlesspresso', EventPattern: '{"source":["x.strict"]}' }),
    );
    const put = (t: object) =>
      eb.send(
        new PutTargetsCommand({
          Rule: 'Strict',
          EventBusName: 'Serverlesspresso',
          Targets: [{ Id: 't', Arn: arn, ...t }],
        }),
      );
    await expect(put({ Input: '{}', InputPath: '$.detail' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('only one of Input, InputPath, or InputTransformer'),
    });
    await expect(put({ InputTransformer: { InputPathsMap: {}, InputTemplate: '"<nope>"' } })).rejects.toMatchObject({
      message: expect.stringContaining('placeholder <nope>'),
    });
    const out = await eb.send(
      new PutTargetsCommand({
        Rule: 'Strict',
        EventBusName: 'Serverlesspresso',
        Targets: [{ Id: 'topic', Arn: 'arn:aws:sns:us-east-1:000000000000:t' }],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.FailedEntries![0]).toMatchObject({ TargetId: 'topic', ErrorCode: 'ValidationException' });
  });

  it('retries a failing function twice, then dead-letters the event; redrive delivers it', async () => {
    failuresLeft = Infinity;
    const arn = fn('flakyFn', async () => {
      if (failuresLeft-- > 0) throw new TypeError('espresso machine on fire');
      return 'ok';
    });
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:serverlesspresso-dlq';
    await rule('Flaky', { source: ['x.flaky'] }, [{ Id: 'flaky', Arn: arn, DeadLetterConfig: { Arn: dlq } }]);
    const ruleArn = 'arn:aws:events:us-east-1:000000000000:rule/Serverlesspresso/Flaky';
    await eb.send(new PutEventsCommand({ Entries: [entry({ n: 1 }, { Source: 'x.flaky' })] }));
    await cloud.events.delivery.drain();
    expect(received.get('flakyFn')).toHaveLength(3);
    const letters = (await (await fetch(`${cloud.url}/_presso/dlq`)).json()) as {
      deadLetters: Array<Record<string, unknown>>;
    };
    const letter = letters.deadLetters.find((l) => l.ruleName === 'Flaky')!;
    expect(letter).toMatchObject({
      queueArn: dlq,
      ruleArn,
      targetId: 'flaky',
      attempts: 3,
      errorCode: 'TypeError',
      errorMessage: 'espresso machine on fire',
    });
    expect(cloud.events.counters.rule(ruleArn)).toMatchObject({ matched: 1, delivered: 0, failed: 1, deadLettered: 1 });

    failuresLeft = 0;
    const redriven = (await (
      await fetch(`${cloud.url}/_presso/dlq/redrive`, { method: 'POST', body: JSON.stringify({ ids: [letter.id] }) })
    ).json()) as { results: unknown[] };
    expect(redriven.results).toEqual([{ id: letter.id, delivered: true }]);
    expect(received.get('flakyFn')).toHaveLength(4);
    expect(cloud.events.deadLetters.list(dlq)).toHaveLength(0);
  });

  it('honours RetryPolicy.MaximumRetryAttempts, and logs a failure without a DLQ', async () => {
    const arn = fn('brokenFn', async () => {
      throw new Error('broken');
    });
    await rule('NoRetry', { source: ['x.noretry'] }, [
      { Id: 'broken', Arn: arn, RetryPolicy: { MaximumRetryAttempts: 0 } },
    ]);
    await eb.send(new PutEventsCommand({ Entries: [entry({}, { Source: 'x.noretry' })] }));
    await cloud.events.delivery.drain();
    expect(received.get('brokenFn')).toHaveLength(1);
    expect(
      cloud.events.counters.rule('arn:aws:events:us-east-1:000000000000:rule/Serverlesspresso/NoRetry'),
    ).toMatchObject({ failed: 1, deadLettered: 0 });
  });

  it('dead-letters at once when the target function does not exist', async () => {
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:missing-dlq';
    await rule('Missing', { source: ['x.missing'] }, [
      { Id: 'gone', Arn: arns.lambda(cloud.account, 'neverDeployed'), DeadLetterConfig: { Arn: dlq } },
    ]);
    await eb.send(new PutEventsCommand({ Entries: [entry({}, { Source: 'x.missing' })] }));
    await cloud.events.delivery.drain();
    expect(cloud.events.deadLetters.list(dlq)).toEqual([
      expect.objectContaining({ attempts: 1, errorCode: 'ResourceNotFoundException' }),
    ]);
  });

  it('forwards events to another bus, whose rules then deliver them', async () => {
    await eb.send(new CreateEventBusCommand({ Name: 'Downstream' }));
    const arn = fn('downstreamFn');
    await eb.send(
      new PutRuleCommand({ Name: 'Down', EventBusName: 'Downstream', EventPattern: '{"source":["x.forward"]}' }),
    );
    await eb.send(
      new PutTargetsCommand({ Rule: 'Down', EventBusName: 'Downstream', Targets: [{ Id: 'fn', Arn: arn }] }),
    );
    await rule('Forward', { source: ['x.forward'] }, [
      { Id: 'bus', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/Downstream' },
    ]);
    await eb.send(new PutEventsCommand({ Entries: [entry({ hop: 1 }, { Source: 'x.forward' })] }));
    await cloud.events.delivery.drain();
    expect((received.get('downstreamFn') as EventEnvelope[]).map((e) => e.detail)).toEqual([{ hop: 1 }]);
  });
});

describe('schedules', () => {
  it('fires rate() rules as Scheduled Events on the time scale, and stops when disabled', async () => {
    let fired = 0;
    let resolveTwo: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const arn = fn('tickFn', async () => {
      if (++fired === 2) resolveTwo();
      return null;
    });
    // speed 100,000: one simulated minute is 0.6 ms.
    await eb.send(new PutRuleCommand({ Name: 'Tick', ScheduleExpression: 'rate(1 minute)' }));
    await eb.send(new PutTargetsCommand({ Rule: 'Tick', Targets: [{ Id: 'tick', Arn: arn }] }));
    await two;
    await eb.send(new DisableRuleCommand({ Name: 'Tick' }));
    await cloud.events.delivery.drain();
    const [event] = received.get('tickFn') as EventEnvelope[];
    expect(event).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/Tick'],
      detail: {},
    });
    const after = received.get('tickFn')!.length;
    await eb.send(new PutEventsCommand({ Entries: [entry({})] })); // a round trip: no timer fires once disabled
    await cloud.events.delivery.drain();
    expect(received.get('tickFn')!.length).toBe(after);
  });

  it('fires cron() rules at their times on the simulated clock, stamped with the scheduled minute, until deleted', async () => {
    let fired = 0;
    let resolveThree: () => void;
    const three = new Promise<void>((r) => (resolveThree = r));
    const arn = fn('cronFn', async () => {
      if (++fired === 3) resolveThree();
      return null;
    });
    // Every 5 minutes on weekdays and weekends alike: 3 ms apart at speed 100,000.
    await eb.send(new PutRuleCommand({ Name: 'Every5', ScheduleExpression: 'cron(0/5 * ? * SUN-SAT *)' }));
    await eb.send(new PutTargetsCommand({ Rule: 'Every5', Targets: [{ Id: 'cron', Arn: arn }] }));
    await three;
    await eb.send(new RemoveTargetsCommand({ Rule: 'Every5', Ids: ['cron'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'Every5' }));
    await cloud.events.delivery.drain();
    const events = received.get('cronFn') as EventEnvelope[];
    expect(events[0]).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/Every5'],
      detail: {},
    });
    // The time is the scheduled minute (a multiple of 5, no seconds), each 5 minutes or more after the last.
    const times = events.map((e) => Date.parse(e.time));
    for (const [i, t] of times.entries()) {
      expect(events[i]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d[05]:00Z$/);
      if (i > 0) expect(t - times[i - 1]!).toBeGreaterThanOrEqual(300_000);
    }
    const after = events.length;
    await cloud.time.sleep(30 * 60_000); // six periods of simulated time: a timer left running would fire
    expect(received.get('cronFn')!.length).toBe(after);
  });

  it('rejects schedule expressions AWS rejects', async () => {
    for (const expression of [
      'rate(1 minutes)',
      'rate(0 minutes)',
      'rate(5 weeks)',
      'every 5 minutes',
      'cron(0 12 * * * *)',
      'cron(0 12 ? * ? *)',
      'cron(0 12 * * ?)',
      'cron(0 25 * * ? *)',
      'cron(0 12 ? * MON-FOO *)',
      'cron(0 12 * * ? 2200)',
    ]) {
      await expect(
        eb.send(new PutRuleCommand({ Name: 'BadTick', ScheduleExpression: expression })),
      ).rejects.toMatchObject({ name: 'ValidationException', message: 'Parameter ScheduleExpression is not valid.' });
    }
    await eb.send(new PutRuleCommand({ Name: 'Cron', ScheduleExpression: 'cron(0 12 * * ? *)' }));
    const { ScheduleExpression } = await eb.send(new DescribeRuleCommand({ Name: 'Cron' }));
    expect(ScheduleExpression).toBe('cron(0 12 * * ? *)');
    await eb.send(new DeleteRuleCommand({ Name: 'Cron' }));
  });
});

describe('the archive and counters', () => {
  it('appends every accepted event as JSON Lines, lists it by bus and pattern, and follows new ones', async () => {
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [entry({ archived: 1 }, { Source: 'x.archive' }), entry({ archived: 2 }, { Source: 'x.other' })],
      }),
    );
    const lines = readFileSync(join(cloud.dataDir, 'events', 'Serverlesspresso.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EventEnvelope);
    expect(lines.map((e) => e.id)).toEqual(expect.arrayContaining(out.Entries!.map((e) => e.EventId)));

    const listed = await (
      await fetch(
        `${cloud.url}/_presso/events?bus=Serverlesspresso&pattern=${encodeURIComponent('{"source":["x.archive"]}')}`,
      )
    ).text();
    expect(
      listed
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as EventEnvelope).detail),
    ).toEqual([{ archived: 1 }]);

    const controller = new AbortController();
    const follow = await fetch(
      `${cloud.url}/_presso/events?follow=1&pattern=${encodeURIComponent('{"source":["x.live"]}')}`,
      { signal: controller.signal },
    );
    const reader = follow.body!.getReader();
    await eb.send(new PutEventsCommand({ Entries: [entry({ live: true }, { Source: 'x.live' })] }));
    const { value } = await reader.read();
    expect((JSON.parse(new TextDecoder().decode(value)) as EventEnvelope).detail).toEqual({ live: true });
    controller.abort();
  });

  it('counts events put, matched and delivered per bus', () => {
    const bus = cloud.events.counters.bus('Serverlesspresso');
    expect(bus.put).toBeGreaterThan(5);
    expect(bus.matched).toBeGreaterThan(0);
    expect(bus.delivered).toBeGreaterThan(0);
  });
});

describe('the edge', () => {
  it('answers an unknown X-Amz-Target and malformed JSON with AWS-shaped errors, and keeps serving', async () => {
    const post = (target: string, body: string) =>
      fetch(cloud.url, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
    const unknown = await post('AWSEvents.PutCoffee', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const nobody = await post('Nobody_20990101.Do', '{}');
    expect(await nobody.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const malformed = await post('AWSEvents.PutEvents', '{"Entries": [');
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect((await eb.send(new ListEventBusesCommand({}))).EventBuses!.length).toBeGreaterThan(0);
  });

  it('serves Lambda Invoke to the SDK', async () => {
    fn('echoFn', async (event) => ({ echoed: event }));
    const lambda = new LambdaClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echoFn', Payload: Buffer.from('{"hi":1}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ echoed: { hi: 1 } });
    fn('throwFn', async () => {
      throw new RangeError('no beans');
    });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'throwFn' }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'no beans',
    });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'ghost' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    lambda.destroy();
  });
});

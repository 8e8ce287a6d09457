// Redeploys update in place, as CloudFormation does, and never disturb another stack: the bus
// another stack's rules live on stays the same bus; a function keeps its ARN and runs new code from
// the next invocation on, while invocations in flight finish on the old code and events put during
// the redeploy are all delivered; a state machine is updated in place, its running executions keep
// their definition; what did not change is left alone; a failed update goes back to the old code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud, type StackRecord } from '../../src/index.js';
import type { WorkerFunction } from '../../src/services/lambda/runtime/index.js';
import { until } from '@serverlesspresso/testing/until';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const lines: string[] = [];
let cloud: LocalCloud;
let eb: EventBridgeClient;
let lambda: LambdaClient;
let sfn: SFNClient;

const deploy = (path: string, stackName: string, parameterOverrides?: Record<string, string>): Promise<StackRecord> =>
  cloud.stacks.deploy({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) });

/** A failure to wait shows what the cloud logged last. */
const cloudLog = { detail: () => `the cloud logged:\n${lines.slice(-30).join('\n')}` };

/** Resolves once the cloud logged a line matching `pattern` (from line `from` on). */
const logged = (pattern: RegExp, from = 0) =>
  until(`a line matching ${pattern}`, () => lines.slice(from).find((l) => pattern.test(l)), cloudLog);

const put = (bus: string, source: string, id: string) =>
  eb.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: bus, Source: source, DetailType: 'Test', Detail: JSON.stringify({ id }) }],
    }),
  );

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: (line) => lines.push(line) });
  const config = { endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
  eb = new EventBridgeClient(config);
  lambda = new LambdaClient(config);
  sfn = new SFNClient(config);
});

afterAll(async () => {
  eb.destroy();
  lambda.destroy();
  sfn.destroy();
  await cloud.close();
});

describe("another stack's rules on a bus", () => {
  it('still deliver when the stack that owns the bus is redeployed, unchanged or changed', async () => {
    await deploy(fixture('bus-owner-app'), 'owner');
    await deploy(fixture('bus-user-app'), 'user');
    const heard = async (id: string) => {
      await put('SharedBus', 'test.shared', id);
      await logged(new RegExp(`\\] heard ${id}$`));
    };
    await heard('e-1');
    const bus = cloud.events.buses.get('SharedBus');

    expect((await deploy(fixture('bus-owner-app'), 'owner')).status).toBe('UPDATE_COMPLETE');
    expect(cloud.events.buses.get('SharedBus')).toBe(bus);
    await heard('e-2');

    // A new description, another resource and a new output: the bus is updated, not made anew.
    const changed = await deploy(fixture('bus-owner-app'), 'owner', { Description: 'v2', Extra: 'yes' });
    expect(changed.outputs.ExtraBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/SharedBus-extra');
    expect((await eb.send(new DescribeEventBusCommand({ Name: 'SharedBus' }))).Description).toBe('v2');
    const rules = (await eb.send(new ListRulesCommand({ EventBusName: 'SharedBus' }))).Rules!.map((r) => r.Name);
    expect(rules).toEqual([expect.stringMatching(/^user-HearHeard-/)]);
    await heard('e-3');

    // The extra bus goes again; the shared one stays.
    await deploy(fixture('bus-owner-app'), 'owner', { Description: 'v2' });
    await expect(eb.send(new DescribeEventBusCommand({ Name: 'SharedBus-extra' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await heard('e-4');
    await cloud.stacks.delete('user');
    await cloud.stacks.delete('owner');
  });
});

describe('a redeployed function and state machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presso-live-'));
  let stack: StackRecord;
  const source = join(dir, 'src', 'worker.ts');
  /** Rewrites a file of the app (its mtime moved on, so the build cache sees the change). */
  const edit = (file: string, change: (text: string) => string) => {
    writeFileSync(file, change(readFileSync(file, 'utf8')));
    utimesSync(file, new Date(), new Date(Date.now() + 1000 * Math.random() + 1000));
  };
  const setVersion = (from: string, to: string) => edit(source, (s) => s.replace(`'${from}'`, `'${to}'`));
  const invoke = async (payload: Record<string, unknown>) => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: stack.outputs.WorkerArn, Payload: JSON.stringify(payload) }),
    );
    expect(out.FunctionError).toBeUndefined();
    return JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as unknown;
  };
  const worker = () => cloud.lambda.get(stack.outputs.WorkerArn!)!;
  const ruleOf = () => [...cloud.events.buses.get('live-bus')!.rules.values()][0];

  beforeAll(async () => {
    cpSync(fixture('live-app'), dir, { recursive: true });
    stack = await deploy(dir, 'live');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is left alone, rule and state machine too, when nothing changed', async () => {
    expect(await invoke({})).toEqual({ version: 'v1', greeting: 'hello' });
    const fn = worker() as WorkerFunction;
    const rule = ruleOf();
    const machine = cloud.states.stateMachine(stack.outputs.FlowArn!);
    const coldStarts = fn.stats().coldStarts;
    expect((await deploy(dir, 'live')).status).toBe('UPDATE_COMPLETE');
    expect(worker()).toBe(fn);
    expect(fn.stats().coldStarts).toBe(coldStarts);
    expect(ruleOf()).toBe(rule);
    expect(cloud.states.stateMachine(stack.outputs.FlowArn!)).toBe(machine);
    expect(await invoke({})).toEqual({ version: 'v1', greeting: 'hello' });
  });

  it('runs changed code under the same ARN; an invocation in flight finishes on the old code', async () => {
    const fn = worker();
    const release = join(dir, 'release-1');
    const mark = lines.length;
    const inFlight = invoke({ release });
    await logged(/waiting v1$/, mark);
    setVersion('v1', 'v2');
    expect((await deploy(dir, 'live')).status).toBe('UPDATE_COMPLETE');
    expect(worker()).toBe(fn);
    expect(await invoke({})).toEqual({ version: 'v2', greeting: 'hello' });
    writeFileSync(release, '');
    expect(await inFlight).toEqual({ version: 'v1', greeting: 'hello' });
  });

  it('gets every event put while it is redeployed', async () => {
    setVersion('v2', 'v3');
    let done = false;
    const deploying = deploy(dir, 'live').finally(() => (done = true));
    const ids: string[] = [];
    const send = async (id: string) => {
      ids.push(id);
      expect((await put('live-bus', 'test.work', id)).FailedEntryCount).toBe(0);
    };
    while (!done) await Promise.all([0, 1, 2, 3].map(() => send(`w-${ids.length}`)));
    await deploying;
    await send('w-after');
    for (const id of ids) await logged(new RegExp(`\\] worked v[23] ${id}$`));
    expect(ids.length).toBeGreaterThan(1);
    expect(lines.find((l) => l.endsWith(' w-after'))).toMatch(/worked v3 w-after$/);
  });

  it('takes a new configuration in place', async () => {
    const fn = worker();
    await deploy(dir, 'live', { Greeting: 'hola' });
    expect(worker()).toBe(fn);
    expect(await invoke({})).toEqual({ version: 'v3', greeting: 'hola' });
  });

  it('goes back to the previous code when the new code fails at import', async () => {
    edit(source, (s) => `throw new Error('broken at import');\n${s}`);
    await expect(deploy(dir, 'live', { Greeting: 'hola' })).rejects.toThrow(
      /Resources\.Worker\.Properties\.Handler: Error: broken at import.*\(the stack live was rolled back to its previous deployment\)/s,
    );
    // Every sandbox of v3 was stopped when the broken code came in: this one loaded v3's bundle again.
    expect(await invoke({})).toEqual({ version: 'v3', greeting: 'hola' });
    expect(cloud.stacks.get('live')!.status).toBe('UPDATE_COMPLETE');
    edit(source, (s) => s.replace("throw new Error('broken at import');\n", ''));
  });

  it('removes an event the template no longer has once the redeploy succeeded, not before', async () => {
    const template = join(dir, 'template.yaml');
    const original = readFileSync(template, 'utf8');
    const withoutEvent = original.replace(/ {6}Events:\n {8}Work:\n[\s\S]*?source: \[test\.work\]\n/, '');
    expect(withoutEvent).not.toBe(original);
    // A rule that fails after the worker was updated: the whole redeploy rolls back.
    const failing = withoutEvent.replace(
      'Resources:\n',
      'Resources:\n  Bad:\n    Type: AWS::Events::Rule\n    DependsOn: Worker\n    Properties:\n      EventPattern:\n        source: not-an-array\n',
    );
    const rule = ruleOf();
    writeFileSync(template, failing);
    await expect(deploy(dir, 'live', { Greeting: 'hola' })).rejects.toThrow(
      /Resources\.Bad\.Properties\.EventPattern: .*rolled back/s,
    );
    expect(ruleOf()).toBe(rule);
    await put('live-bus', 'test.work', 'w-kept');
    await logged(/\] worked v3 w-kept$/);

    writeFileSync(template, withoutEvent);
    await deploy(dir, 'live', { Greeting: 'hola' });
    expect((await eb.send(new ListRulesCommand({ EventBusName: 'live-bus' }))).Rules).toEqual([]);
    writeFileSync(template, original);
    await deploy(dir, 'live', { Greeting: 'hola' });
    await put('live-bus', 'test.work', 'w-back');
    await logged(/\] worked v3 w-back$/);
  });

  it('updates a changed state machine in place; a running execution keeps its definition', async () => {
    const arn = stack.outputs.FlowArn!;
    const created = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).creationDate;
    const release = join(dir, 'release-2');
    const mark = lines.length;
    const first = (
      await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ release }) }))
    ).executionArn!;
    await logged(/waiting v3$/, mark);
    edit(join(dir, 'statemachine', 'flow.asl.json'), (s) => s.replace('"d1"', '"d2"'));
    await deploy(dir, 'live', { Greeting: 'hola' });
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(described.definition).toContain('"d2"');
    expect(described.creationDate).toEqual(created);
    const output = (executionArn: string) =>
      until(
        `execution ${executionArn}`,
        async () => {
          const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          return e.status === 'RUNNING'
            ? undefined
            : { status: e.status, output: JSON.parse(e.output ?? 'null') as unknown };
        },
        cloudLog,
      );
    const second = (await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{}' }))).executionArn!;
    expect(await output(second)).toEqual({ status: 'SUCCEEDED', output: { worker: 'v3', definition: 'd2' } });
    writeFileSync(release, '');
    expect(await output(first)).toEqual({ status: 'SUCCEEDED', output: { worker: 'v3', definition: 'd1' } });
  });
});

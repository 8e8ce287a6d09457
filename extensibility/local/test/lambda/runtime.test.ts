// The Lambda runtime through the real path: templates deployed as stacks, functions built with
// esbuild from TypeScript, invoked with the SDK's LambdaClient through the edge, calling the edge
// back with their own SDK clients, and reached by EventBridge rules.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { WorkerFunction } from '../../src/services/lambda/runtime/index.js';
import { until } from '@serverlesspresso/testing/until';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let lambda: LambdaClient;

const invoke = async (name: string, payload: unknown) => {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  return {
    error: out.FunctionError,
    payload: JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || 'null') as Record<string, unknown>,
  };
};

const fn = (stack: string, logicalId: string) => {
  const physicalId = cloud.stacks.get(stack)!.resources.find((r) => r.logicalId === logicalId)!.physicalId;
  return cloud.lambda.get(physicalId) as WorkerFunction;
};

beforeAll(async () => {
  process.env.PRESSO_TEST_HOST_ONLY = 'leaked';
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  lambda = new LambdaClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  await cloud.stacks.deploy({ path: fixture('fn-app'), stackName: 'fns', parameterOverrides: { Greeting: 'hola' } });
});

afterAll(async () => {
  delete process.env.PRESSO_TEST_HOST_ONLY;
  lambda.destroy();
  await cloud.close();
});

describe('functions from a SAM template', () => {
  it('runs the esbuild bundle with the template environment, the edge as endpoint and a Lambda context', async () => {
    const echo = fn('fns', 'Echo');
    const { error, payload } = await invoke(echo.arn, { hello: 'world' });
    expect(error).toBeUndefined();
    expect(payload.event).toEqual({ hello: 'world' });
    expect(payload.env).toEqual({
      GREETING: 'hola',
      BUS_NAME: 'fns-bus',
      AWS_ENDPOINT_URL: cloud.url,
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: echo.name,
      HOME_LEAKED: null,
    });
    const context = payload.context as Record<string, unknown>;
    expect(context).toMatchObject({ functionName: echo.name, invokedFunctionArn: echo.arn, memoryLimitInMB: '128' });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.remaining).toBeGreaterThan(0);
    expect(context.remaining).toBeLessThanOrEqual(5000);
    // The result crosses as JSON, as in Lambda.
    expect(payload.at).toBe('1970-01-01T00:00:00.000Z');
  });

  it('keeps the sandbox warm between invocations (module state survives)', async () => {
    const echo = fn('fns', 'Echo');
    const before = echo.stats().coldStarts;
    const first = (await invoke(echo.name, {})).payload.invocations as number;
    const second = (await invoke(echo.name, {})).payload.invocations as number;
    expect(second).toBe(first + 1);
    expect(echo.stats().coldStarts).toBe(before);
  });

  it('lets a function call the edge with its own SDK client, and a rule deliver to another function', async () => {
    const publisher = fn('fns', 'Publisher');
    const { payload } = await invoke(publisher.name, { id: 'p-1' });
    expect(payload).toEqual({ failed: 0, eventId: expect.any(String) });
    // Functions run on the repo's Node, which the SDK supports: no notice about the Node version.
    expect(publisher.logs().join('\n')).not.toContain('NodeVersionSupportWarning');
    const listener = fn('fns', 'Listener');
    await until('the listener to hear p-1', () => listener.logs().some((l) => l.includes('heard Test.Published p-1')));
  });

  it('lists an event source it does not emulate on the stack, beside what it deployed', () => {
    expect(cloud.stacks.get('fns')!.notEmulated).toEqual([
      { logicalId: 'Listener.Events.FromTopic', type: 'AWS::Serverless::Function event SNS', physicalId: '' },
    ]);
  });

  it('prefixes what a function prints with its name', async () => {
    const lines: string[] = [];
    const local = await startLocalCloud({ port: 0, log: (l) => lines.push(l) });
    try {
      await local.stacks.deploy({ path: fixture('fn-app'), stackName: 'printing' });
      const listenerName = local.stacks.get('printing')!.resources.find((r) => r.logicalId === 'Listener')!.physicalId;
      await local.lambda.invoke(listenerName, { 'detail-type': 'X', detail: { id: '7' } });
      expect(lines).toContain(`[${listenerName}] heard X 7`);
    } finally {
      await local.close();
    }
  });

  it('returns a function error as Lambda does, with X-Amz-Function-Error', async () => {
    const { error, payload } = await invoke(fn('fns', 'Sleeper').name, { ms: -1 });
    expect(error).toBe('Unhandled');
    expect(payload).toMatchObject({ errorType: 'RangeError', errorMessage: 'ms must not be negative' });
    expect(payload.trace).toEqual(expect.arrayContaining([expect.stringContaining('RangeError')]));
    // Source maps (without the sources' text): the trace names the TypeScript line that threw.
    expect(payload.trace).toEqual(expect.arrayContaining([expect.stringMatching(/src\/sleeper\.ts:4:\d+/)]));
  });

  it('enforces the Timeout: the sandbox is stopped and the next invocation is a cold start', async () => {
    const sleeper = fn('fns', 'Sleeper');
    const cold = sleeper.stats().coldStarts;
    const { error, payload } = await invoke(sleeper.name, { ms: 3000 });
    expect(error).toBe('Unhandled');
    expect(payload).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect((await invoke(sleeper.name, { ms: 1 })).payload).toEqual({ slept: 1 });
    expect(sleeper.stats().coldStarts).toBe(cold + 1);
  });

  it('runs concurrent invocations in separate sandboxes', async () => {
    const sleeper = fn('fns', 'Sleeper');
    const results = await Promise.all([1, 2, 3].map(() => invoke(sleeper.name, { ms: 200 })));
    expect(results.map((r) => r.payload)).toEqual([{ slept: 200 }, { slept: 200 }, { slept: 200 }]);
    expect(sleeper.stats().sandboxes).toBeGreaterThanOrEqual(3);
  });

  it('answers ResourceNotFoundException for a function that does not exist', async () => {
    await expect(invoke('nope', {})).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('deploy failures leave nothing behind', () => {
  const cases: Array<[string, RegExp]> = [
    ['missing', /Resources\.Bad\.Properties\.Metadata: entry point .*src\/nothere\.ts does not exist/],
    ['throws', /Resources\.Bad\.Properties\.Handler: Error: NOT_SET is required/],
    [
      'notexported',
      /Resources\.Bad\.Properties\.Handler: Runtime\.HandlerNotFound: good\.nothere is undefined or not exported/,
    ],
    ['reserved', /Resources\.Bad\.Properties\.Environment\.Variables: .*reserved keys.*AWS_REGION/],
    // nodejs24.x no longer calls a handler that declares a callback; AWS fails its init, so does the deploy.
    ['callback', /Resources\.Bad\.Properties\.Handler: Runtime\.CallbackHandlerDeprecated: .*callback-based handler/],
  ];
  it.each(cases)('a %s handler fails the deploy with its file, resource and property', async (broken, message) => {
    const functionsBefore = cloud.lambda.list().length;
    const rulesBefore = [...cloud.events.buses.get('default')!.rules.keys()];
    await expect(
      cloud.stacks.deploy({
        path: fixture('broken-fns'),
        stackName: `broken-${broken}`,
        parameterOverrides: { Broken: broken },
      }),
    ).rejects.toThrow(message);
    expect(cloud.stacks.get(`broken-${broken}`)).toBeUndefined();
    expect(cloud.lambda.list()).toHaveLength(functionsBefore);
    expect([...cloud.events.buses.get('default')!.rules.keys()]).toEqual(rulesBefore);
  });
});

describe('runtimes the local cloud cannot emulate', () => {
  // The sandboxes run on the Node that runs the tests (the repo's Node): only its major's runtime.
  const major = process.versions.node.split('.')[0]!;
  const cases: Array<[string, RegExp]> = [
    [
      'nodejs20.x',
      new RegExp(
        `Resources\\.Fn\\.Properties\\.Runtime: nodejs20\\.x cannot be emulated locally: the local Lambda runtime is nodejs${major}\\.x .*use Runtime: nodejs${major}\\.x`,
      ),
    ],
    [
      'python3.12',
      new RegExp(
        `Resources\\.Fn\\.Properties\\.Runtime: python3\\.12 cannot be emulated locally: .*nodejs${major}\\.x.*only Node\\.js functions`,
      ),
    ],
  ];
  it.each(cases)('refuses %s at deploy, saying which runtime it runs, and keeps nothing', async (runtime, message) => {
    const functionsBefore = cloud.lambda.list().length;
    const stackName = `runtime-${runtime.replace(/\W/g, '-')}`;
    await expect(
      cloud.stacks.deploy({
        path: fixture('broken-fns/runtime.yaml'),
        stackName,
        parameterOverrides: { Runtime: runtime },
      }),
    ).rejects.toThrow(message);
    expect(cloud.stacks.get(stackName)).toBeUndefined();
    expect(cloud.lambda.list()).toHaveLength(functionsBefore);
  });

  it(`deploys the same template on nodejs${major}.x, the runtime of this Node`, async () => {
    await cloud.stacks.deploy({
      path: fixture('broken-fns/runtime.yaml'),
      stackName: 'runtime-emulated',
      parameterOverrides: { Runtime: `nodejs${major}.x` },
    });
    const fn = cloud.stacks.get('runtime-emulated')!.resources.find((r) => r.logicalId === 'Fn')!;
    expect((await invoke(fn.physicalId, {})).payload).toEqual({ ok: true });
    await cloud.stacks.delete('runtime-emulated');
  });
});

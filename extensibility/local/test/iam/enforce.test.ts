// IAM on the real path: a deployed function calls DynamoDB and EventBridge through the edge with
// the credentials of its SAM-generated role; SigV4 faults and a deleted role are refused as AWS does.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { until } from '@serverlesspresso/testing/until';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';
import type { WorkerFunction } from '../../src/services/lambda/runtime/index.js';

const app = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'guarded-app');
let cloud: LocalCloud;
let fn: WorkerFunction;
let tableName: string;
let logs: string[];

const caller = () => {
  const env = fn.options.environment;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    sessionToken: env.AWS_SESSION_TOKEN!,
  };
};
const dynamodb = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new DynamoDBClient({ endpoint: cloud.url, region: 'us-east-1', credentials, maxAttempts: 1 });
const invoke = async (input: Record<string, unknown>) => {
  const result = await fn.invoke(input);
  if (!result.ok) throw new Error(result.error.errorMessage);
  return result.payload as { ok: boolean; name?: string; message?: string; entries?: unknown[] };
};

beforeAll(async () => {
  logs = [];
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: (l) => logs.push(l) });
  const stack = await cloud.stacks.deploy({ path: app, stackName: 'guarded' });
  const physical = (id: string) => stack.resources.find((r) => r.logicalId === id)!.physicalId;
  fn = cloud.lambda.get(physical('Caller')) as WorkerFunction;
  tableName = physical('Table');
});

afterAll(async () => {
  await cloud?.close();
});

describe('a function acts with its role', () => {
  it('gets credentials the local cloud issued for its role, not dummy keys', () => {
    expect(caller().accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(caller().sessionToken.length).toBeGreaterThan(100);
  });

  it('is allowed what its policies allow', async () => {
    expect(await invoke({ call: 'put' })).toEqual({ ok: true });
    expect(await invoke({ call: 'event' })).toEqual({ ok: true });
  });

  it('is denied the rest with AWS message naming the assumed role, action and resource', async () => {
    const denied = await invoke({ call: 'get' });
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toMatch(
      new RegExp(
        `^User: arn:aws:sts::000000000000:assumed-role/guarded-CallerRole-[A-Z0-9]+/${fn.name} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${tableName} because no identity-based policy allows the dynamodb:GetItem action$`,
      ),
    );
  });

  it('is denied an event whose source its condition does not allow, in that entry of the answer (as AWS)', async () => {
    const denied = await invoke({ call: 'foreign-event' });
    expect(denied.entries).toEqual([
      {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: expect.stringContaining(
          'events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/guarded-bus with events:source "someone.else"',
        ),
      },
    ]);
  });

  it('puts the allowed entries of a batch and fails only the denied one', async () => {
    const before = cloud.events.counters.bus('guarded-bus').put;
    const answer = await invoke({ call: 'mixed-events' });
    expect(answer.entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: expect.any(String) },
    ]);
    expect(cloud.events.counters.bus('guarded-bus').put).toBe(before + 1);
  });

  it('reports per role what it used, its grants never used and its denials', async () => {
    const report = await (await fetch(`${cloud.url}/_presso/iam?role=CallerRole`)).json();
    const [role] = (report as { roles: Array<Record<string, unknown>> }).roles as Array<{
      used: Array<{ action: string }>;
      unusedGrants: Array<{ statement: string }>;
      denied: Array<{ action: string }>;
    }>;
    expect(role!.used.map((u) => u.action).sort()).toEqual(['dynamodb:PutItem', 'events:PutEvents']);
    expect(role!.denied.map((d) => d.action)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'events:PutEvents']));
    expect(role!.unusedGrants.map((g) => g.statement)).toContain('AWSLambdaBasicExecutionRole Statement[0]');
  });
});

describe('the edge checks the signature of issued keys', () => {
  it('refuses a wrong signature', async () => {
    const client = dynamodb({ ...caller(), secretAccessKey: 'not-the-secret' });
    await expect(
      client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'x' } } })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('refuses an expired session token', async () => {
    const roleArn = cloud.iam.report('CallerRole')[0]!.role;
    const expired = cloud.iam.issue(roleArn, -1000);
    const client = dynamodb(expired);
    await expect(
      client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'x' } } })),
    ).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
  });

  it('refuses a token that does not go with the key', async () => {
    const client = dynamodb({ ...caller(), sessionToken: 'forged' });
    await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('lets any key it did not issue act as the administrator', async () => {
    const events = new EventBridgeClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIADEVELOPER', secretAccessKey: 'anything' },
    });
    expect((await events.send(new ListEventBusesCommand({}))).EventBuses?.length).toBeGreaterThan(0);
  });
});

describe('a role deleted with its stack', () => {
  it("refuses the calls of its function's invocation still running after the delete", async () => {
    await cloud.stacks.deploy({ path: app, stackName: 'guarded-running' });
    const running = cloud.lambda.get(
      cloud.stacks.get('guarded-running')!.resources.find((r) => r.logicalId === 'Caller')!.physicalId,
    ) as WorkerFunction;
    // The function waits on this gate (real HTTP) until the stack is gone, then makes its call.
    let arrived = false;
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = createServer((_req, res) => {
      arrived = true;
      void opened.then(() => res.end('go'));
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = gate.address() as AddressInfo;
      const invocation = running.invoke({ call: 'wait-then-put', gate: `http://127.0.0.1:${port}/` });
      await until('the function to wait at the gate', () => arrived);
      await cloud.stacks.delete('guarded-running');
      open();
      const result = await invocation;
      expect(result).toEqual({
        ok: true,
        payload: {
          ok: false,
          name: 'UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        },
      });
    } finally {
      gate.close();
      gate.closeAllConnections();
    }
  });

  it('stops its credentials at once', async () => {
    const credentials = caller();
    await cloud.stacks.deploy({ path: app, stackName: 'guarded-2' });
    const second = cloud.iam.report('guarded-2')[0]!;
    expect(second.role).toMatch(/guarded-2-CallerRole-/);
    const client = dynamodb(credentials);
    expect(await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'y' } } }))).toBeDefined();
    await cloud.stacks.delete('guarded');
    await expect(
      client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'z' } } })),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await cloud.stacks.delete('guarded-2');
  });
});

describe('a policy naming what AWS does not have', () => {
  it('fails the deploy naming the policy and the action', async () => {
    const bad = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'bad-policy.yaml');
    await expect(cloud.stacks.deploy({ path: bad, stackName: 'bad' })).rejects.toThrow(
      /Resources\.Fn\.Properties\.Policies\[0\]: Policies\[0\]\.Statement\[0\]\.Action: dynamodb:PutItems: dynamodb has no action PutItems in the service authorization reference/,
    );
    expect(cloud.stacks.get('bad')).toBeUndefined();
  });

  it('fails the deploy naming the policy and the ARN', async () => {
    const bad = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'bad-arn.yaml');
    await expect(cloud.stacks.deploy({ path: bad, stackName: 'bad-arn' })).rejects.toThrow(
      /Resources\.Fn\.Properties\.Policies\[0\]: Policies\[0\]\.Statement\[0\]\.Resource: arn:aws:dynamodb:us-east-1:000000000000:tabel\/Orders is not the ARN of any dynamodb resource type in the service authorization reference/,
    );
    expect(cloud.stacks.get('bad-arn')).toBeUndefined();
  });
});

describe("a state machine's tasks act with its role", () => {
  it('runs the task its policy allows and fails the one it does not, naming the action', async () => {
    const sfn = new SFNClient({
      endpoint: cloud.url,
      disableHostPrefix: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    });
    const stack = await cloud.stacks.deploy({ path: app, stackName: 'guarded-flow' });
    const flow = stack.resources.find((r) => r.logicalId === 'Flow')!.physicalId;
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: flow, input: '{}' }));
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('EventBridge.AmazonEventBridgeException');
    expect(out.cause).toMatch(
      /^User: arn:aws:sts::000000000000:assumed-role\/guarded-flow-FlowRole-[A-Z0-9]+\/.+ is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus\/guarded-flow-bus because no identity-based policy allows the events:PutEvents action$/,
    );
    const role = cloud.iam.report('guarded-flow-FlowRole')[0]!;
    expect(role.used.map((u) => u.action)).toEqual(['dynamodb:PutItem']);
    await cloud.stacks.delete('guarded-flow');
  });
});

describe("a state machine's putEvents task, entry by entry", () => {
  it('puts the entries its role may put and fails the task with EventBridge.FailedEntry naming the denied one', async () => {
    const sfn = new SFNClient({
      endpoint: cloud.url,
      disableHostPrefix: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
    });
    const stack = await cloud.stacks.deploy({ path: app, stackName: 'guarded-picky' });
    const flow = stack.resources.find((r) => r.logicalId === 'PickyFlow')!.physicalId;
    const before = cloud.events.counters.bus('guarded-picky-bus').put;
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: flow, input: '{}' }));
    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('EventBridge.FailedEntry');
    expect(JSON.parse(out.cause!)).toEqual({
      FailedEntryCount: 1,
      Entries: [
        { EventId: expect.any(String) },
        { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: expect.stringContaining('"someone.else"') },
      ],
    });
    expect(cloud.events.counters.bus('guarded-picky-bus').put).toBe(before + 1);
    sfn.destroy();
    await cloud.stacks.delete('guarded-picky');
  });
});

describe('a role of the template (AWS::IAM::Role, AWS::IAM::Policy)', () => {
  it("is the function's: its inline and attached policies allow, the rest is denied", async () => {
    const stack = await cloud.stacks.deploy({
      path: join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'own-role'),
      stackName: 'own-role',
    });
    const physical = (id: string) => stack.resources.find((r) => r.logicalId === id)!.physicalId;
    const own = cloud.lambda.get(physical('Caller')) as WorkerFunction;
    const call = async (what: string) => {
      const result = await own.invoke({ call: what });
      return result.ok ? (result.payload as { ok: boolean; name?: string; message?: string }) : undefined;
    };
    expect(await call('get')).toEqual({ ok: true });
    expect(await call('event')).toEqual({ ok: true });
    const denied = await call('put');
    expect(denied?.name).toBe('AccessDeniedException');
    expect(denied?.message).toContain(
      `User: arn:aws:sts::000000000000:assumed-role/${physical('CallerRole')}/${own.name} is not authorized to perform: dynamodb:PutItem`,
    );
    await cloud.stacks.delete('own-role');
    expect(cloud.iam.report(physical('CallerRole'))).toEqual([]);
  });
});

// presso up / events / stats / dlq as a user runs them: real processes, the real edge, the SDK.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { until } from '@serverlesspresso/testing/until';

import { presso as bin, startUp, type RunningUp } from './up.js';

const run = promisify(execFile);

let up: RunningUp;
let endpoint: string;

const presso = async (...args: string[]) =>
  (await run(process.execPath, [bin, ...args, '--endpoint', endpoint])).stdout;

beforeAll(async () => {
  up = await startUp(['--no-apps', '--port', '0', '--speed', '1000']);
  endpoint = up.endpoint;
});

afterAll(() => {
  if (up.process.exitCode === null) up.process.kill('SIGKILL');
});

describe('presso and a running local cloud', () => {
  it('prints the edge and a ready line', () => {
    expect(up.output()).toMatch(/^edge\s+http:\/\/127\.0\.0\.1:\d+/m);
  });

  it('says in its header which Node it runs on and which runtime its functions get', () => {
    // Started with the Node running the tests: the repo's.
    const major = process.versions.node.split('.')[0]!;
    const line = up
      .output()
      .split('\n')
      .find((l) => l.startsWith('node '));
    expect(line?.replace(/^node\s+/, '')).toBe(
      `${process.version} (${process.execPath}), functions on nodejs${major}.x`,
    );
  });

  it('lists archived events as JSON Lines, filtered by bus and pattern, and counts them', async () => {
    const eb = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await eb.send(new CreateEventBusCommand({ Name: 'Serverlesspresso' }));
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'Serverlesspresso',
            Source: 'awsserverlessda.serverlesspresso',
            DetailType: 'OrderManager.OrderNYC-COMPLETED',
            Detail: '{"orderId":"o1"}',
          },
          {
            EventBusName: 'Serverlesspresso',
            Source: 'awsserverlessda.serverlesspresso',
            DetailType: 'Validator.NewOrder',
            Detail: '{"orderId":"o2"}',
          },
          { Source: 'other.app', DetailType: 'Ping', Detail: '{}' },
        ],
      }),
    );
    eb.destroy();
    // Every bus's events; those of this test (other tests put theirs on other buses, with other ids).
    const all = (await presso('events'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; detail: { orderId?: string } });
    expect(all.filter((e) => e.source === 'other.app' || ['o1', 'o2'].includes(e.detail.orderId ?? ''))).toHaveLength(
      3,
    );
    const completed = (
      await presso(
        'events',
        '--bus',
        'Serverlesspresso',
        '--pattern',
        '{"detail-type":[{"wildcard":"OrderManager.Order*-COMPLETED"}]}',
      )
    )
      .trim()
      .split('\n');
    expect(completed.map((l) => (JSON.parse(l) as { detail: unknown }).detail)).toEqual([{ orderId: 'o1' }]);
    const stats = JSON.parse(await presso('stats', '--json')) as { buses: Record<string, { put: number }> };
    expect(stats.buses.Serverlesspresso!.put).toBe(2);
    expect(stats.buses.default!.put).toBe(1);
    expect(await presso('stats')).toMatch(/bus Serverlesspresso\s+2\s+0/);
    expect(await presso('dlq')).toBe('no dead letters\n');
  });

  it('mints a token from the local issuer', async () => {
    const token = (await presso('token', '--user', 'alice', '--groups', 'admin,barista')).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      'cognito:username': 'alice',
      'cognito:groups': ['admin', 'barista'],
      iss: `${endpoint}/_presso/issuer`,
      token_use: 'id',
    });
    const jwks = (await (await fetch(`${endpoint}/_presso/issuer/.well-known/jwks.json`)).json()) as {
      keys: unknown[];
    };
    expect(jwks.keys).toHaveLength(1);
  });

  it('says what to do when no local cloud answers', async () => {
    await expect(run(process.execPath, [bin, 'stats', '--endpoint', 'http://127.0.0.1:1'])).rejects.toMatchObject({
      stderr: expect.stringContaining('no local cloud answers at http://127.0.0.1:1'),
    });
  });

  it('rejects a bad --speed with the reason', async () => {
    await expect(run(process.execPath, [bin, 'up', '--speed', 'fast'])).rejects.toMatchObject({
      stderr: expect.stringContaining('speed must be a positive number, got "fast"'),
    });
  });

  it('deploys, lists and deletes a stack; a broken template deploys nothing and says where', async () => {
    const fixtures = new URL('../../local/test/stacks/fixtures/', import.meta.url).pathname;
    const deployed = await presso(
      'deploy',
      `${fixtures}echo-app`,
      '--stack-name',
      'echo',
      '--parameter-overrides',
      'BusName=CliBus',
    );
    expect(deployed).toMatch(/^echo {2}CREATE_COMPLETE {2}2 resources/m);
    expect(deployed).toContain('not emulated: Alerts (AWS::SNS::Topic)');
    expect(deployed).toContain('BusArn = arn:aws:events:us-east-1:000000000000:event-bus/CliBus');
    expect(await presso('stacks')).toMatch(/^echo {2}CREATE_COMPLETE/m);
    await expect(presso('deploy', `${fixtures}broken-app`)).rejects.toMatchObject({
      stdout: expect.stringMatching(
        /Resources\.BadRule\.Properties\.EventPattern: Event pattern is not valid[\s\S]*nothing of this stack was deployed/,
      ),
    });
    await expect(presso('deploy', `${fixtures}echo-app`, '--parameter-overrides', 'oops')).rejects.toMatchObject({
      stdout: expect.stringContaining('--parameter-overrides'),
    });
    const eb = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'CliBus',
            Source: 'awsserverlessda.serverlesspresso',
            DetailType: 'Validator.NewOrder',
            Detail: '{"orderId":"cli-1"}',
          },
        ],
      }),
    );
    eb.destroy();
    const echoArn = (JSON.parse(await presso('stacks', '--json')) as Array<{ outputs: Record<string, string> }>)[0]!
      .outputs.EchoArn!;
    const machine = echoArn.slice(echoArn.lastIndexOf(':') + 1);
    // Wait on the API itself (bounded) for the execution to finish, then read it with presso.
    const sfn = (op: string, input: object) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': `AWSStepFunctions.${op}` },
        body: JSON.stringify(input),
      }).then((r) => r.json() as Promise<{ executions: Array<{ status: string }> }>);
    await until(
      'the echo execution to succeed',
      async () =>
        (await sfn('ListExecutions', { stateMachineArn: echoArn, statusFilter: 'SUCCEEDED' })).executions.length > 0,
    );
    const executions = await presso('executions', machine);
    expect(executions).toMatch(new RegExp(`^${machine} {2}\\(1 executions\\)\\n {4}SUCCEEDED `));
    const arn = /(arn:aws:states:\S+:execution:\S+)/.exec(executions)![1]!;
    expect(await presso('executions', '--history', arn)).toMatch(
      /ExecutionStarted[\s\S]*TaskScheduled[\s\S]*ExecutionSucceeded/,
    );
    await expect(presso('executions', 'nope')).rejects.toMatchObject({
      stdout: expect.stringContaining('no state machine named nope'),
    });
    expect(await presso('delete', 'echo')).toBe('deleted echo\n');
    expect(await presso('stacks')).toBe('no stacks\n');
  }, 90_000); // about ten presso processes, each starting Node and the SDK: seconds apiece on a loaded machine

  it('lists per role what it used and was denied (presso iam)', async () => {
    const fixtures = new URL('../../local/test/stacks/fixtures/', import.meta.url).pathname;
    await presso(
      'deploy',
      `${fixtures}echo-app`,
      '--stack-name',
      'echo-iam',
      '--parameter-overrides',
      'BusName=IamBus',
    );
    const eb = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'IamBus',
            Source: 'awsserverlessda.serverlesspresso',
            DetailType: 'Validator.NewOrder',
            Detail: '{"orderId":"iam-1"}',
          },
        ],
      }),
    );
    eb.destroy();
    // The state machine acts with its role: once it put its event, presso iam shows it and no denial.
    const report = async () => (await fetch(`${endpoint}/_presso/iam?role=echo-iam-EchoRole`)).json();
    await until('the echo state machine to put its event', async () =>
      JSON.stringify(await report()).includes('events:PutEvents'),
    );
    const iam = await presso('iam', 'echo-iam-EchoRole');
    expect(iam).toMatch(
      /^IAM mode: enforce\n\narn:aws:iam::000000000000:role\/echo-iam-EchoRole-[A-Z0-9]+ \(stack echo-iam\)\n/,
    );
    expect(iam).toContain('    events:PutEvents arn:aws:events:us-east-1:000000000000:event-bus/IamBus x1\n');
    expect(iam).toMatch(/ {2}denied:\n {4}none\n/);
    await expect(presso('iam', 'nobody')).rejects.toMatchObject({
      stdout: expect.stringContaining('no role matches nobody'),
    });
    await presso('delete', 'echo-iam');
  });

  it("prints an API's local URL and routes, and mints tokens for the deployed user pool", async () => {
    const fixtures = new URL('../../local/test/stacks/fixtures/', import.meta.url).pathname;
    const deployed = await presso('deploy', `${fixtures}orders-http-app`, '--stack-name', 'shop');
    const api = new RegExp(`^ {4}api OrdersApi \\(HTTP\\) {2}(${endpoint}/apis/[a-z0-9]{10})$`, 'm').exec(deployed);
    expect(api).not.toBeNull();
    const url = api![1]!;
    expect(deployed).toContain('        GET /barista/queue -> Orders  [Cognito]\n');
    expect(deployed).toContain('        $default -> Fallback\n');
    expect(deployed).toContain(`    OrdersUrl = ${url}/orders\n`);
    expect(await presso('stacks')).toContain(`    ApiEndpoint = ${url}\n`);
    const barista = (await presso('token', '--user', 'bob', '--groups', 'barista')).trim();
    expect((await fetch(`${url}/barista/queue`, { headers: { authorization: `Bearer ${barista}` } })).status).toBe(200);
    const customer = (await presso('token', '--user', 'ann', '--user-pool', 'shop/UserPool', '--client', 'web')).trim();
    expect((await fetch(`${url}/barista/queue`, { headers: { authorization: `Bearer ${customer}` } })).status).toBe(
      403,
    );
    expect((await fetch(`${url}/barista/queue`)).status).toBe(401);
    await expect(presso('token', '--user', 'ann', '--groups', 'manager')).rejects.toMatchObject({
      stdout: expect.stringMatching(
        /^presso token: user pool shop\/UserPool \(\S+\) has no group 'manager' \(its groups: admin, barista\)/,
      ),
    });
    expect(await presso('delete', 'shop')).toBe('deleted shop\n');
    expect((await fetch(`${url}/health`)).status).toBe(404);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => up.process.on('exit', (code) => resolve(code)));
    up.process.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

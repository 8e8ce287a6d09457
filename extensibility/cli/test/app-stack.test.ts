// Issue 4's acceptance path, as a user runs it: `presso up`, then `presso deploy` of an app made of a
// function, a table, a rule and an HTTP route. An event put with the SDK reaches the function, which
// writes the table (read back with lib-dynamodb); the route answers with and without a token; a
// second stack comes and goes while the first keeps working; a failed deploy leaves nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';

import { presso as bin, startUp, type RunningUp } from './up.js';

const run = promisify(execFile);

const app = new URL('./fixtures/tab-app', import.meta.url).pathname;
const brokenApp = new URL('../../local/test/lambda/fixtures/broken-fns', import.meta.url).pathname;
let up: RunningUp;
let endpoint: string;
let eb: EventBridgeClient;
let ddb: DynamoDBClient;
let docs: DynamoDBDocumentClient;
let lambda: LambdaClient;

const presso = async (...args: string[]) =>
  (await run(process.execPath, [bin, ...args, '--endpoint', endpoint])).stdout;
const outputsOf = async (stack: string) =>
  (
    JSON.parse(await presso('stacks', '--json')) as Array<{
      name: string;
      localOutputs: Record<string, string>;
      outputs: Record<string, string>;
    }>
  ).find((s) => s.name === stack)!;

/** The app as stack `tabs`, deployed once by whichever test needs it first: no test relies on another having run. */
let tabsDeployed: Promise<string> | undefined;
const deployTabs = () => (tabsDeployed ??= presso('deploy', app, '--stack-name', 'tabs'));

const pay = (bus: string, orderId: string, amount: number) =>
  eb.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: bus, Source: 'test.tabs', DetailType: 'Tab.Paid', Detail: JSON.stringify({ orderId, amount }) },
      ],
    }),
  );

beforeAll(async () => {
  up = await startUp(['--no-apps', '--port', '0', '--speed', '100']);
  endpoint = up.endpoint;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
  eb = new EventBridgeClient(config);
  ddb = new DynamoDBClient(config);
  docs = DynamoDBDocumentClient.from(ddb);
  lambda = new LambdaClient(config);
});

afterAll(async () => {
  eb.destroy();
  ddb.destroy();
  lambda.destroy();
  await up.stop();
});

describe('an app of a function, a table, a rule and an HTTP route, through presso', () => {
  it('routes an event to the function, which writes its table; the route answers with a token only', async () => {
    expect(await deployTabs()).toMatch(/^tabs {2}CREATE_COMPLETE/m);
    const stack = await outputsOf('tabs');
    await pay('TabBus', 'o-1', 4.5);
    const item = await until(
      'the tab of o-1 in the table',
      async () =>
        (await docs.send(new GetCommand({ TableName: stack.outputs.TableName, Key: { orderId: 'o-1' } }))).Item,
      { ms: 10_000 },
    );
    expect(item).toEqual({ orderId: 'o-1', amount: 4.5 });

    const url = `${stack.localOutputs.ApiUrl}/tabs/o-1`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    const token = (await presso('token', '--user', 'ann')).trim();
    const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ orderId: 'o-1', amount: 4.5, readBy: 'ann' });
  });

  it('deploys and deletes a second stack of the same app while the first keeps working', async () => {
    await deployTabs();
    await presso('deploy', app, '--stack-name', 'tabs2', '--parameter-overrides', 'BusName=TabBus2');
    const second = await outputsOf('tabs2');
    await pay('TabBus2', 'o-2', 3);
    await until(
      "the tab of o-2 in the second stack's table",
      async () =>
        (await docs.send(new GetCommand({ TableName: second.outputs.TableName, Key: { orderId: 'o-2' } }))).Item,
      { ms: 10_000 },
    );
    expect(await presso('delete', 'tabs2')).toBe('deleted tabs2\n');
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).not.toContain(second.outputs.TableName);

    const first = await outputsOf('tabs');
    await pay('TabBus', 'o-3', 2);
    expect(
      await until(
        "the tab of o-3 in the first stack's table",
        async () =>
          (await docs.send(new GetCommand({ TableName: first.outputs.TableName, Key: { orderId: 'o-3' } }))).Item,
        { ms: 10_000 },
      ),
    ).toEqual({ orderId: 'o-3', amount: 2 });
  });

  it('a stack that fails to deploy leaves nothing behind', async () => {
    // Deployed whole once, the same stack shows the names of what the failing deploy makes before it
    // fails (a rule on the default bus, a good function): names are the stack's and logical ids'.
    await presso('deploy', brokenApp, '--stack-name', 'broken', '--parameter-overrides', 'Broken=none');
    const whole = (
      JSON.parse(await presso('stacks', '--json')) as Array<{
        name: string;
        resources: Array<{ logicalId: string; physicalId: string }>;
      }>
    ).find((s) => s.name === 'broken')!;
    const physicalId = (logicalId: string) => whole.resources.find((r) => r.logicalId === logicalId)!.physicalId;
    const rules = async () =>
      (await eb.send(new ListRulesCommand({ EventBusName: 'default' }))).Rules!.map((r) => r.Name);
    const invokeGood = () => lambda.send(new InvokeCommand({ FunctionName: physicalId('Good'), Payload: '{}' }));
    expect(await rules()).toContain(physicalId('Rule'));
    expect((await invokeGood()).FunctionError).toBeUndefined();
    expect(await presso('delete', 'broken')).toBe('deleted broken\n');

    await expect(
      presso('deploy', brokenApp, '--stack-name', 'broken', '--parameter-overrides', 'Broken=throws'),
    ).rejects.toMatchObject({
      stdout: expect.stringMatching(
        /Resources\.Bad\.Properties\.Handler: Error: NOT_SET is required[\s\S]*nothing of this stack was deployed/,
      ),
    });
    expect(await presso('stacks')).not.toMatch(/^broken/m);
    expect(await rules()).not.toContain(physicalId('Rule'));
    await expect(invokeGood()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

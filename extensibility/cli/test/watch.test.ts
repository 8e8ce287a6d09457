// presso up --watch: editing an app's handler deploys it again, in place (its table keeps its items);
// an edit that breaks the build is reported and the previous deployment keeps running.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';
import { startUp, type RunningUp } from './up.js';

// Inside the repo (under an ignored folder), so the handler's imports resolve as the fixture's do.
const app = new URL('./.aws-sam/watch-app', import.meta.url).pathname;
let up: RunningUp;
let eb: EventBridgeClient;
let docs: DynamoDBDocumentClient;
let table: string;

/** The bounded polls' limit; a failure shows what presso up printed. */
const printed = { ms: 20_000, detail: () => `presso up printed:\n${up.output().slice(-2000)}` };

const pay = (orderId: string, amount: number) =>
  eb.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'TabBus',
          Source: 'test.tabs',
          DetailType: 'Tab.Paid',
          Detail: JSON.stringify({ orderId, amount }),
        },
      ],
    }),
  );
const tab = async (orderId: string) => (await docs.send(new GetCommand({ TableName: table, Key: { orderId } }))).Item;
const edit = (change: (source: string) => string) => {
  const file = `${app}/src/record.ts`;
  writeFileSync(file, change(readFileSync(file, 'utf8')));
};

beforeAll(async () => {
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  cpSync(new URL('./fixtures/tab-app', import.meta.url).pathname, app, { recursive: true });
  up = await startUp(['--watch', '--port', '0', '--speed', '100', app]);
  const config = {
    endpoint: up.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  eb = new EventBridgeClient(config);
  docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  table = /TableName = (\S+)/.exec(up.output())![1]!;
});

afterAll(async () => {
  eb?.destroy();
  docs?.destroy();
  await up?.stop();
  rmSync(app, { recursive: true, force: true });
});

describe('presso up --watch', () => {
  // One test: each step starts from the handler the step before left (the second edit breaks the
  // first's), so the steps cannot run alone or in another order.
  it('deploys an app again when its handler changes, keeping its table; an edit that breaks the build is reported and the previous deployment keeps running', async () => {
    expect(up.output()).toMatch(/^watching {4}1 app: a change deploys its app again$/m);
    await pay('o-1', 2);
    expect(await until('the tab of o-1', () => tab('o-1'), printed)).toEqual({ orderId: 'o-1', amount: 2 });

    edit((s) => s.replace('amount: event.detail.amount }', 'amount: event.detail.amount * 10 }'));
    await until(
      'the redeploy after the edit',
      () => /redeploying watch-app \(src\/record\.ts changed\)[\s\S]*watch-app {2}UPDATE_COMPLETE/.test(up.output()),
      printed,
    );
    await pay('o-2', 2);
    expect(await until('the tab of o-2', () => tab('o-2'), printed)).toEqual({ orderId: 'o-2', amount: 20 });
    expect(await tab('o-1')).toEqual({ orderId: 'o-1', amount: 2 });

    // An edit that breaks the build: the handler of the edit above (amounts times 10) keeps running.
    edit((s) => s.replace('export const handler', 'export const handler = ;\nconst broken'));
    await until(
      'the failed redeploy to be reported',
      () => /redeploying watch-app failed, the previous deployment keeps running:\n.*esbuild failed/.test(up.output()),
      printed,
    );
    await pay('o-3', 1);
    expect(await until('the tab of o-3', () => tab('o-3'), printed)).toEqual({ orderId: 'o-3', amount: 10 });
  }, 60_000);
});

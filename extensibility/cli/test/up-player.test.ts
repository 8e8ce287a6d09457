// `presso up extensibility/EventPlayer _extension_model`, as PUBLISHING.md and the model's README give
// it to extension authors: no core, so the player creates the bus (CreateBus=true) and goes first; then
// `presso play` replays the session and the model records its completed orders. The repo's real
// player and model, from the repo root, as a user types it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { until } from '@serverlesspresso/testing/until';
import { deployPlan } from '../src/apps.js';
import { presso as bin, startUp, type RunningUp } from './up.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const presso = async (...args: string[]) =>
  (await run(process.execPath, [bin, ...args, '--endpoint', up.endpoint], { cwd: repo })).stdout;
let up: RunningUp;
const session = JSON.parse(readFileSync(`${repo}extensibility/EventPlayer/archive/session.json`, 'utf8')) as {
  events: Array<{ event: { 'detail-type': string; detail: { orderId?: string } } }>;
};
const completed = new Set(
  session.events
    .filter((e) => /^OrderManager\.Order.+-COMPLETED$/.test(e.event['detail-type']))
    .map((e) => e.event.detail.orderId),
);

describe('deployPlan', () => {
  const at = (dir: string) => `${repo}${dir}`;

  it('asks the player to create the bus, first, when no app given creates it', () => {
    expect(deployPlan([at('_extension_model'), at('extensibility/EventPlayer')])).toEqual({
      apps: [
        { dir: at('extensibility/EventPlayer'), parameterOverrides: { CreateBus: 'true' } },
        { dir: at('_extension_model') },
      ],
      note: `no app given creates the Serverlesspresso bus: ${at('extensibility/EventPlayer')} creates it (CreateBus=true), deployed first`,
    });
  });

  it('leaves the apps as given when one creates the bus (the core), or none can', () => {
    const all = [at('core'), at('extensibility/EventPlayer'), at('_extension_model')];
    expect(deployPlan(all)).toEqual({ apps: all.map((dir) => ({ dir })) });
    expect(deployPlan([at('_extension_model')])).toEqual({ apps: [{ dir: at('_extension_model') }] });
  });
});

describe('presso up extensibility/EventPlayer _extension_model', () => {
  beforeAll(async () => {
    up = await startUp(['--port', '0', '--speed', '1000', 'extensibility/EventPlayer', '_extension_model'], {
      cwd: repo,
    });
  }, 120_000);
  afterAll(async () => up?.stop());

  it('deploys the player with CreateBus=true first, then the model', () => {
    expect(up.output()).toContain(
      'bus         no app given creates the Serverlesspresso bus: extensibility/EventPlayer creates it (CreateBus=true), deployed first\n',
    );
    expect(up.output()).toMatch(
      /deploying {3}\[1\/2\] extensibility\/EventPlayer \(CreateBus=true\)\n[\s\S]*\n {4}EventBusName = Serverlesspresso\n[\s\S]*deploying {3}\[2\/2\] _extension_model\n/,
    );
  });

  it('replays the session with presso play, and the model records the completed orders', async () => {
    const n = session.events.length;
    expect(await presso('play', '--speed', '1000', '--event-id', 'UP')).toMatch(
      new RegExp(`replayed ${n} events in [\\d.]+s: ${n} sent, 0 failed`),
    );
    const table = (
      JSON.parse(await presso('stacks', '--json')) as Array<{ name: string; outputs: Record<string, string> }>
    ).find((s) => s.name === 'extension-model')!.outputs.CompletedOrdersTableName!;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: up.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
    );
    try {
      // The rule delivers asynchronously: a bounded poll for every completed order of the session.
      let rows: Array<Record<string, unknown>> = [];
      await until(
        `the ${completed.size} completed orders of the session in the model's table`,
        async () => {
          rows = (await db.send(new ScanCommand({ TableName: table }))).Items ?? [];
          return rows.length >= completed.size;
        },
        { ms: 30_000, detail: () => `the table holds ${rows.length} rows` },
      );
      expect(new Set(rows.map((r) => r.orderId))).toEqual(completed);
      expect(rows.every((r) => r.eventId === 'UP')).toBe(true);
    } finally {
      db.destroy();
    }
  }, 60_000);
});

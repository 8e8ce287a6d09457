// The console in a real browser (playwright-core driving Chromium: PRESSO_CHROMIUM, default
// /usr/bin/chromium), served from the local cloud's edge as `presso up` serves it, with the
// EventPlayer (replaying the hand-made session fixture) and OrderMetrics deployed, at a time scale
// that makes the 8-minute session a few seconds: a person opens the stacks page, opens the bus's
// live tail, starts the player from its page with the default input, watches its graph reach
// Succeeded and the tail show the replayed events with OrderMetrics' rules matching and delivering;
// an invalid pattern gets the engine's reason beside the field; OrderMetrics' function lists the
// replay's invocations (cold, then warm) and its table its items; the catalog is drawn; a cloud
// listening beyond the loopback interface says so on every page; a task that times out shows where;
// a dead letter is redriven. Screenshots: <tmp>/presso-console-screenshots/.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startLocalCloud, type LocalCloud } from '@serverlesspresso/local';
import { playerWithArchive, sessionFixture } from '@serverlesspresso/event-player/test-app';
import { until } from '@serverlesspresso/testing/until';
import { ensureBuilt } from '../build/build.js';
import { consoleService, consoleUrl } from '../build/serve.js';
import { accessible, launchChromium, shot } from './browser.js';

const ORDER_METRICS = new URL('../../../extensions/OrderMetrics', import.meta.url).pathname;
// The fixture's 8 minutes in about 2 seconds.
const SPEED = 240;
const SLOW = 90_000;

let cloud: LocalCloud;
let browser: Browser;
let url: string;
const player = playerWithArchive('console-test', sessionFixture);
const logs: string[] = [];

/** An AWS JSON-protocol call on the edge, as the administrator (unsigned). */
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

beforeAll(async () => {
  await ensureBuilt();
  cloud = await startLocalCloud({ port: 0, speed: SPEED, log: (line) => void logs.push(line) });
  cloud.edge.addService(consoleService());
  url = consoleUrl(cloud.url);
  await cloud.stacks.deploy({ path: player.dir, stackName: 'EventPlayer', parameterOverrides: { CreateBus: 'true' } });
  await cloud.stacks.deploy({ path: ORDER_METRICS, stackName: 'OrderMetrics' });
  browser = await launchChromium();
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
  player.remove();
});

it(
  'starts the EventPlayer with its default input, draws its graph to Succeeded and tails the replay with the rules that matched',
  async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.getByRole('heading', { name: 'EventPlayer' }).waitFor();
    await page.getByRole('heading', { name: 'OrderMetrics' }).waitFor();
    await shot(page, 'console-stacks');
    await accessible(page, 'stacks');

    // The bus's tail, open in a second tab before the replay starts.
    const tail = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await tail.goto(`${url}#/bus/Serverlesspresso`);
    await tail.getByText('Live tail (live)').waitFor();

    // Step Functions -> the player's machine -> Start execution, the default input left as it is.
    await page.getByRole('link', { name: 'Step Functions' }).click();
    await page.getByRole('heading', { name: 'EventPlayer' }).waitFor();
    await page
      .locator('a', { hasText: /EventPlayer|Player/ })
      .first()
      .click();
    const input = page.getByLabel('Input');
    expect(JSON.parse(await input.inputValue())).toEqual({ Comment: 'Insert your JSON here' });
    await shot(page, 'console-state-machine');
    await accessible(page, 'state machine');
    await page.getByRole('button', { name: 'Start execution' }).click();

    await page.getByRole('heading', { name: /^Execution / }).waitFor();
    await page.locator('.status', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    await page.locator('g.node[data-state="Replay finished"][data-status="succeeded"]').waitFor();
    expect(await page.locator('g.node[data-status="succeeded"]').count()).toBeGreaterThanOrEqual(6);
    await shot(page, 'console-execution-succeeded');
    await accessible(page, 'execution');

    // The tail: every replayed event, OrderMetrics' rules matching the orders' events and delivering.
    await until('the 34 replayed events in the tail', async () => (await tail.locator('li.event').count()) >= 34, {
      ms: 30_000,
      detail: () => logs.slice(-20).join('\n'),
    });
    const waiting = tail.locator('li.event', { hasText: 'OrderManager.WaitingCompletion' }).first();
    await waiting.locator('.match[data-rule*="OrderMetrics"] .outcome-delivered').waitFor({ timeout: 30_000 });
    await tail.locator('li.event', { hasText: 'Validator.NewOrder' }).first().getByText('no rule matched').waitFor();
    // Each event links to its section of the events catalog.
    await waiting.locator('summary').click();
    expect(await waiting.getByRole('link', { name: /in the events catalog/ }).getAttribute('href')).toMatch(
      /^catalog\.html#/,
    );
    await shot(tail, 'console-bus-tail');
    await accessible(tail, 'bus');

    // An invalid pattern: the engine's reason beside the field, and the tail keeps going.
    await tail.getByLabel(/Event pattern/).fill('{"detail-type": "OrderManager.WaitingCompletion"}');
    await tail.getByRole('button', { name: /Apply/ }).click();
    await tail.locator('#pattern-problem .problem').waitFor();
    expect(await tail.locator('#pattern-problem').textContent()).toMatch(/array/i);
    await tail.getByLabel(/Event pattern/).fill('{"detail-type": ["OrderManager.WaitingCompletion"]}');
    await tail.getByRole('button', { name: /Apply/ }).click();
    await tail.getByText(/2 of \d+ archived events match the pattern/).waitFor();
    await shot(tail, 'console-bus-archive-filtered');

    // A start input that is not JSON is refused before it is sent.
    await page.goBack();
    await page.getByLabel('Input').fill('{"speed": ');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.getByText(/The input is not JSON/).waitFor();
    await page.close();
    await tail.close();
  },
  SLOW * 2,
);

it(
  "shows OrderMetrics' function with the replay's invocations and its table's items, and the catalog's graph",
  async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}#/lambda`);
    const fn = page.getByRole('link', { name: /RecordOrderMetrics/ }).first();
    await fn.click();
    await page.getByRole('heading', { name: /^Function / }).waitFor();
    // The replay invoked it: the first invocation on its sandbox is cold, later ones warm.
    await page.getByRole('cell', { name: 'cold' }).first().waitFor();
    await page.getByRole('cell', { name: 'warm' }).first().waitFor();
    await page.getByRole('cell', { name: 'success' }).first().waitFor();
    await shot(page, 'console-lambda-function');
    await accessible(page, 'function');

    await page.getByRole('link', { name: 'DynamoDB' }).click();
    // OrderMetrics' table, the one table deployed.
    await page.locator('ul.list a').first().click();
    await page.getByText(/^Key: /).waitFor();
    await page.getByRole('button', { name: 'Scan' }).click();
    await page.locator('table tbody tr').first().waitFor();
    await shot(page, 'console-dynamodb-table');
    await accessible(page, 'table');
    await page.getByLabel('As JSON').check();
    await page.getByLabel('Items').waitFor();

    // The bus's rules: OrderMetrics' with its pattern, its target, its counts and what it consumes in the catalog.
    await page.getByRole('link', { name: 'EventBridge' }).click();
    const rule = page.locator('tr[data-rule*="OrderMetrics"]').first();
    await rule.getByRole('link', { name: 'OrderManager.WaitingCompletion' }).waitFor();
    expect(await rule.textContent()).toMatch(/\d+ matched, \d+ delivered/);
    await shot(page, 'console-eventbridge');
    await accessible(page, 'eventbridge');

    await page.getByRole('link', { name: 'Events catalog' }).click();
    await page.locator('g.cnode-rule[data-node*="OrderMetrics"]').first().waitFor({ timeout: 30_000 });
    await page.locator('g.cnode-event[data-node="event:OrderManager.WaitingCompletion"]').waitFor();
    await shot(page, 'console-catalog');
    await accessible(page, 'catalog');
    await page.close();
  },
  SLOW,
);

it(
  'says on every page that the local cloud listens beyond the loopback interface (presso up --host)',
  async () => {
    const exposed = await startLocalCloud({ host: '0.0.0.0', port: 0, log: () => {} });
    try {
      exposed.edge.addService(consoleService());
      const page = await browser.newPage();
      const port = new URL(exposed.url).port;
      for (const route of ['#/stacks', '#/events']) {
        await page.goto(`http://127.0.0.1:${port}/_presso/console/${route}`);
        await page.getByRole('alert').filter({ hasText: 'listens on 0.0.0.0' }).waitFor();
      }
      await shot(page, 'console-host-banner');
      await page.close();
      // And a console on the loopback interface says nothing of it.
      const local = await browser.newPage();
      await local.goto(url);
      await local.getByRole('heading', { name: 'Stacks' }).waitFor();
      expect(await local.getByText(/listens on/).count()).toBe(0);
      await local.close();
    } finally {
      await exposed.close();
    }
  },
  SLOW,
);

it(
  'shows where an execution timed out: the task that waited for its token',
  async () => {
    const definition = {
      StartAt: 'Wait for the barista',
      States: {
        'Wait for the barista': {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
          Parameters: {
            Entries: [
              {
                EventBusName: 'Serverlesspresso',
                Source: 'console.test',
                DetailType: 'Console.Waiting',
                Detail: { 'TaskToken.$': '$$.Task.Token' },
              },
            ],
          },
          // 20 minutes at speed 240: 5 seconds.
          TimeoutSeconds: 1200,
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const { stateMachineArn } = await aws<{ stateMachineArn: string }>('AWSStepFunctions.CreateStateMachine', {
      name: 'order-timeout',
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::123456789012:role/console-test',
    });
    const { executionArn } = await aws<{ executionArn: string }>('AWSStepFunctions.StartExecution', {
      stateMachineArn,
      input: '{}',
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}#/execution/${encodeURIComponent(executionArn)}`);
    // While it waits, its token is offered for task success or failure.
    await page.getByRole('heading', { name: 'Waiting for a task token' }).waitFor();
    await page
      .locator('g.node[data-state="Wait for the barista"][data-status="timed-out"]')
      .waitFor({ timeout: 30_000 });
    await page.locator('.status', { hasText: 'FAILED' }).waitFor();
    await page.getByText('States.Timeout').first().waitFor();
    await shot(page, 'console-execution-timed-out');
    await accessible(page, 'timed out');
    await page.close();
  },
  SLOW,
);

it(
  'redrives a dead letter to its target once the target exists',
  async () => {
    const { RuleArn } = await aws<{ RuleArn: string }>('AWSEvents.PutRule', {
      Name: 'console-dead-letters',
      EventBusName: 'Serverlesspresso',
      EventPattern: JSON.stringify({ source: ['console.dead-letter'] }),
    });
    const [, , , region, account] = RuleArn.split(':');
    const queueArn = `arn:aws:sqs:${region}:${account}:console-later`;
    await aws('AWSEvents.PutTargets', {
      Rule: 'console-dead-letters',
      EventBusName: 'Serverlesspresso',
      Targets: [
        { Id: 'later', Arn: queueArn, DeadLetterConfig: { Arn: `arn:aws:sqs:${region}:${account}:console-dlq` } },
      ],
    });
    await aws('AWSEvents.PutEvents', {
      Entries: [
        { EventBusName: 'Serverlesspresso', Source: 'console.dead-letter', DetailType: 'Console.Letter', Detail: '{}' },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}#/dlq`);
    const letter = page.locator('li[data-letter]', { hasText: 'Console.Letter' });
    await letter.waitFor({ timeout: 30_000 });
    await shot(page, 'console-dead-letters');
    await accessible(page, 'dead letters');
    // The queue the target names now exists, with the policy AWS requires for a rule to send to it:
    // the redrive delivers.
    await aws('AmazonSQS.CreateQueue', {
      QueueName: 'console-later',
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnEquals: { 'aws:SourceArn': RuleArn } },
            },
          ],
        }),
      },
    });
    await letter.getByRole('button', { name: /Redrive/ }).click();
    await page.getByText(/delivered again/).waitFor();
    await until(
      'the redriven letter gone from the page',
      async () => (await page.locator('li[data-letter]', { hasText: 'Console.Letter' }).count()) === 0,
    );
    await shot(page, 'console-dead-letters-redriven');
    await page.close();
  },
  SLOW,
);

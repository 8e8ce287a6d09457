// Stacks deployed from SAM templates through the local cloud's deploy route (what `presso deploy`
// calls): independent, all or nothing, deleted exactly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  DescribeEventBusCommand,
} from '@aws-sdk/client-eventbridge';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '../../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
let cloud: LocalCloud;
let eb: EventBridgeClient;

async function deploy(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.url}/_presso/stacks`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Resolves with the first archived event of this detail-type and order. */
function nextEvent(detailType: string, orderId: string): Promise<EventEnvelope> {
  return new Promise((resolve) => {
    const stop = cloud.events.archive.subscribe(({ event }) => {
      if (event['detail-type'] === detailType && event.detail.orderId === orderId) {
        stop();
        resolve(event);
      }
    });
  });
}

const newOrder = (orderId: string) =>
  new PutEventsCommand({
    Entries: [
      {
        EventBusName: 'TestBus',
        Source: 'awsserverlessda.serverlesspresso',
        DetailType: 'Validator.NewOrder',
        Detail: JSON.stringify({ orderId }),
      },
    ],
  });

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 100_000, log: () => {} });
  eb = new EventBridgeClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
});

afterAll(async () => {
  eb.destroy();
  await cloud.close();
});

describe('stacks', () => {
  it('deploys an app: bus, state machine with DefinitionUri and substitutions, its EventBridgeRule event', async () => {
    const { status, json } = await deploy({ path: fixture('echo-app'), stackName: 'echo' });
    expect(status).toBe(200);
    const stack = json.stack as {
      resources: Array<{ logicalId: string }>;
      notEmulated: Array<{ logicalId: string; type: string }>;
      outputs: Record<string, string>;
    };
    expect(stack.resources.map((r) => r.logicalId)).toEqual(['Bus', 'Echo']);
    expect(stack.notEmulated).toEqual([expect.objectContaining({ logicalId: 'Alerts', type: 'AWS::SNS::Topic' })]);
    expect(stack.outputs.BusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/TestBus');
    expect(stack.outputs.EchoArn).toMatch(/^arn:aws:states:us-east-1:000000000000:stateMachine:Echo-[A-Za-z0-9]{12}$/);

    const answered = nextEvent('Echo.Done', 'o-1');
    await eb.send(newOrder('o-1'));
    const echo = await answered;
    expect(echo.resources).toEqual(expect.arrayContaining([stack.outputs.EchoArn]));
  });

  it('deploys and deletes a second stack while the first keeps working', async () => {
    expect((await deploy({ path: fixture('listener-app'), stackName: 'listener' })).status).toBe(200);
    const heard = nextEvent('Listener.Heard', 'o-2');
    await eb.send(newOrder('o-2'));
    await heard;

    const del = await fetch(`${cloud.url}/_presso/stacks/listener`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const rules = (await eb.send(new ListRulesCommand({ EventBusName: 'TestBus' }))).Rules!.map((r) => r.Name);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatch(/^echo-/);
    const stillAnswered = nextEvent('Echo.Done', 'o-3');
    await eb.send(newOrder('o-3'));
    await stillAnswered;
    expect((await fetch(`${cloud.url}/_presso/stacks/listener`, { method: 'DELETE' })).status).toBe(404);
  });

  it('leaves nothing behind when a stack fails, and names the resource and property', async () => {
    const { status, json } = await deploy({ path: fixture('broken-app') });
    expect(status).toBe(400);
    expect(json.message).toMatch(
      /broken-app\/template\.yaml: Resources\.BadRule\.Properties\.EventPattern: Event pattern is not valid\. Reason: /,
    );
    await expect(eb.send(new DescribeEventBusCommand({ Name: 'BrokenBus' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const listed = (await (await fetch(`${cloud.url}/_presso/stacks`)).json()) as { stacks: Array<{ name: string }> };
    expect(listed.stacks.map((s) => s.name)).toEqual(['echo']);
  });

  it('rejects an unknown parameter override with the template error, deploying nothing', async () => {
    const { status, json } = await deploy({
      path: fixture('echo-app'),
      stackName: 'other',
      parameterOverrides: { Nope: 'x' },
    });
    expect(status).toBe(400);
    expect(json.message).toContain('Nope');
    expect(json.issues).toBeDefined();
  });

  it('redeploys a stack in place with new parameters', async () => {
    expect(
      (await deploy({ path: fixture('echo-app'), stackName: 'echo', parameterOverrides: { BusName: 'TestBus' } })).json
        .stack,
    ).toMatchObject({ status: 'UPDATE_COMPLETE' });
    const answered = nextEvent('Echo.Done', 'o-4');
    await eb.send(newOrder('o-4'));
    await answered;
  });
});

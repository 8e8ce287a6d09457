// The recorded session (archive/session.json): a replayable archive of contract events that tells the
// story the player promises, replayed whole from the real app folder on the local cloud.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { validateEvent } from '@serverlesspresso/catalog';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '@serverlesspresso/local';
import { archiveProblems, checkedArchive } from '../src/archive.js';
import { momentAt } from '../src/replay.js';
import { playerDir } from './app.js';

const session = checkedArchive(JSON.parse(readFileSync(new URL('../archive/session.json', import.meta.url), 'utf8')));
const events = session.events.map((e) => e.event);
const ofType = (detailType: string) => events.filter((e) => e['detail-type'] === detailType);

describe('the recorded session', () => {
  it('is a replayable archive in which every event validates against the contract', () => {
    expect(archiveProblems(session)).toEqual([]);
    for (const event of events) expect({ type: event['detail-type'], errors: validateEvent(event).errors }).toEqual({ type: event['detail-type'], errors: [] });
  });

  it('is about 15 minutes at one bar with a few dozen orders: completed, cancelled, timed out, refused, the store briefly closed', () => {
    expect(session.durationMs).toBeGreaterThanOrEqual(15 * 60_000);
    expect(session.durationMs).toBeLessThan(17 * 60_000);
    expect(new Set(events.map((e) => e.detail.eventId ?? (e.detail.bucket as { eventId: string }).eventId))).toEqual(new Set(['NYC']));
    expect(ofType('Validator.NewOrder').length).toBeGreaterThanOrEqual(24);
    expect(ofType('OrderManager.OrderNYC-COMPLETED').length).toBeGreaterThanOrEqual(12);
    const cancelled = ofType('OrderManager.OrderNYC-CANCELLED').map((e) => e.detail.reason === 'timeout' ? `timeout:${String(e.detail.timeoutCause)}` : e.detail.reason);
    expect(new Set(cancelled)).toEqual(new Set(['customer', 'barista', 'timeout:customer', 'timeout:barista']));
    expect(ofType('OrderProcessor.ShopUnavailable').length).toBeGreaterThan(0);
    expect(ofType('ConfigService.ConfigChanged').map((e) => e.detail.storeOpen)).toEqual([true, false, true]);
  });
});

describe('replaying it from the app folder', () => {
  let cloud: LocalCloud;
  let sfn: SFNClient;
  const heard: EventEnvelope[] = [];
  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
    cloud.events.archive.subscribe(({ bus, event }) => void (bus === 'Serverlesspresso' && heard.push(event)));
    sfn = new SFNClient({ endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });
  afterAll(async () => {
    sfn.destroy();
    await cloud.close();
  });

  it('puts every event in order, within Step Functions\' history limit', async () => {
    const stack = await cloud.stacks.deploy({ path: playerDir, stackName: 'EventPlayer', parameterOverrides: { CreateBus: 'true' } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: stack.outputs.EventPlayerStateMachineArn, input: '{}' }));
    await cloud.states.engine.waitForExecution(executionArn!);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(execution.output!)).toEqual({ events: events.length, sent: events.length, failed: 0, speed: 1 });
    // As recorded, apart from the marker.
    expect(heard.map((e) => [e['detail-type'], e.detail])).toEqual(events.map((e) => [e['detail-type'], e['detail-type'] === 'ConfigService.ConfigChanged' ? e.detail : { ...e.detail, replay: executionArn }]));

    let moments = 0;
    for (let cursor = 0; cursor < events.length; moments++) cursor = (momentAt(session, cursor, { speed: 1 }, { bus: 'Serverlesspresso' }) as { next: number }).next;
    let historyEvents = 0;
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      historyEvents += page.events!.length;
      nextToken = page.nextToken;
    } while (nextToken);
    // 14 per moment, as archive.ts counts them for its limit, and 13 for the start and the end.
    expect(historyEvents).toBe(14 * moments + 13);
    expect(historyEvents).toBeLessThan(25_000);
  });
});

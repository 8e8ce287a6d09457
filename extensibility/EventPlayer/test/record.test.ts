// The recorder end to end, shortened: the core and the OrderRobot on the local cloud at the
// recorder's speed, a seeded one-minute session of people through the core's routes and a robot run
// through the bus, captured into an archive the player could replay.
import { describe, expect, it } from '@jest/globals';
import { validateEvent } from '@serverlesspresso/catalog';
import { archiveProblems } from '../src/archive.js';
import { archiveText, record } from '../recorder/record.js';

describe('the recorder', () => {
  it('records a short seeded session into a valid archive: every event of the contract, oldest first, the whole story of an order', async () => {
    const { archive, outcome } = await record({ speed: 20, seed: 8, minutes: 1 });
    expect(archiveProblems(archive)).toEqual([]);
    expect(archive.recording).toMatchObject({ speed: 20, seed: 8, minutes: 1 });
    expect(archive.events.length).toBeGreaterThan(0);
    for (const { event } of archive.events)
      expect({ type: event['detail-type'], errors: validateEvent(event).errors }).toEqual({
        type: event['detail-type'],
        errors: [],
      });
    // Gaps are never negative: offsets start at 0 or later and never go back.
    const offsets = archive.events.map((e) => e.offsetMs);
    expect(offsets[0]).toBeGreaterThanOrEqual(0);
    offsets.slice(1).forEach((offset, i) => expect(offset).toBeGreaterThanOrEqual(offsets[i]!));
    expect(archive.durationMs).toBeGreaterThanOrEqual(Math.max(60_000, offsets.at(-1)!));

    const types = new Set(archive.events.map((e) => e.event['detail-type']));
    // The admin opens, closes and reopens the store; people order through the routes, baristas make
    // and end their orders; a robot customer scans and orders through the bus, the robot barista answers.
    expect([...types]).toEqual(
      expect.arrayContaining([
        'ConfigService.ConfigChanged',
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'OrderProcessor.WaitingCompletion',
        'OrderManager.WaitingCompletion',
        'OrderManager.MakeOrder',
        'OrderProcessor.orderFinished',
        'ProducerRobot.FulfillOrder',
        'OrderRobot.FulfillOrder',
      ]),
    );
    expect([...types].some((t) => /^OrderManager\.OrderNYC-(COMPLETED|CANCELLED)$/.test(t))).toBe(true);
    expect(
      archive.events
        .filter((e) => e.event['detail-type'] === 'ConfigService.ConfigChanged')
        .map((e) => e.event.detail.storeOpen),
    ).toEqual([true, false, true]);
    expect(outcome.customers).toBeGreaterThanOrEqual(3);
    expect(outcome.robots?.orderIds).toHaveLength(1);

    // The file format round-trips.
    expect(JSON.parse(archiveText(archive))).toEqual(archive);
  }, 120_000);
});

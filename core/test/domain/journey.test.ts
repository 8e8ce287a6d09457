import { describe, expect, it } from '@jest/globals';
import { contract } from '@serverlesspresso/catalog';
import {
  buildJourney,
  escapeHtml,
  formatElapsed,
  renderJourneyHtml,
  stepLabel,
  type StoredEnvelope,
} from '../../src/domain/journey.js';

const ORDER = 'order-1';
let n = 0;
const envelope = (
  detailType: string,
  time: string,
  detail: Record<string, unknown> = {},
  id = `e${++n}`,
): StoredEnvelope => ({
  id,
  'detail-type': detailType,
  time,
  detail: { orderId: ORDER, userId: 'alice', eventId: 'NYC', Message: `${detailType} message`, ...detail },
});

describe('buildJourney', () => {
  it('sorts by time, then by lifecycle step within the same second, then as given', () => {
    const journey = buildJourney(ORDER, [
      envelope('OrderManager.OrderNYC-COMPLETED', '2026-11-21T12:56:00Z'),
      envelope('OrderProcessor.orderFinished', '2026-11-21T12:56:00Z'),
      envelope('Extension.Note', '2026-11-21T12:52:21Z', { Message: 'first note' }),
      envelope('OrderProcessor.WorkflowStarted', '2026-11-21T12:52:21Z'),
      envelope('Validator.NewOrder', '2026-11-21T12:52:21Z', { eventId: undefined, bucket: { eventId: 'NYC' } }),
      envelope('Extension.Note', '2026-11-21T12:52:21Z', { Message: 'second note' }),
      envelope('OrderManager.WaitingCompletion', '2026-11-21T12:53:30Z', {
        orderNumber: '112',
        drinkOrder: { drink: 'Flat White' },
      }),
    ]);
    expect(journey.steps.map((s) => [s.seq, s.label, s.message])).toEqual([
      [1, 'QR code scanned', 'Validator.NewOrder message'],
      [2, 'Order workflow started', 'OrderProcessor.WorkflowStarted message'],
      [3, 'Note', 'first note'],
      [4, 'Note', 'second note'],
      [5, 'In the barista queue', 'OrderManager.WaitingCompletion message'],
      [6, 'Completed', 'OrderManager.OrderNYC-COMPLETED message'],
      [7, 'Workflow finished', 'OrderProcessor.orderFinished message'],
    ]);
    expect(journey.steps.map((s) => s.elapsedMs)).toEqual([0, 0, 0, 0, 69_000, 219_000, 219_000]);
    expect(journey).toMatchObject({
      orderId: ORDER,
      eventId: 'NYC',
      orderNumber: '112',
      drink: 'Flat White',
      outcome: 'completed',
    });
  });

  it('keeps only this order, each envelope once (redeliveries are stored twice)', () => {
    const twice = envelope('OrderManager.MakeOrder', '2026-11-21T12:54:00Z', {}, 'same-id');
    const journey = buildJourney(ORDER, [
      twice,
      { ...twice },
      envelope('OrderManager.MakeOrder', '2026-11-21T12:54:00Z', { orderId: 'order-2' }),
    ]);
    expect(journey.steps.map((s) => s.envelopeId)).toEqual(['same-id']);
  });

  it('puts steps with an unreadable time last, without elapsed time', () => {
    const journey = buildJourney(ORDER, [
      envelope('OrderProcessor.orderFinished', 'yesterday'),
      envelope('Validator.NewOrder', '2026-11-21T12:52:21Z'),
    ]);
    expect(journey.steps.map((s) => [s.label, s.at, s.elapsedMs])).toEqual([
      ['QR code scanned', Date.UTC(2026, 10, 21, 12, 52, 21), 0],
      ['Workflow finished', undefined, undefined],
    ]);
  });

  it('tells the outcome', () => {
    const at = '2026-11-21T12:52:21Z';
    expect(buildJourney(ORDER, [envelope('Validator.NewOrder', at)]).outcome).toBe('in progress');
    expect(buildJourney(ORDER, [envelope('OrderManager.OrderNYC-CANCELLED', at)]).outcome).toBe('cancelled');
    expect(buildJourney(ORDER, [envelope('OrderProcessor.OrderTimeOut', at)]).outcome).toBe('cancelled');
    expect(buildJourney(ORDER, [envelope('OrderProcessor.ShopUnavailable', at)]).outcome).toBe('refused');
    expect(buildJourney(ORDER, []).steps).toEqual([]);
  });

  it("orders the contract's examples (all in the same second) along the lifecycle", () => {
    const journey = buildJourney(
      'd6e373b5-709c-40b0-a614-80d9a07276fc',
      contract.map((e) => e.example as StoredEnvelope),
    );
    expect(journey.steps.map((s) => s.label)).toEqual([
      'QR code scanned',
      'Store unavailable',
      'Order workflow started',
      'Drink ordered',
      'Order numbered',
      'In the barista queue',
      'Barista making the drink',
      'Robot barista finished',
      'Timed out',
      'Order failed',
      'Completed',
      'Cancelled',
      'Workflow finished',
    ]);
    expect(journey).toMatchObject({ eventId: 'NYC', orderNumber: '112', drink: 'Flat White' });
  });
});

describe('stepLabel', () => {
  it('labels the family by its suffix and unknown events by their name after the dot', () => {
    expect(stepLabel('OrderManager.OrderLDN-CANCELLED')).toBe('Cancelled');
    expect(stepLabel('WaitTimes.Estimate')).toBe('Estimate');
    expect(stepLabel('Plain')).toBe('Plain');
  });
});

describe('renderJourneyHtml', () => {
  const at = '2026-11-21T12:52:21Z';
  const hostile = '<script>alert("x")</script>';

  it('renders a complete page with the timeline', () => {
    const html = renderJourneyHtml(
      buildJourney(ORDER, [
        envelope('Validator.NewOrder', at),
        envelope('OrderManager.WaitingCompletion', '2026-11-21T12:53:26Z', {
          orderNumber: '112',
          drinkOrder: { drink: 'Flat White' },
        }),
      ]),
    );
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<title>Order 112 · Serverlesspresso order journey</title>');
    expect(html).toContain('<dt>Drink</dt><dd>Flat White</dd>');
    expect(html).toContain('<dt>Outcome</dt><dd>In progress</dd>');
    expect(html).toContain(
      '<li><h2>QR code scanned</h2><div class="when"><time datetime="2026-11-21T12:52:21.000Z">12:52:21 UTC</time> <span class="elapsed">+0s</span></div>',
    );
    expect(html).toContain('<span class="elapsed">+1m 05s</span>');
    expect(html).not.toContain('<script');
  });

  it('escapes every value that comes from events', () => {
    const html = renderJourneyHtml(
      buildJourney(hostile, [
        {
          id: 'x',
          'detail-type': `Evil.${hostile}`,
          time: `<b>${at}`,
          detail: {
            orderId: hostile,
            eventId: `"'><img src=x onerror=alert(1)>`,
            orderNumber: hostile,
            Message: hostile,
            drinkOrder: { drink: '<i>Latte</i>' },
          },
        },
      ]),
    );
    expect(html).not.toMatch(/<script|<img|<i>|<b>/);
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).toContain('&#34;&#39;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;b&#62;2026-11-21T12:52:21Z');
  });

  it('says so when nothing is recorded yet', () => {
    const html = renderJourneyHtml(buildJourney(ORDER, []));
    expect(html).toContain('<p>No events have been recorded for this order yet.</p>');
    expect(html).toContain('<title>Order order-1 · Serverlesspresso order journey</title>');
    expect(html).not.toContain('<dt>Drink</dt>');
  });
});

describe('escapeHtml and formatElapsed', () => {
  it('escape the five special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });

  it('format elapsed times', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(59_400)).toBe('59s');
    expect(formatElapsed(65_000)).toBe('1m 05s');
    expect(formatElapsed(15 * 60_000)).toBe('15m 00s');
  });
});

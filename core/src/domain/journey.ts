// The order journey: every bus event of one order, in order, with a label per step, and a
// self-contained HTML page of it (no scripts, no external assets; every value escaped).
import { nonEmptyString as str } from './values.js';

/** An envelope as stored by the journey recorder (EventBridge's envelope; only these fields are read). */
export interface StoredEnvelope {
  id: string;
  'detail-type': string;
  /** ISO 8601, as EventBridge writes it (second precision). */
  time: string;
  detail: Record<string, unknown>;
}

export interface JourneyStep {
  /** 1-based position in the timeline. */
  seq: number;
  /** The envelope's id. */
  envelopeId: string;
  detailType: string;
  label: string;
  /** The envelope's time as stored. */
  time: string;
  /** Epoch ms, undefined when time is not a valid date (such steps go last). */
  at: number | undefined;
  /** Since the first step, when both times are known. */
  elapsedMs: number | undefined;
  message: string | undefined;
}

export type JourneyOutcome = 'completed' | 'cancelled' | 'refused' | 'failed' | 'in progress';

export interface Journey {
  orderId: string;
  eventId: string | undefined;
  orderNumber: string | undefined;
  drink: string | undefined;
  outcome: JourneyOutcome;
  steps: JourneyStep[];
}

// The lifecycle order of the contract's events: EventBridge times have one-second precision, so
// several steps often share a time and need a meaningful tie-break.
const STEPS: { match: (detailType: string) => boolean; label: string }[] = [
  { match: (t) => t === 'Validator.NewOrder', label: 'QR code scanned' },
  { match: (t) => t === 'OrderProcessor.ShopUnavailable', label: 'Store unavailable' },
  { match: (t) => t === 'OrderProcessor.WorkflowStarted', label: 'Order workflow started' },
  { match: (t) => t === 'ProducerRobot.FulfillOrder', label: 'Drink ordered' },
  { match: (t) => t === 'OrderProcessor.WaitingCompletion', label: 'Order numbered' },
  { match: (t) => t === 'OrderManager.WaitingCompletion', label: 'In the barista queue' },
  { match: (t) => t === 'OrderManager.MakeOrder', label: 'Barista making the drink' },
  { match: (t) => t === 'OrderRobot.FulfillOrder', label: 'Robot barista finished' },
  { match: (t) => t === 'OrderProcessor.OrderTimeOut', label: 'Timed out' },
  { match: (t) => t === 'OrderProcessor.OrderFailed', label: 'Order failed' },
  { match: (t) => /^OrderManager\.Order.+-COMPLETED$/.test(t), label: 'Completed' },
  { match: (t) => /^OrderManager\.Order.+-CANCELLED$/.test(t), label: 'Cancelled' },
  { match: (t) => t === 'OrderProcessor.orderFinished', label: 'Workflow finished' },
];
// Unknown detail-types (extensions) sort after known ones of the same second.
const UNKNOWN_RANK = STEPS.length;

function rankOf(detailType: string): number {
  const i = STEPS.findIndex((s) => s.match(detailType));
  return i === -1 ? UNKNOWN_RANK : i;
}

/** The label of a detail-type; for one the contract does not know, the part after its first dot (as the original). */
export function stepLabel(detailType: string): string {
  const known = STEPS.find((s) => s.match(detailType));
  if (known) return known.label;
  const dot = detailType.indexOf('.');
  return dot === -1 ? detailType : detailType.slice(dot + 1);
}

/**
 * The timeline of one order: its envelopes (others are ignored), each envelope id once (the recorder
 * may store a redelivered event twice), sorted by time, then lifecycle step, then the order given.
 */
export function buildJourney(orderId: string, envelopes: readonly StoredEnvelope[]): Journey {
  const seen = new Set<string>();
  const mine = envelopes
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => {
      if (e.detail?.orderId !== orderId || seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    })
    .map(({ e, index }) => {
      const ms = Date.parse(e.time);
      return { e, index, at: Number.isNaN(ms) ? undefined : ms, rank: rankOf(e['detail-type']) };
    })
    .sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity) || a.rank - b.rank || a.index - b.index);

  const start = mine.find((m) => m.at !== undefined)?.at;
  const steps: JourneyStep[] = mine.map(({ e, at }, i) => ({
    seq: i + 1,
    envelopeId: e.id,
    detailType: e['detail-type'],
    label: stepLabel(e['detail-type']),
    time: e.time,
    at,
    elapsedMs: at !== undefined && start !== undefined ? at - start : undefined,
    message: str(e.detail.Message),
  }));

  const details = mine.map(({ e }) => e.detail);
  const first = <T>(pick: (d: Record<string, unknown>) => T | undefined): T | undefined =>
    details.map(pick).find((v) => v !== undefined);
  const drinkOf = (d: Record<string, unknown>): string | undefined => {
    const order = (d.drinkOrder ?? d.body) as Record<string, unknown> | undefined;
    return typeof order === 'object' && order !== null ? str(order.drink) : undefined;
  };
  return {
    orderId,
    eventId: first((d) => str(d.eventId) ?? str((d.bucket as Record<string, unknown> | undefined)?.eventId)),
    orderNumber: first((d) => str(d.orderNumber)),
    drink: first(drinkOf),
    outcome: outcomeOf(steps.map((s) => s.detailType)),
    steps,
  };
}

function outcomeOf(detailTypes: readonly string[]): JourneyOutcome {
  if (detailTypes.some((t) => /-COMPLETED$/.test(t) && t.startsWith('OrderManager.Order'))) return 'completed';
  if (
    detailTypes.some(
      (t) => (/-CANCELLED$/.test(t) && t.startsWith('OrderManager.Order')) || t === 'OrderProcessor.OrderTimeOut',
    )
  )
    return 'cancelled';
  if (detailTypes.includes('OrderProcessor.ShopUnavailable')) return 'refused';
  if (detailTypes.includes('OrderProcessor.OrderFailed')) return 'failed';
  return 'in progress';
}

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "1m 05s" style, for the time since the first step. */
export function formatElapsed(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

const OUTCOME_TEXT: Record<JourneyOutcome, string> = {
  completed: 'Completed',
  cancelled: 'Cancelled',
  refused: 'Refused: the store was unavailable',
  failed: 'Failed: the order was stopped and its place given back',
  'in progress': 'In progress',
};

/** A complete HTML page of a journey. Every value from events is escaped: messages come from extensions too. */
export function renderJourneyHtml(journey: Journey): string {
  const title = journey.orderNumber ? `Order ${journey.orderNumber}` : `Order ${journey.orderId}`;
  const facts = [
    ['Order', journey.orderId],
    ['Event', journey.eventId],
    ['Number', journey.orderNumber],
    ['Drink', journey.drink],
    ['Outcome', OUTCOME_TEXT[journey.outcome]],
  ]
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const steps = journey.steps
    .map((s) => {
      const when =
        s.at === undefined
          ? escapeHtml(s.time)
          : `<time datetime="${escapeHtml(new Date(s.at).toISOString())}">${escapeHtml(new Date(s.at).toISOString().slice(11, 19))} UTC</time>`;
      const elapsed =
        s.elapsedMs === undefined ? '' : ` <span class="elapsed">+${escapeHtml(formatElapsed(s.elapsedMs))}</span>`;
      const message = s.message === undefined ? '' : `<p>${escapeHtml(s.message)}</p>`;
      return `<li><h2>${escapeHtml(s.label)}</h2><div class="when">${when}${elapsed}</div>${message}<code>${escapeHtml(s.detailType)}</code></li>`;
    })
    .join('\n');
  const body =
    journey.steps.length === 0
      ? '<p>No events have been recorded for this order yet.</p>'
      : `<ol class="timeline">\n${steps}\n</ol>`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · Serverlesspresso order journey</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#222}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}.timeline{list-style:none;padding:0;border-left:3px solid #f90}.timeline li{margin:0 0 1rem;padding-left:1rem}.timeline h2{font-size:1.1rem;margin:0}.when{color:#666;font-size:.9rem}.elapsed{margin-left:.5rem}code{font-size:.8rem;color:#555}</style>',
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<dl>${facts}</dl>`,
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// Event pattern engine benchmark: 100 realistic rules of the coffee bar bus, every event matched
// against all of them, on one core. Run: npx tsx extensibility/local/bench/pattern.bench.ts
// Prints events/s (one event against all 100 rules) and rule evaluations/s. Bounded to a few seconds.

import { performance } from 'node:perf_hooks';
import { compilePattern, type CompiledPattern } from '../src/services/events/pattern/index.js';

const SOURCE = 'awsserverlessda.serverlesspresso';
const EVENT_IDS = ['NYC', 'LDN', 'SEA', 'BER', 'SYD', 'TOK', 'PAR', 'MAD', 'AMS', 'DUB'];
const DRINKS = ['Latte', 'Flat White', 'Espresso', 'Cappuccino', 'Mocha', 'Americano'];
const MILKS = ['Whole', 'Skim', 'Oat', 'Soy'];
const DETAIL_TYPES = [
  'Validator.NewOrder',
  'OrderProcessor.WorkflowStarted',
  'OrderProcessor.WaitingCompletion',
  'OrderProcessor.OrderTimeOut',
  'OrderManager.WaitingCompletion',
  'OrderManager.MakeOrder',
  'ConfigService.ConfigChanged',
];

/** 100 rules in the shapes the bar's services use: exact routing plus content filters. */
function buildRules(): object[] {
  const rules: object[] = [];
  // The original Serverlesspresso routing rules: source + detail-type.
  for (const detailType of DETAIL_TYPES) rules.push({ source: [SOURCE], 'detail-type': [detailType] });
  for (const eventId of EVENT_IDS) {
    // Per-store completion and cancellation (the OrderManager.Order{eventId}-STATE family).
    rules.push({ source: [SOURCE], 'detail-type': [`OrderManager.Order${eventId}-COMPLETED`] });
    rules.push({ source: [SOURCE], 'detail-type': [{ wildcard: `OrderManager.Order${eventId}-*` }] });
    // A store's new orders, one drink family, not from the test robot.
    rules.push({
      source: [SOURCE],
      'detail-type': ['Validator.NewOrder'],
      detail: {
        eventId: [eventId],
        userId: [{ 'anything-but': ['robot', 'load-test'] }],
        drinkOrder: { drink: [{ prefix: 'La' }, 'Mocha'] },
      },
    });
    // Orders placed in a time window (TS in epoch milliseconds).
    rules.push({
      source: [SOURCE],
      'detail-type': [{ prefix: 'OrderProcessor.' }],
      detail: { eventId: [eventId], TS: [{ numeric: ['>=', 1_790_000_000_000, '<', 1_800_000_000_000] }] },
    });
    // Orders waiting on a barista: a task token is there, an order number too, or the order timed out.
    rules.push({
      source: [SOURCE],
      detail: {
        eventId: [{ 'equals-ignore-case': eventId.toLowerCase() }],
        $or: [
          { TaskToken: [{ exists: true }], orderNumber: [{ exists: true }] },
          { Message: [{ wildcard: '*timed out*' }] },
        ],
      },
    });
    // Oat-milk drinks of a store (modifiers is an array of objects).
    rules.push({
      source: [SOURCE],
      detail: { eventId: [eventId], drinkOrder: { modifiers: { Name: ['Milk'], Option: ['Oat'] } } },
    });
    // Anything of a store except configuration changes.
    rules.push({
      source: [SOURCE],
      'detail-type': [{ 'anything-but': { prefix: 'ConfigService.' } }],
      detail: { eventId: [eventId] },
    });
    // Big orders, or drinks by name regardless of case.
    rules.push({
      source: [SOURCE],
      detail: {
        eventId: [eventId],
        $or: [
          { quantity: [{ numeric: ['>', 3] }] },
          { drinkOrder: { drink: [{ 'equals-ignore-case': 'flat white' }] } },
        ],
      },
    });
    // Orders scanned from the store's network.
    rules.push({
      source: [SOURCE],
      'detail-type': ['Validator.NewOrder'],
      detail: { eventId: [eventId], sourceIp: [{ cidr: '10.20.0.0/16' }] },
    });
  }
  // Audit rules: any order id of a given shape, or missing user.
  rules.push({ source: [SOURCE], detail: { orderId: [{ wildcard: '*-4*-*' }] } });
  rules.push({ source: [SOURCE], detail: { userId: [{ exists: false }] } });
  rules.push({ source: [{ prefix: 'awsserverlessda.' }], 'detail-type': [{ suffix: '-CANCELLED' }] });
  return rules.slice(0, 100);
}

function buildEvents(count: number): object[] {
  const events: object[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = EVENT_IDS[i % EVENT_IDS.length] as string;
    const drink = DRINKS[i % DRINKS.length] as string;
    const kind = i % 9;
    const detailType =
      kind < DETAIL_TYPES.length
        ? (DETAIL_TYPES[kind] as string)
        : `OrderManager.Order${eventId}-${kind === 7 ? 'COMPLETED' : 'CANCELLED'}`;
    events.push({
      version: '0',
      id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      'detail-type': detailType,
      source: SOURCE,
      account: '123456789012',
      time: '2026-11-21T12:52:21Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        orderId: `d6e373b5-709c-40b0-a614-${String(i).padStart(12, '0')}`,
        userId: i % 5 === 0 ? 'robot' : `user-${i % 37}`,
        eventId,
        TS: 1_795_000_000_000 + i * 1000,
        orderNumber: String(100 + (i % 900)),
        ...(i % 2 === 0 ? { TaskToken: 'AQCUAAAAKgAAAAMAAAAAAAAAASaVwQCbjNxQOMN3' } : {}),
        sourceIp: `10.20.${i % 256}.${(i * 7) % 256}`,
        quantity: 1 + (i % 5),
        drinkOrder: {
          drink,
          modifiers: [
            { Name: 'Milk', Option: MILKS[i % MILKS.length] as string },
            { Name: 'Sugar', Option: String(i % 3) },
          ],
        },
        Message: i % 11 === 0 ? 'The order timed out.' : 'Your order has a number; the barista has it.',
      },
    });
  }
  return events;
}

function run(
  rules: readonly CompiledPattern[],
  events: readonly object[],
  seconds: number,
): { events: number; ms: number; matches: number } {
  let done = 0;
  let matches = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (const event of events) {
      for (const rule of rules) if (rule.matches(event)) matches++;
    }
    done += events.length;
  }
  return { events: done, ms: performance.now() - start, matches };
}

const ruleJson = buildRules().map((rule) => JSON.stringify(rule));
const compileStart = performance.now();
const rules = ruleJson.map(compilePattern);
const compileMs = performance.now() - compileStart;
// As PutEvents hands them over: parsed from JSON.
const events = buildEvents(1000).map((event) => JSON.parse(JSON.stringify(event)) as object);

run(rules, events, 0.5); // warm-up
const { events: matched, ms, matches } = run(rules, events, 3);
const perSecond = (matched / ms) * 1000;
const format = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(`rules: ${rules.length} (compiled in ${compileMs.toFixed(1)} ms), distinct events: ${events.length}`);
console.log(
  `matched ${format(matched)} events in ${(ms / 1000).toFixed(2)} s, ${(matches / matched).toFixed(2)} rules matched per event`,
);
console.log(`events/s (each against all ${rules.length} rules): ${format(perSecond)}`);
console.log(`rule evaluations/s: ${format(perSecond * rules.length)}`);

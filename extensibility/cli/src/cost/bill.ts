// The AWS bill of the work the local cloud counted (GET /_presso/usage): per service, for the run
// and per 1,000 orders, from the dated price table. Pure: usage and prices in, a bill out.
import type { Usage } from '@serverlesspresso/local';
import { PRICES, type PriceTable } from './prices.js';

export interface BillLine {
  service: string;
  /** What was counted, in the service's billing units. */
  usage: string;
  /** USD for the run. */
  cost: number;
  /** USD per 1,000 orders, when orders were counted. */
  per1000Orders?: number;
  /** The resources that cost most (Lambda: functions), most first, at most three. */
  top?: Array<{ name: string; cost: number }>;
}

export interface Bill {
  since: string;
  region: string;
  pricesAsOf: string;
  orders: number;
  /** Where the order count comes from. */
  ordersFrom: string;
  lines: BillLine[];
  total: number;
  per1000Orders?: number;
  /** The service with the largest share, and its share of the total (0..1). */
  dominant?: { service: string; share: number };
  /** Monthly free tiers, not deducted. */
  freeTiers: string[];
  sources: string[];
}

/** The detail-type of an order's first event: the QR validator's, one per order. */
export const ORDER_DETAIL_TYPE = 'Validator.NewOrder';

/** True when the run counted no billable work at all (a bill of zeros would mislead). */
export function isEmptyUsage(u: Usage): boolean {
  const tables = Object.values(u.dynamodb.tables);
  return (
    u.lambda.every((f) => f.invocations === 0) &&
    u.states.standard.executions + u.states.express.executions === 0 &&
    u.events.put === 0 &&
    tables.every((t) => t.readRequestUnits + t.writeRequestUnits === 0) &&
    u.apis.http + u.apis.rest === 0 &&
    u.appsync.published + u.appsync.delivered === 0 &&
    u.sqs.requests === 0 &&
    u.cognito.activeUsers === 0
  );
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const amount = (n: number) =>
  Number.isInteger(n) ? count(n) : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function billOf(u: Usage, options: { orders?: number } = {}, prices: PriceTable = PRICES): Bill {
  const counted = u.events.detailTypes[ORDER_DETAIL_TYPE] ?? 0;
  const orders = options.orders ?? counted;
  const ordersFrom = options.orders !== undefined ? '--orders' : `${ORDER_DETAIL_TYPE} events put (${count(counted)})`;
  const p = prices;
  const lines: BillLine[] = [];

  const requests = u.lambda.reduce((s, f) => s + f.invocations, 0);
  const gbSeconds = { x86_64: 0, arm64: 0 };
  for (const f of u.lambda) gbSeconds[f.architecture] += (f.billedMs / 1000) * (f.memoryMb / 1024);
  const fnCost = (f: Usage['lambda'][number]) =>
    (f.invocations / 1e6) * p.lambda.perMillionRequests +
    (f.billedMs / 1000) * (f.memoryMb / 1024) * p.lambda.perGbSecond[f.architecture];
  const top = u.lambda
    .map((f) => ({ name: f.name, cost: fnCost(f) }))
    .filter((f) => f.cost > 0)
    .sort((a, b) => b.cost - a.cost)
    .slice(0, 3);
  lines.push({
    service: 'Lambda',
    ...(top.length ? { top } : {}),
    usage: `${count(requests)} requests, ${amount(gbSeconds.arm64)} GB-s arm64, ${amount(gbSeconds.x86_64)} GB-s x86_64`,
    cost:
      (requests / 1e6) * p.lambda.perMillionRequests +
      gbSeconds.arm64 * p.lambda.perGbSecond.arm64 +
      gbSeconds.x86_64 * p.lambda.perGbSecond.x86_64,
  });

  const { standard, express } = u.states;
  const expressGbSeconds = (express.durationMs / 1000) * (p.stepFunctions.expressMemoryMb / 1024);
  lines.push({
    service: 'Step Functions',
    usage: `${count(standard.transitions)} standard transitions, ${count(express.executions)} express requests, ${amount(expressGbSeconds)} express GB-s`,
    cost:
      standard.transitions * p.stepFunctions.standardPerTransition +
      (express.executions / 1e6) * p.stepFunctions.expressPerMillionRequests +
      expressGbSeconds * p.stepFunctions.expressPerGbSecond,
  });

  lines.push({
    service: 'EventBridge',
    usage: `${count(u.events.put)} custom events (rule matches and deliveries free)`,
    cost: (u.events.put / 1e6) * p.eventBridge.perMillionCustomEvents,
  });

  const tables = Object.values(u.dynamodb.tables);
  const rru = tables.reduce((s, t) => s + t.readRequestUnits, 0);
  const wru = tables.reduce((s, t) => s + t.writeRequestUnits, 0);
  lines.push({
    service: 'DynamoDB',
    usage: `${amount(rru)} read request units, ${amount(wru)} write request units (on-demand)`,
    cost: (rru / 1e6) * p.dynamoDb.perMillionReadRequestUnits + (wru / 1e6) * p.dynamoDb.perMillionWriteRequestUnits,
  });

  lines.push({
    service: 'API Gateway',
    usage: `${count(u.apis.http)} HTTP API requests${u.apis.rest ? `, ${count(u.apis.rest)} REST API requests` : ''}`,
    cost:
      (u.apis.http / 1e6) * p.apiGateway.httpPerMillionRequests +
      (u.apis.rest / 1e6) * p.apiGateway.restPerMillionRequests,
  });

  const operations = u.appsync.published + u.appsync.delivered;
  const connectionMinutes = u.appsync.connectionMs / 60_000;
  lines.push({
    service: 'AppSync Events',
    usage: `${count(operations)} operations (published and delivered), ${amount(connectionMinutes)} connection minutes`,
    cost:
      (operations / 1e6) * p.appSyncEvents.perMillionOperations +
      (connectionMinutes / 1e6) * p.appSyncEvents.perMillionConnectionMinutes,
  });

  lines.push({
    service: 'SQS',
    usage: `${count(u.sqs.requests)} requests`,
    cost: (u.sqs.requests / 1e6) * p.sqs.perMillionRequests,
  });

  lines.push({
    service: 'Cognito',
    usage: `${count(u.cognito.activeUsers)} active users (billed monthly)`,
    cost: u.cognito.activeUsers * p.cognito.perMonthlyActiveUser,
  });

  const total = lines.reduce((s, l) => s + l.cost, 0);
  if (orders > 0) for (const line of lines) line.per1000Orders = (line.cost / orders) * 1000;
  const largest = [...lines].sort((a, b) => b.cost - a.cost)[0];
  return {
    since: u.since,
    region: p.region,
    pricesAsOf: p.asOf,
    orders,
    ordersFrom,
    lines,
    total,
    ...(orders > 0 ? { per1000Orders: (total / orders) * 1000 } : {}),
    ...(largest && total > 0 ? { dominant: { service: largest.service, share: largest.cost / total } } : {}),
    freeTiers: [
      `Lambda: ${count(p.lambda.freeTier.requests)} requests and ${count(p.lambda.freeTier.gbSeconds)} GB-s a month`,
      `Step Functions: ${count(p.stepFunctions.freeTier.standardTransitions)} standard transitions a month`,
      `API Gateway: ${count(p.apiGateway.freeTier.httpRequests)} HTTP API requests a month (first 12 months)`,
      `AppSync Events: ${count(p.appSyncEvents.freeTier.operations)} operations and ${count(p.appSyncEvents.freeTier.connectionMinutes)} connection minutes a month (first 12 months)`,
      `SQS: ${count(p.sqs.freeTier.requests)} requests a month`,
      `Cognito: ${count(p.cognito.freeTier.monthlyActiveUsers)} monthly active users`,
      'EventBridge custom events and DynamoDB on-demand requests: none',
    ],
    sources: [
      p.lambda.source,
      p.stepFunctions.source,
      p.eventBridge.source,
      p.dynamoDb.source,
      p.apiGateway.source,
      p.appSyncEvents.source,
      p.sqs.source,
      p.cognito.source,
    ],
  };
}

const usd = (n: number, digits: number) => `$${n.toFixed(digits)}`;

/** The bill as a table: per service its usage, the run's cost and the cost per 1,000 orders. */
export function formatBill(bill: Bill): string {
  const per = bill.orders > 0;
  const rows = bill.lines.flatMap((l) => [
    `${l.service.padEnd(16)} ${usd(l.cost, 6).padStart(12)} ${per ? usd(l.per1000Orders!, 4).padStart(14) : ''}  ${l.usage}`,
    ...(l.top ? [`${''.padEnd(16)} most: ${l.top.map((t) => `${t.name} ${usd(t.cost, 6)}`).join(', ')}`] : []),
  ]);
  const out = [
    `AWS bill of the work counted since ${bill.since} (${bill.region}, on-demand prices as of ${bill.pricesAsOf}, free tiers not deducted)`,
    per
      ? `orders: ${count(bill.orders)} (from ${bill.ordersFrom})`
      : `orders: none counted (no ${ORDER_DETAIL_TYPE} event): give --orders N for the cost per 1,000 orders`,
    '',
    `${'service'.padEnd(16)} ${'run'.padStart(12)} ${per ? 'per 1,000 ord.'.padStart(14) : ''}  usage`,
    ...rows,
    `${'total'.padEnd(16)} ${usd(bill.total, 6).padStart(12)} ${per ? usd(bill.per1000Orders!, 4).padStart(14) : ''}`,
    '',
  ];
  if (bill.dominant)
    out.push(`${bill.dominant.service} dominates: ${Math.round(bill.dominant.share * 100)}% of the total.`, '');
  out.push('Free tiers (a month, not deducted above):', ...bill.freeTiers.map((f) => `  ${f}`));
  out.push('Prices:', ...bill.sources.map((s) => `  ${s}`));
  return out.join('\n') + '\n';
}

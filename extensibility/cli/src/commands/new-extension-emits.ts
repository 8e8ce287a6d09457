// presso new-extension <Name> --emits <App>.<Name>: the model's copy made to put one event of the
// contract for each completed order it records. The event declared (the function's Metadata.Emits,
// extension.json's events.produced, the README), the PutEvents permission scoped to it with
// events:source and events:detail-type (the checker's 1.put-events-condition), the bus adapter
// (src/adapters/bus.ts) called by the handler, the SDK client in package.json (`sam build` bundles
// the extension's folder alone), a pure domain function with its unit test, and the emission asserted
// by the extension's test on the local cloud.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contract, EVENT_SOURCE, type ContractEntry } from '@serverlesspresso/catalog';
import { kebab } from './new-extension.js';

/** The contract entry an extension may put as `--emits`, or an Error saying what to do. */
export function emittableEntry(name: string, detailType: string): ContractEntry {
  const entry = contract.find((e) => e.detailType === detailType);
  if (!entry)
    throw new Error(
      `${detailType} is not an event of the contract: add it first with npx presso new-event ${detailType} --owner ${name} (then npm run generate -w @serverlesspresso/catalog is done for you)`,
    );
  if (entry.embeds)
    throw new Error(`${detailType} is a family (it embeds detail.${entry.embeds}): --emits takes one detail-type`);
  if (entry.owner !== name && !entry.alsoPutBy.some((a) => a.app === name))
    throw new Error(
      `${detailType} belongs to ${entry.owner} (its schema's x-owner): an extension puts only its own events; add one with npx presso new-event ${name}.<Name>`,
    );
  return entry;
}

/** The text with `from` replaced by `to`; throws when the model no longer has `from` (the scaffold must follow it). */
function edit(text: string, file: string, from: string, to: string): string {
  if (!text.includes(from))
    throw new Error(`${file} no longer has ${JSON.stringify(from.trim())}: update new-extension-emits.ts to the model`);
  return text.replace(from, to);
}

/** camelCase of the event's name part: LoyaltyCard.RewardEarned -> rewardEarned. */
const camelOf = (detailType: string) => {
  const part = detailType.split('.')[1]!;
  return part[0]!.toLowerCase() + part.slice(1);
};

/** The domain module: the detail built from a completed order, and its PutEvents entry. */
export function domainModule(entry: ContractEntry): string {
  const type = entry.schema.title;
  const camel = camelOf(entry.detailType);
  const props = (entry.schema.properties ?? {}) as Record<string, unknown>;
  const required = (entry.schema.required ?? []) as string[];
  const example = entry.example.detail;
  const fromOrder: Record<string, string> = {
    eventId: 'order.eventId,',
    orderId: 'order.orderId,',
    userId: 'order.userId,',
    idempotencyKey: '`${order.orderId}:${DETAIL_TYPE}`,',
    Message: '`${DETAIL_TYPE} for order ${order.orderId} at ${order.eventId}.`, // TODO: what a customer reads',
  };
  const fields = Object.keys(props)
    .filter((f) => required.includes(f) || f === 'idempotencyKey')
    .map((f) =>
      fromOrder[f]
        ? `    ${f}: ${fromOrder[f]}`
        : `    ${f}: ${JSON.stringify(example[f])}, // TODO: the contract's example value; compute it`,
    );
  return [
    `// What the extension puts on the bus for a completed order: ${entry.detailType} (its schema:`,
    `// extensibility/catalog/schemas/${entry.name}.json). Pure, so it is tested without AWS.`,
    `import type { ${type} } from '@serverlesspresso/catalog';`,
    `import type { CompletedOrder } from './completed-order.js';`,
    '',
    `export const DETAIL_TYPE = '${entry.detailType}';`,
    `export const EVENT_SOURCE = '${EVENT_SOURCE}';`,
    '',
    '/**',
    ` * The detail of ${entry.detailType} for a completed order. EventBridge delivers at least once, so the`,
    ' * same order may arrive twice and this is put twice: the idempotencyKey names the fact (the order and',
    ' * the detail-type, never a clock), so a consumer drops the second; a conditional write of the order',
    ' * (attribute_not_exists) before putting would make it put once.',
    ' */',
    `export function ${camel}Of(order: CompletedOrder): ${type} {`,
    '  return {',
    ...fields,
    '  };',
    '}',
    '',
    '/** The PutEvents entry, for putEvents() of ../adapters/bus.ts. */',
    `export function ${camel}Entry(busName: string, order: CompletedOrder) {`,
    `  return { EventBusName: busName, Source: EVENT_SOURCE, DetailType: DETAIL_TYPE, Detail: JSON.stringify(${camel}Of(order)) };`,
    '}',
    '',
  ].join('\n');
}

function domainTest(entry: ContractEntry, file: string): string {
  const camel = camelOf(entry.detailType);
  return [
    `// ${entry.detailType}, built from a completed order, is an event of the contract.`,
    "import { describe, expect, it } from '@jest/globals';",
    "import { validateEvent } from '@serverlesspresso/catalog';",
    `import { ${camel}Entry, ${camel}Of } from '../../src/domain/${file}.js';`,
    '',
    'const order = {',
    "  eventId: 'NYC',",
    "  orderId: 'order-1',",
    "  userId: 'user-1',",
    "  completedAt: '2026-11-21T12:58:02Z',",
    "  sourceEventId: 'envelope-1',",
    '};',
    '',
    `describe('${camel}Of', () => {`,
    "  it('is valid under the contract', () => {",
    `    const entry = ${camel}Entry('Serverlesspresso', order);`,
    '    const envelope = {',
    "      version: '0',",
    "      id: 'envelope-2',",
    "      'detail-type': entry.DetailType,",
    '      source: entry.Source,',
    "      account: '123456789012',",
    "      time: '2026-11-21T12:58:03Z',",
    "      region: 'us-east-1',",
    '      resources: [],',
    '      detail: JSON.parse(entry.Detail) as unknown,',
    '    };',
    '    expect(validateEvent(envelope).errors).toEqual([]);',
    '  });',
    '',
    "  it('is the same fact for the same order: a redelivery puts the same detail', () => {",
    `    expect(${camel}Of(order)).toEqual(${camel}Of({ ...order, sourceEventId: 'envelope-3' }));`,
    '  });',
    '});',
    '',
  ].join('\n');
}

const HANDLER = (entry: ContractEntry, file: string) => {
  const camel = camelOf(entry.detailType);
  return `// The Lambda: a thin middy adapter from the EventBridge event to one row of the table, then
// ${entry.detailType} on the bus through ../adapters/bus.ts (declared in the template's Metadata.Emits and
// in extension.json, allowed by its PutEvents permission). Recorded first: when the put fails, the
// delivery fails and EventBridge retries it whole, so the event may be put twice, never lost.
import middy from '@middy/core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { putEvents } from '../adapters/bus.js';
import { putCompletedOrder } from '../adapters/completed-orders-table.js';
import { completedOrderOf, type CompletedOrderEvent } from '../domain/completed-order.js';
import { ${camel}Entry } from '../domain/${file}.js';

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('TABLE_NAME is not set: the template passes the table name to the function');
const busName = process.env.EVENT_BUS_NAME;
if (!busName) throw new Error('EVENT_BUS_NAME is not set: the template passes the bus name to the function');
const bus = new EventBridgeClient({});

export const handler = middy<CompletedOrderEvent>().handler(async (event) => {
  const order = completedOrderOf(event);
  await putCompletedOrder(tableName, order);
  await putEvents(bus, [${camel}Entry(busName, order)]);
});
`;
};

const EMISSION_TEST = (
  entry: ContractEntry,
) => `  it('puts ${entry.detailType} for every completed order of the replayed session, valid under the contract', async () => {
    const orders = [
      ...new Set(
        session.events
          .filter((e) => /^OrderManager\\.Order.+-COMPLETED$/.test(e.event['detail-type']))
          .map((e) => String(e.event.detail.orderId)),
      ),
    ];
    const emitted = await until('${entry.detailType} for each completed order', async () => {
      const events = await local.archived({ 'detail-type': ['${entry.detailType}'] });
      return orders.every((id) => events.some((e) => JSON.stringify(e.detail).includes(id))) ? events : undefined;
    });
    expect(emitted.flatMap((e) => validateEvent(e).errors)).toEqual([]);
    expect(emitted.every((e) => e.detail.eventId === 'REPLAY')).toBe(true);
  });

`;

/** Makes the copy in `dir` put `entry`'s event; returns the files it added. */
export function addEmission(dir: string, name: string, entry: ContractEntry): string[] {
  const dt = entry.detailType;
  const file = kebab(dt.split('.')[1]!);
  const at = (f: string) => join(dir, f);
  const rewrite = (f: string, change: (text: string) => string) =>
    writeFileSync(at(f), change(readFileSync(at(f), 'utf8')));

  rewrite('template.yaml', (t) => {
    t = edit(
      t,
      'template.yaml',
      'It only listens to the Serverlesspresso bus.',
      `It listens to the Serverlesspresso bus and puts ${dt} on it.`,
    );
    t = edit(t, 'template.yaml', '      Emits: []\n', `      Emits: [${dt}]\n`);
    t = edit(
      t,
      'template.yaml',
      '          TABLE_NAME: !Ref CompletedOrdersTable\n',
      '          TABLE_NAME: !Ref CompletedOrdersTable\n          EVENT_BUS_NAME: !Ref EventBusName\n',
    );
    return edit(
      t,
      'template.yaml',
      '              Resource: !GetAtt CompletedOrdersTable.Arn\n',
      [
        '              Resource: !GetAtt CompletedOrdersTable.Arn',
        "        # Only this extension's own detail-types (the contract's owner), checked by IAM per entry.",
        '        - Statement:',
        '            - Effect: Allow',
        '              Action: events:PutEvents',
        "              Resource: !Sub 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}'",
        '              Condition:',
        '                StringEquals:',
        `                  events:source: ${EVENT_SOURCE}`,
        `                  events:detail-type: [${dt}]`,
        '',
      ].join('\n'),
    );
  });
  rewrite('extension.json', (t) => {
    const meta = JSON.parse(t) as { events: { produced: string[] } };
    meta.events.produced = [dt];
    return JSON.stringify(meta, null, 2) + '\n';
  });
  rewrite('README.md', (t) =>
    edit(
      t,
      'README.md',
      '| events produced | none |',
      `| events produced | \`${dt}\`, one per completed order it records (at least once: see [PUBLISHING.md](../../PUBLISHING.md#at-least-once-delivery)) |`,
    ),
  );
  rewrite('package.json', (t) => {
    const pkg = JSON.parse(t) as { description: string; dependencies: Record<string, string> };
    pkg.description = `${pkg.description.replace(/\.$/, '')}; puts ${dt} on the bus.`;
    // `sam build` installs the extension's own dependencies: the handler now bundles the EventBridge client.
    pkg.dependencies['@aws-sdk/client-eventbridge'] ??= '^3.1178.0';
    return JSON.stringify(pkg, null, 2) + '\n';
  });
  writeFileSync(at(`src/domain/${file}.ts`), domainModule(entry));
  writeFileSync(at(`test/domain/${file}.test.ts`), domainTest(entry, file));
  writeFileSync(at('src/handlers/record.ts'), HANDLER(entry, file));
  rewrite('test/extension.test.ts', (t) => {
    t = edit(
      t,
      'test/extension.test.ts',
      "import { BUS_NAME, contract, detailTypeOf, type EventEnvelope } from '@serverlesspresso/catalog';",
      "import { BUS_NAME, contract, detailTypeOf, validateEvent, type EventEnvelope } from '@serverlesspresso/catalog';",
    );
    t = edit(
      t,
      'test/extension.test.ts',
      "import { repo, startLocal, type Local } from '@serverlesspresso/testing';",
      "import { repo, startLocal, until, type Local } from '@serverlesspresso/testing';",
    );
    return edit(
      t,
      'test/extension.test.ts',
      "  it('records each completed order once, of every tenant",
      `${EMISSION_TEST(entry)}  it('records each completed order once, of every tenant`,
    );
  });
  if (!existsSync(at('src/adapters/bus.ts')))
    throw new Error('the model has no src/adapters/bus.ts: update new-extension-emits.ts');
  return [`src/domain/${file}.ts`, `test/domain/${file}.test.ts`];
}

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  contract,
  contractEntryFor,
  detailTypeOf,
  validateEvent,
  assertValidEvent,
  EVENT_SOURCE,
  CONVENTIONS,
  conventionProblems,
  type EventEnvelope,
} from '../src/index.js';
import { generateEvents, generateRegistry, schemaNames } from '../scripts/generate.js';

const example = (name: string) => structuredClone(contract.find((e) => e.name === name)!.example) as EventEnvelope;
const errorsOf = (envelope: unknown) => validateEvent(envelope).errors;

describe('the contract', () => {
  it('has every event of the original Serverlesspresso', () => {
    const detailTypes = contract.map((e) => e.detailType);
    expect(detailTypes).toEqual(
      expect.arrayContaining([
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'OrderProcessor.WaitingCompletion',
        'OrderProcessor.ShopUnavailable',
        'OrderProcessor.OrderTimeOut',
        'OrderProcessor.orderFinished',
        'OrderManager.WaitingCompletion',
        'OrderManager.MakeOrder',
        'OrderManager.Order{eventId}-COMPLETED',
        'OrderManager.Order{eventId}-CANCELLED',
        'ConfigService.ConfigChanged',
        'ProducerRobot.FulfillOrder',
        'OrderRobot.FulfillOrder',
      ]),
    );
  });

  it.each(contract.map((e) => [e.name, e] as const))(
    '%s: its example is valid and from the contract source',
    (_name, entry) => {
      expect(errorsOf(entry.example)).toEqual([]);
      expect(entry.example.source).toBe(EVENT_SOURCE);
      expect(contractEntryFor(entry.example['detail-type'])).toBe(entry);
    },
  );

  it.each(contract.map((e) => [e.name, e] as const))(
    '%s: says in its description whether unknown fields are allowed',
    (_name, entry) => {
      expect(entry.schema.description).toMatch(/Unknown fields are (allowed|rejected)/);
    },
  );

  it('names a missing field', () => {
    const e = example('OrderProcessor.WorkflowStarted');
    delete (e.detail as Record<string, unknown>).TaskToken;
    expect(errorsOf(e)).toEqual([{ path: '/detail/TaskToken', message: 'is required but missing' }]);
  });

  it('names a nested missing field', () => {
    const e = example('OrderManager.WaitingCompletion');
    delete (e.detail.drinkOrder as Record<string, unknown>).drink;
    expect(errorsOf(e)).toEqual([{ path: '/detail/drinkOrder/drink', message: 'is required but missing' }]);
  });

  it('names a field of the wrong type', () => {
    const e = example('OrderProcessor.WaitingCompletion');
    e.detail.orderNumber = 112;
    expect(errorsOf(e)).toEqual([{ path: '/detail/orderNumber', message: 'must be of type string' }]);
  });

  it('rejects a wrong enum value with the allowed ones', () => {
    const e = example('OrderRobot.FulfillOrder');
    e.detail.action = 'finish';
    expect(errorsOf(e)).toEqual([{ path: '/detail/action', message: 'must be one of "complete", "cancel"' }]);
  });

  it('rejects an unknown detail-type', () => {
    const e = example('Validator.NewOrder');
    e['detail-type'] = 'Validator.OldOrder';
    const verdict = validateEvent(e);
    expect(verdict.valid).toBe(false);
    expect(verdict.errors).toEqual([
      { path: '/detail-type', message: '"Validator.OldOrder" is not a detail-type of the Serverlesspresso contract' },
    ]);
  });

  it('rejects an envelope from another source and with a bad time', () => {
    const e = example('Validator.NewOrder');
    e.source = 'my.app';
    e.time = 'yesterday';
    expect(errorsOf(e)).toEqual([
      { path: '/source', message: 'must be "awsserverlessda.serverlesspresso"' },
      { path: '/time', message: 'must match format "date-time"' },
    ]);
  });

  it('allows unknown fields where the original carried them, and rejects them where the schema is closed', () => {
    const open = example('Validator.NewOrder');
    (open.detail.bucket as Record<string, unknown>).availableTokens = 9;
    open.detail.somethingNew = true;
    expect(errorsOf(open)).toEqual([]);
    const closed = example('ConfigService.ConfigChanged');
    closed.detail.storeOpenn = true;
    expect(errorsOf(closed)).toEqual([
      { path: '/detail/storeOpenn', message: 'is not a field of this event (unknown fields are not allowed here)' },
    ]);
  });

  describe('the tenant-embedding family OrderManager.Order<eventId>-COMPLETED|CANCELLED', () => {
    it('builds and recognises the concrete detail-type', () => {
      expect(detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId: 'NYC' })).toBe(
        'OrderManager.OrderNYC-COMPLETED',
      );
      expect(contractEntryFor('OrderManager.OrderBCN-2026-CANCELLED')?.name).toBe('OrderManager.Order-CANCELLED');
      expect(contractEntryFor('OrderManager.Order-COMPLETED')).toBeUndefined();
      expect(() => detailTypeOf('OrderManager.Order{eventId}-COMPLETED', {})).toThrow('embeds detail.eventId');
    });

    it('rejects a detail whose tenant differs from the one the detail-type embeds', () => {
      const e = example('OrderManager.Order-COMPLETED');
      e['detail-type'] = 'OrderManager.OrderBCN-COMPLETED';
      expect(errorsOf(e)).toEqual([
        {
          path: '/detail/eventId',
          message: 'is "NYC" but the detail-type "OrderManager.OrderBCN-COMPLETED" embeds "BCN"',
        },
      ]);
    });
  });

  it('assertValidEvent lists every error', () => {
    const e = example('OrderManager.MakeOrder');
    delete (e.detail as Record<string, unknown>).orderId;
    delete (e.detail as Record<string, unknown>).baristaUserId;
    expect(() => assertValidEvent(e)).toThrow(
      'invalid OrderManager.MakeOrder event:\n  /detail/orderId: is required but missing\n  /detail/baristaUserId: is required but missing',
    );
  });
});

// Read from the files, not the generated registry: a schema just added (or changed) and not yet
// generated is checked too, so this is the first test to name a broken convention.
describe('the conventions of every schema file', () => {
  const file = (dir: string, name: string) => new URL(`../${dir}/${name}.json`, import.meta.url);
  const json = (url: URL): unknown => (existsSync(url) ? JSON.parse(readFileSync(url, 'utf8')) : undefined);
  it.each(schemaNames())('%s keeps every convention of the contract', (name) => {
    expect(conventionProblems(name, json(file('schemas', name)), json(file('examples', name)))).toEqual([]);
  });

  it('gives each schema its own title (the generated type)', () => {
    const titles = schemaNames().map((n) => (json(file('schemas', n)) as { title: string }).title);
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
  });

  it('names the convention a schema breaks, and why it exists', () => {
    const schema = structuredClone(contract.find((e) => e.name === 'LoyaltyCard.RewardEarned')!.schema) as unknown as {
      properties: Record<string, unknown>;
      required: string[];
    };
    delete schema.properties.Message;
    schema.required = schema.required.filter((f) => f !== 'Message' && f !== 'eventId');
    const problems = conventionProblems('LoyaltyCard.RewardEarned', schema, example('LoyaltyCard.RewardEarned'));
    expect(problems.map((p) => p.convention)).toEqual(['eventId', 'Message']);
    expect(problems[1]!.message).toBe(
      `LoyaltyCard.RewardEarned: breaks the convention "Message": "Message" is not a string field (${CONVENTIONS.find((c) => c.id === 'Message')!.rule})`,
    );
    expect(conventionProblems('LoyaltyCard.RewardEarned', schema, undefined).map((p) => p.message)).toContainEqual(
      expect.stringContaining('examples/LoyaltyCard.RewardEarned.json is missing'),
    );
  });
});

describe('the generated TypeScript side', () => {
  const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');
  it('is up to date with the schemas (run `npm run generate -w @serverlesspresso/catalog`)', async () => {
    expect(read('src/generated/events.ts')).toBe(await generateEvents());
    expect(read('src/generated/registry.ts')).toBe(generateRegistry());
  });

  it('has an example for every schema', () => {
    expect(contract.map((e) => e.name)).toEqual(schemaNames());
  });
});

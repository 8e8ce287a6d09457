// presso new-event <App>.<Name>: a schema and an example that keep every convention of the contract,
// the generated types with the new event, and the steps the producing app needs.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { conventionProblems } from '@serverlesspresso/catalog';
import { generate } from '@serverlesspresso/catalog/generate';
import { catalogDirOf, createEvent, eventFiles, eventNameProblem, templateSteps } from '../src/commands/new-event.js';
import { presso } from './presso.js';

const repo = new URL('../../../', import.meta.url).pathname;
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A scratch repo holding a copy of the catalog's schemas, examples, channels and generated files. */
function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'presso-new-event-'));
  scratch.push(root);
  for (const d of ['schemas', 'examples', 'channels', 'src/generated'])
    cpSync(join(catalogDirOf(repo), d), join(catalogDirOf(root), d), { recursive: true });
  return root;
}

describe('the new event', () => {
  it('keeps every convention of the contract: eventId, Message, x-owner, a valid complete example', () => {
    const { schema, example } = eventFiles('FreeRefill.RefillEarned');
    expect(conventionProblems('FreeRefill.RefillEarned', schema, example)).toEqual([]);
    expect(schema).toMatchObject({
      title: 'FreeRefillRefillEarned',
      'x-owner': 'FreeRefill',
      required: ['eventId', 'Message'],
      properties: {
        eventId: { $comment: expect.stringContaining('Convention "eventId"') },
        Message: { $comment: expect.stringContaining('Convention "Message"') },
        idempotencyKey: { $comment: expect.stringContaining('at least once') },
      },
    });
    expect(eventFiles('FreeRefill.RefillEarned', { owner: 'LoyaltyCard' }).schema['x-owner']).toBe('LoyaltyCard');
  });

  it('refuses a name that is not <App>.<Name>, and a family', () => {
    expect(eventNameProblem('FreeRefill.RefillEarned')).toBeUndefined();
    expect(eventNameProblem('freeRefill.earned')).toContain('must be <App>.<Name>, both PascalCase');
    expect(eventNameProblem('FreeRefill')).toContain('must be <App>.<Name>');
    expect(eventNameProblem('FreeRefill.Refill{eventId}-EARNED')).toContain('is a family');
  });

  it('tells the producing app its Emits, its scoped PutEvents permission and extension.json', () => {
    const [template, meta, put] = templateSteps('FreeRefill.RefillEarned', 'FreeRefill');
    expect(template).toContain('in extensions/FreeRefill/template.yaml');
    expect(template).toContain('Emits: [FreeRefill.RefillEarned]');
    expect(template).toContain('events:detail-type: [FreeRefill.RefillEarned]');
    expect(template).toContain('events:source: awsserverlessda.serverlesspresso');
    expect(meta).toBe('in extensions/FreeRefill/extension.json: "events": { "produced": ["FreeRefill.RefillEarned"] }');
    expect(put).toContain('src/adapters/bus.ts');
  });
});

describe('createEvent', () => {
  it('writes the schema and the example; the generate step then types it', async () => {
    const root = scratchRepo();
    const result = createEvent(root, 'FreeRefill.RefillEarned');
    expect(result.files).toEqual([
      'extensibility/catalog/schemas/FreeRefill.RefillEarned.json',
      'extensibility/catalog/examples/FreeRefill.RefillEarned.json',
    ]);
    const read = (f: string) => readFileSync(join(catalogDirOf(root), f), 'utf8');
    expect(
      conventionProblems(
        'FreeRefill.RefillEarned',
        JSON.parse(read('schemas/FreeRefill.RefillEarned.json')),
        JSON.parse(read('examples/FreeRefill.RefillEarned.json')),
      ),
    ).toEqual([]);
    expect(await generate(catalogDirOf(root))).toMatch(/^generated types and registry for \d+ schemas/);
    expect(read('src/generated/events.ts')).toContain('export interface FreeRefillRefillEarned {');
    expect(read('src/generated/events.ts')).toContain('"FreeRefill.RefillEarned": FreeRefillRefillEarned;');
    expect(read('src/generated/registry.ts')).toContain("'../../schemas/FreeRefill.RefillEarned.json'");
  });

  it('refuses an event already in the contract, and a taken type name', () => {
    const root = scratchRepo();
    expect(() => createEvent(root, 'LoyaltyCard.RewardEarned')).toThrow(
      'LoyaltyCard.RewardEarned is already in the contract: extensibility/catalog/schemas/LoyaltyCard.RewardEarned.json',
    );
    createEvent(root, 'FreeRefill.RefillEarned');
    expect(() => createEvent(root, 'FreeRefillRefill.Earned')).toThrow(
      'the type name FreeRefillRefillEarned is taken by another schema',
    );
  });
});

describe('npx presso new-event', () => {
  it('adds the event, generates the types and prints the next steps; exits 2 on a bad name', async () => {
    const root = scratchRepo();
    const { code, stdout } = await presso(['new-event', 'FreeRefill.RefillEarned', '--root', root, '--no-catalog']);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining('added FreeRefill.RefillEarned to the contract (owner FreeRefill)'),
    });
    expect(stdout).toContain('generated types and registry');
    expect(stdout).toContain('  2. in extensions/FreeRefill/template.yaml');
    expect(stdout).toContain('  3. in extensions/FreeRefill/extension.json');
    expect(readFileSync(join(catalogDirOf(root), 'src/generated/events.ts'), 'utf8')).toContain(
      'FreeRefillRefillEarned',
    );
    expect(await presso(['new-event', 'refill', '--root', root, '--no-catalog'])).toMatchObject({
      code: 2,
      stdout: expect.stringContaining('new-event: "refill" must be <App>.<Name>'),
    });
  });
});

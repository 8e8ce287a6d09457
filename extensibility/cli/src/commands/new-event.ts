// presso new-event <App>.<Name>: adds an event to the contract as its conventions want it (the
// schema with eventId, Message and idempotencyKey explained, x-owner, a complete example), checks the
// conventions, regenerates the types (the catalog's generate step) and the events catalog, and prints
// what the producing app's template and extension.json need.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVENTIONS, conventionProblems, EVENT_SOURCE } from '@serverlesspresso/catalog';

/** The catalog's folder in a repo. */
export const catalogDirOf = (root: string): string => join(root, 'extensibility', 'catalog');

/** Why the detail-type cannot be a new event's, or undefined when it can. */
export function eventNameProblem(detailType: string): string | undefined {
  if (/[{}]/.test(detailType))
    return `"${detailType}" is a family (a detail-type embedding a field): write its schema by hand, as OrderManager.Order-COMPLETED's`;
  if (!/^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/.test(detailType))
    return `"${detailType}" must be <App>.<Name>, both PascalCase (e.g. FreeRefill.RefillEarned)`;
  return undefined;
}

const explain = (id: string) => CONVENTIONS.find((c) => c.id === id)!.rule;

/** The schema and the example of a new event, with the contract's conventions. */
export function eventFiles(
  detailType: string,
  options: { owner?: string; description?: string } = {},
): { schema: Record<string, unknown>; example: Record<string, unknown> } {
  const problem = eventNameProblem(detailType);
  if (problem) throw new Error(problem);
  const [app] = detailType.split('.') as [string, string];
  const owner = options.owner ?? app;
  const what =
    options.description ??
    `TODO: what happened, in one sentence, and when ${owner === 'core' ? 'the core' : `the ${owner} extension`} puts it.`;
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:serverlesspresso:event:${detailType}`,
    title: detailType.replace('.', ''),
    description:
      `${what.replace(/\s*$/, '')} Put at least once: the same fact may arrive twice, with the same idempotencyKey. ` +
      'Unknown fields are allowed: adding a field must never break a consumer, and the EventPlayer marks a replayed event with detail.replay.',
    'x-detail-type': detailType,
    'x-owner': owner,
    type: 'object',
    required: ['eventId', 'Message'],
    properties: {
      eventId: {
        type: 'string',
        minLength: 1,
        description: 'The tenant: the event (pop-up bar) this happened at, e.g. "NYC".',
        $comment: `Convention "eventId": ${explain('eventId')}.`,
      },
      idempotencyKey: {
        type: 'string',
        minLength: 1,
        description:
          'The fact this event states, the same each time it is put (e.g. "<orderId>:<detail-type>"): a consumer drops a key it has seen.',
        $comment:
          'Optional by convention: EventBridge delivers at least once, so the cause of this event may run twice and put it twice; build the key from the cause, never from a clock or a random id.',
      },
      Message: {
        type: 'string',
        description: 'A human-readable sentence about what happened, shown on the order journey and the display.',
        $comment: `Convention "Message": ${explain('Message')}.`,
      },
    },
    additionalProperties: true,
  };
  const example = {
    version: '0',
    id: '00000000-0000-0000-0000-000000000020',
    'detail-type': detailType,
    source: EVENT_SOURCE,
    account: '123456789012',
    time: '2026-11-21T12:58:02Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventId: 'NYC',
      idempotencyKey: `4f0a8c7e-2b1d-4e6f-9a3c-5d7e8f901b2c:${detailType}`,
      Message: `TODO: what a customer or a barista reads when ${detailType} happens.`,
    },
  };
  return { schema, example };
}

/** What the producing app needs, one step each: the function's Emits and PutEvents permission, extension.json, the bus adapter. */
export function templateSteps(detailType: string, owner: string): string[] {
  const where = owner === 'core' ? 'core/template.yaml' : `extensions/${owner}/template.yaml`;
  return [
    [
      `in ${where}, on the function that puts it (the checker's 1.put-events-condition wants exactly this):`,
      '    Metadata:',
      `      Emits: [${detailType}]`,
      '    Properties:',
      '      Policies:',
      '        - Statement:',
      '            - Effect: Allow',
      '              Action: events:PutEvents',
      "              Resource: !Sub 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}'",
      '              Condition:',
      '                StringEquals:',
      `                  events:source: ${EVENT_SOURCE}`,
      `                  events:detail-type: [${detailType}]`,
    ].join('\n'),
    ...(owner === 'core' ? [] : [`in extensions/${owner}/extension.json: "events": { "produced": ["${detailType}"] }`]),
    `put it with putEvents(new EventBridgeClient({}), entries) from src/adapters/bus.ts; its detail's type is ${detailType.replace('.', '')} from @serverlesspresso/catalog`,
  ];
}

export interface NewEventResult {
  /** The files written, relative to the repo root. */
  files: string[];
  owner: string;
}

/** Writes the schema and the example into the catalog of `root`; throws with what to do when it cannot. */
export function createEvent(
  root: string,
  detailType: string,
  options: { owner?: string; description?: string } = {},
): NewEventResult {
  const problem = eventNameProblem(detailType);
  if (problem) throw new Error(problem);
  const catalog = catalogDirOf(root);
  if (!existsSync(join(catalog, 'schemas')))
    throw new Error(`${catalog} has no schemas/: run this from the Serverlesspresso repo (or pass --root)`);
  const schemaFile = join(catalog, 'schemas', `${detailType}.json`);
  const exampleFile = join(catalog, 'examples', `${detailType}.json`);
  if (existsSync(schemaFile))
    throw new Error(`${detailType} is already in the contract: ${relative(root, schemaFile)}`);
  const { schema, example } = eventFiles(detailType, options);
  const titles = readdirSync(join(catalog, 'schemas'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(join(catalog, 'schemas', f), 'utf8')) as { title?: string }).title);
  if (titles.includes(schema.title as string))
    throw new Error(`the type name ${String(schema.title)} is taken by another schema: pick another name`);
  const problems = conventionProblems(detailType, schema, example);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
  writeFileSync(schemaFile, JSON.stringify(schema, null, 2) + '\n');
  writeFileSync(exampleFile, JSON.stringify(example, null, 2) + '\n');
  return { files: [schemaFile, exampleFile].map((f) => relative(root, f)), owner: schema['x-owner'] as string };
}

const PRESSO_BIN = fileURLToPath(new URL('../../bin/presso.js', import.meta.url));

export async function newEventCommand(
  detailType: string,
  options: { root: string; owner?: string; description?: string; catalog: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  let result: NewEventResult;
  try {
    result = createEvent(options.root, detailType, options);
  } catch (e) {
    out.write(`new-event: ${(e as Error).message}\n`);
    return 2;
  }
  out.write(
    `added ${detailType} to the contract (owner ${result.owner}):\n${result.files.map((f) => `  ${f}`).join('\n')}\n`,
  );
  // The same code as `npm run generate -w @serverlesspresso/catalog`, on this repo's catalog.
  const { generate } = await import('@serverlesspresso/catalog/generate');
  out.write(`${await generate(catalogDirOf(options.root))}\n`);
  if (options.catalog) {
    // A process of its own: this one loaded the contract before the new event was in it.
    const catalog = spawnSync(process.execPath, [PRESSO_BIN, 'catalog', '--root', options.root], { encoding: 'utf8' });
    out.write(catalog.stdout + catalog.stderr);
    if (catalog.status !== 0) {
      out.write('the catalog did not regenerate: fix what it lists, then run npx presso catalog\n');
      return 1;
    }
  }
  out.write(
    [
      '',
      'next:',
      `  1. describe it: the TODOs of ${result.files[0]} (what happened, when) and ${result.files[1]}, and the fields it carries; then npm run generate -w @serverlesspresso/catalog && npx presso catalog`,
      ...templateSteps(detailType, result.owner).map((step, i) => `  ${i + 2}. ${step.replaceAll('\n', '\n     ')}`),
      '',
    ].join('\n'),
  );
  return 0;
}

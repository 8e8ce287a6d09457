// The conventions every schema of the contract follows, each with an id and the reason, checked on
// every schema file by the contract's own test (so a new event that breaks one fails there first,
// with the convention named, not in another workspace's type-check) and used by `presso new-event`.
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EVENT_SOURCE } from './contract.js';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;
const addFormats =
  (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default ?? addFormatsModule;

export interface Convention {
  id: string;
  /** What the schema must do, and why. */
  rule: string;
}

/** Every convention of the contract, in the order they are checked. */
export const CONVENTIONS = [
  { id: 'draft-07', rule: '"$schema" is "http://json-schema.org/draft-07/schema#" (the one draft the contract uses)' },
  {
    id: 'id',
    rule: '"$id" is "urn:serverlesspresso:event:<file name>" (ajv and the catalog name the schema by it)',
  },
  {
    id: 'title',
    rule: '"title" is a PascalCase identifier: the name of the TypeScript type generated from the schema, one per schema',
  },
  {
    id: 'detail-type',
    rule: '"x-detail-type" is "<App>.<Name>" (a family embeds one required string field as "{field}"), and the file name is it without the placeholder',
  },
  {
    id: 'owner',
    rule: '"x-owner" is the app that puts it: "core" or an extension\'s name (its extension.json "name"); only its roles may put it',
  },
  {
    id: 'object',
    rule: '"type" is "object" and "additionalProperties" is true or false, written out',
  },
  {
    id: 'unknown-fields',
    rule: 'the description says "Unknown fields are allowed" (additionalProperties: true) or "Unknown fields are rejected" (false), and why',
  },
  {
    id: 'eventId',
    rule: '"eventId" (the tenant: which pop-up bar) is a required string field; consumers and the realtime channels filter and route on it (optional only when the description says why)',
  },
  {
    id: 'Message',
    rule: '"Message" is a string field with a description: the human-readable sentence the order journey, the display and the core\'s typed handlers read from every event',
  },
  {
    id: 'example',
    rule: `examples/<file name>.json is a complete envelope of this event (source "${EVENT_SOURCE}", its detail-type) that the schema accepts`,
  },
] as const satisfies readonly Convention[];

export type ConventionId = (typeof CONVENTIONS)[number]['id'];

export interface ConventionProblem {
  convention: ConventionId;
  /** What is wrong, starting with the schema's file name and the convention's id. */
  message: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Its own ajv: the contract's already holds every schema by its $id, and a schema checked here may be
// a new one, or a changed one not yet generated.
const ajv = new Ajv({ allErrors: true, strict: false, addUsedSchema: false });
addFormats(ajv, ['date-time']);

/** The file name of a detail-type as the contract writes it: `OrderManager.Order{eventId}-COMPLETED` -> `OrderManager.Order-COMPLETED`. */
export const schemaNameOf = (detailType: string): string => detailType.replace(/\{[A-Za-z0-9_]+\}/, '');

/**
 * Every convention the schema (file `name`, without .json) and its example break; [] when it keeps
 * them all. `example` is undefined when examples/<name>.json is missing.
 */
export function conventionProblems(name: string, schema: unknown, example: unknown): ConventionProblem[] {
  const problems: ConventionProblem[] = [];
  const fail = (convention: ConventionId, what: string) => {
    const rule = CONVENTIONS.find((c) => c.id === convention)!.rule;
    problems.push({ convention, message: `${name}: breaks the convention "${convention}": ${what} (${rule})` });
  };
  if (!isObject(schema)) {
    fail('object', 'the schema is not a JSON object');
    return problems;
  }
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  const description = typeof schema.description === 'string' ? schema.description : '';

  if (schema.$schema !== 'http://json-schema.org/draft-07/schema#')
    fail('draft-07', `"$schema" is ${JSON.stringify(schema.$schema)}`);
  if (schema.$id !== `urn:serverlesspresso:event:${name}`)
    fail('id', `"$id" is ${JSON.stringify(schema.$id)}, not "urn:serverlesspresso:event:${name}"`);
  if (typeof schema.title !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(schema.title))
    fail('title', `"title" is ${JSON.stringify(schema.title)}`);

  const detailType = schema['x-detail-type'];
  if (typeof detailType !== 'string' || !/^[A-Z][A-Za-z0-9]*\.[A-Za-z0-9{}_-]+$/.test(detailType))
    fail('detail-type', `"x-detail-type" is ${JSON.stringify(detailType)}`);
  else {
    if (schemaNameOf(detailType) !== name)
      fail('detail-type', `the file is ${name}.json but "x-detail-type" is "${detailType}"`);
    const placeholders = [...detailType.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
    if (placeholders.length > 1) fail('detail-type', `"${detailType}" embeds more than one field`);
    for (const field of placeholders)
      if (!required.includes(field) || (props[field] as Json | undefined)?.type !== 'string')
        fail('detail-type', `"${detailType}" embeds {${field}}, which is not a required string field`);
  }

  const owner = schema['x-owner'];
  if (typeof owner !== 'string' || !(owner === 'core' || /^[A-Z][A-Za-z0-9]*$/.test(owner)))
    fail('owner', `"x-owner" is ${JSON.stringify(owner)}`);

  if (schema.type !== 'object') fail('object', `"type" is ${JSON.stringify(schema.type)}`);
  if (typeof schema.additionalProperties !== 'boolean')
    fail('object', `"additionalProperties" is ${JSON.stringify(schema.additionalProperties)}`);

  const says = /Unknown fields are (allowed|rejected)/.exec(description)?.[1];
  if (!says) fail('unknown-fields', 'the description does not say whether unknown fields are allowed');
  else if (typeof schema.additionalProperties === 'boolean' && (says === 'allowed') !== schema.additionalProperties)
    fail(
      'unknown-fields',
      `the description says unknown fields are ${says} but "additionalProperties" is ${String(schema.additionalProperties)}`,
    );

  const eventId = props.eventId as Json | undefined;
  if (!eventId || eventId.type !== 'string') fail('eventId', '"eventId" is not a string field');
  else if (!required.includes('eventId') && !/eventId\b[^.]*\boptional\b/.test(description))
    fail('eventId', '"eventId" is not required, and the description does not say why it is optional');

  const message = props.Message as Json | undefined;
  if (!message || message.type !== 'string') fail('Message', '"Message" is not a string field');
  else if (typeof message.description !== 'string' || message.description === '')
    fail('Message', '"Message" has no description');

  if (example === undefined) fail('example', `examples/${name}.json is missing`);
  else if (!isObject(example) || !isObject(example.detail)) fail('example', 'the example is not an envelope');
  else {
    if (example.source !== EVENT_SOURCE) fail('example', `the example's source is ${JSON.stringify(example.source)}`);
    const dt = example['detail-type'];
    const concrete =
      typeof detailType === 'string' &&
      typeof dt === 'string' &&
      new RegExp(`^${detailType.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z0-9_]+\}/, '.+')}$`).test(dt);
    if (!concrete)
      fail('example', `the example's detail-type ${JSON.stringify(dt)} is not ${JSON.stringify(detailType)}`);
    let validate;
    try {
      validate = ajv.compile(schema);
    } catch (e) {
      fail('example', `the schema does not compile: ${(e as Error).message}`);
    }
    if (validate && !validate(example.detail))
      fail(
        'example',
        `the schema refuses the example's detail: ${(validate.errors ?? [])
          .map((e) => `/detail${e.instancePath} ${e.message ?? e.keyword}`)
          .join('; ')}`,
      );
  }
  return problems;
}

// The realtime channels of the core's AppSync Events API, next to the bus contract: one JSON Schema
// per channel namespace (channels/<namespace>.json, its path pattern in x-channel) with example
// messages (channels/examples/<namespace>.json). Browsers subscribe; the core (and, on the board,
// extensions) publish. validateChannelMessage checks a message against its channel's schema.
import AjvModule, { type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { channelFiles, type ChannelMessageMap } from './generated/channels.js';
import type { ValidationError } from './validate.js';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;
const addFormats =
  (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default ?? addFormatsModule;

export type ChannelNamespace = keyof ChannelMessageMap;

export interface ChannelEntry {
  namespace: ChannelNamespace;
  /** The channel's path with its placeholders, e.g. "/orders/{eventId}/{userId}". */
  channel: string;
  schema: Record<string, unknown> & { title: string; description: string };
  /** Example messages, each valid. */
  examples: readonly unknown[];
}

/** Every channel namespace, sorted by name. */
export const channels: readonly ChannelEntry[] = (Object.keys(channelFiles) as ChannelNamespace[]).sort().map((n) => {
  const { schema, examples } = channelFiles[n];
  return {
    namespace: n,
    channel: schema['x-channel'],
    schema: schema as unknown as ChannelEntry['schema'],
    examples: examples as readonly unknown[],
  };
});

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
ajv.addKeyword('x-channel');
addFormats(ajv, ['date-time']);
const validators = new Map(channels.map((c) => [c.namespace, ajv.compile(c.schema)]));

type Definitions = Record<string, { properties?: { kind?: { const?: unknown } } }>;
/** Per channel, one validator per kind of message (a oneOf branch), for errors that name the kind's fields. */
const kindValidators = new Map(
  channels.map((c) => {
    const definitions = (c.schema.definitions ?? {}) as Definitions;
    const kinds = Object.entries(definitions).flatMap(([name, d]) => {
      const kind = d.properties?.kind?.const;
      if (typeof kind !== 'string') return [];
      const branch = {
        $id: `urn:serverlesspresso:channel:${c.namespace}:${kind}`,
        definitions,
        $ref: `#/definitions/${name}`,
      };
      return [[kind, ajv.compile(branch)] as const];
    });
    return [c.namespace, new Map(kinds)];
  }),
);

/** The namespace of a channel path such as "/staff/NYC", when it is one of ours. */
export function channelNamespaceOf(channel: string): ChannelNamespace | undefined {
  const ns = channel.split('/')[1];
  return channels.find((c) => c.namespace === ns)?.namespace;
}

function describeError(e: ErrorObject): ValidationError {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required')
    return { path: `${e.instancePath}/${String(p.missingProperty)}`, message: 'is required but missing' };
  if (e.keyword === 'additionalProperties')
    return {
      path: `${e.instancePath}/${String(p.additionalProperty)}`,
      message: 'is not a field of this channel (unknown fields are not allowed: channels reach browsers)',
    };
  return { path: e.instancePath || '/', message: e.message ?? e.keyword };
}

/** Checks one message against the schema of the channel it is published to; every error names its field. */
export function validateChannelMessage(
  channel: string,
  message: unknown,
): { valid: boolean; errors: ValidationError[] } {
  const ns = channelNamespaceOf(channel);
  if (!ns)
    return {
      valid: false,
      errors: [
        {
          path: '/',
          message: `"${channel}" is not a channel of the core's Event API (${channels.map((c) => c.channel).join(', ')})`,
        },
      ],
    };
  if (validators.get(ns)!(message)) return { valid: true, errors: [] };
  // A message is one kind of the oneOf: report the errors of the kind it names, not of every branch.
  const kinds = kindValidators.get(ns)!;
  const kind = (message as { kind?: unknown } | null)?.kind;
  const validateKind = typeof kind === 'string' ? kinds.get(kind) : undefined;
  if (!validateKind)
    return {
      valid: false,
      errors: [
        { path: '/kind', message: `must be one of ${[...kinds.keys()].map((k) => JSON.stringify(k)).join(', ')}` },
      ],
    };
  validateKind(message);
  return { valid: false, errors: (validateKind.errors ?? []).map(describeError) };
}

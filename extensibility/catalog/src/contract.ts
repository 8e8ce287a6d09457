// The contract of the Serverlesspresso bus: its name, its source, and one entry per detail-type.
import type { DetailTypeMap } from './generated/events.js';
import { contractFiles } from './generated/registry.js';

/** The bus every app talks through. */
export const BUS_NAME = 'Serverlesspresso';
/** The source of every event on the bus, unchanged from the original Serverlesspresso. */
export const EVENT_SOURCE = 'awsserverlessda.serverlesspresso';

export type ContractName = keyof typeof contractFiles;
/** A detail-type as the contract writes it; a family embeds a detail field, e.g. "OrderManager.Order{eventId}-COMPLETED". */
export type DetailTypeTemplate = keyof DetailTypeMap;

export interface ContractEntry {
  /** The schema's file name, e.g. "OrderManager.Order-COMPLETED". */
  name: ContractName;
  /** The detail-type, or the template of a family, e.g. "OrderManager.Order{eventId}-COMPLETED". */
  detailType: DetailTypeTemplate;
  /** For a family: the detail field embedded in the detail-type. */
  embeds?: string;
  /** Which concrete detail-types belong to this entry, and what they embed. */
  match(detailType: string): { embedded?: string } | undefined;
  schema: Record<string, unknown> & { title: string; description: string };
  /** A complete, valid example envelope. */
  example: EventEnvelope;
}

export interface EventEnvelope<D = Record<string, unknown>> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
  'replay-name'?: string;
}

/** A literal as a regular expression source. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function entry(name: ContractName): ContractEntry {
  const { schema, example } = contractFiles[name];
  const detailType = schema['x-detail-type'] as DetailTypeTemplate;
  const placeholder = /\{([A-Za-z0-9_]+)\}/.exec(detailType);
  if (!placeholder) {
    return {
      name,
      detailType,
      schema: schema as ContractEntry['schema'],
      example: example as EventEnvelope,
      match: (dt) => (dt === detailType ? {} : undefined),
    };
  }
  const [prefix, suffix] = detailType.split(placeholder[0]) as [string, string];
  const re = new RegExp(`^${escapeRegExp(prefix)}(.+)${escapeRegExp(suffix)}$`);
  return {
    name,
    detailType,
    embeds: placeholder[1],
    schema: schema as ContractEntry['schema'],
    example: example as EventEnvelope,
    match: (dt) => {
      const m = re.exec(dt);
      return m ? { embedded: m[1] } : undefined;
    },
  };
}

/** Every entry of the contract, sorted by name. */
export const contract: readonly ContractEntry[] = (Object.keys(contractFiles) as ContractName[]).sort().map(entry);

/** The contract entry a concrete detail-type belongs to, or undefined when it is not in the contract. */
export function contractEntryFor(detailType: string): ContractEntry | undefined {
  return contract.find((e) => e.match(detailType));
}

/**
 * The concrete detail-type of a family member, e.g.
 * detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId: 'NYC' }) === 'OrderManager.OrderNYC-COMPLETED'.
 */
export function detailTypeOf<T extends DetailTypeTemplate>(template: T, detail: Partial<DetailTypeMap[T]>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, field: string) => {
    const value = (detail as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value === '') {
      throw new Error(`detail-type ${template} embeds detail.${field}, which is missing`);
    }
    return value;
  });
}

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
  /**
   * The app that owns it (`x-owner`): `core`, or an extension's name (its extension.json `name`).
   * Only its owner's roles may put it on the bus (IAM: the `events:detail-type` condition).
   */
  owner: string;
  /** Other apps the contract lets put it, and why (`x-also-put-by`): the OrderRobot's robot orders. */
  alsoPutBy: ReadonlyArray<{ app: string; why: string }>;
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
  const owned = schema as { 'x-owner'?: string; 'x-also-put-by'?: Array<{ app: string; why: string }> };
  const ownership = { owner: owned['x-owner'] ?? '', alsoPutBy: owned['x-also-put-by'] ?? [] };
  const placeholder = /\{([A-Za-z0-9_]+)\}/.exec(detailType);
  if (!placeholder) {
    return {
      name,
      detailType,
      ...ownership,
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
    ...ownership,
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

/** Whether the contract lets an app (`core`, an extension's name) put a detail-type (concrete or a family's template). */
export function mayPut(app: string, detailType: string): boolean {
  const found = contract.find((e) => e.detailType === detailType) ?? contractEntryFor(detailType);
  return !!found && (found.owner === app || found.alsoPutBy.some((a) => a.app === app));
}

/**
 * The detail-types an app may put, as the contract writes them, each with the value an IAM
 * condition on `events:detail-type` takes (`StringLike`: a family's placeholder is `*`).
 */
export function detailTypesOf(app: string): Array<{ detailType: DetailTypeTemplate; iamValue: string }> {
  return contract
    .filter((e) => e.owner === app || e.alsoPutBy.some((a) => a.app === app))
    .map((e) => ({ detailType: e.detailType, iamValue: iamDetailType(e.detailType) }));
}

/** A detail-type of the contract as an `events:detail-type` condition value (`StringLike`): `{eventId}` → `*`. */
export const iamDetailType = (detailType: string): string => detailType.replace(/\{[A-Za-z0-9_]+\}/g, '*');

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

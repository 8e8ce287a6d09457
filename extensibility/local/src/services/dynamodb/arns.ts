// DynamoDB Local names every ARN with the region "ddblocal"; clients of the local cloud must see
// AWS's ARNs for our account and region instead. ARNs are rewritten on the way out (responses)
// and back on the way in (requests that carry them: stream ARNs, shard iterators, table ARNs).
//
// A table deployed from a template also has the stream ARN its template resolved with
// `Fn::GetAtt Table.StreamArn` (a stable label, known before the table exists). The stream
// DynamoDB Local creates gets its own label (its creation time), so the deployer registers an
// alias: clients only ever see the template's ARN for that stream, everywhere (DescribeTable,
// ListStreams, DescribeStream, GetShardIterator, Lambda records), and it is mapped back on the way in.
import type { Account } from '../../arn.js';
import { partitionOf } from '../../stacks/template/resolver.js';

/** What DynamoDB Local puts in front of every resource: its fixed account and pseudo-region. */
export const ENGINE_ARN_PREFIX = 'arn:aws:dynamodb:ddblocal:000000000000:';
export const ENGINE_REGION = 'ddblocal';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A resource after the prefix: "table/Name", "table/Name/index/I", "table/Name/stream/<label>"; ends at a quote, "|" or space. */
const RESOURCE = '([^"|\\s]*)';

/** The label of a stream ARN ("…/stream/<label>"), or undefined. */
export function streamLabelOf(streamArn: string): string | undefined {
  const at = streamArn.lastIndexOf('/stream/');
  return at < 0 ? undefined : streamArn.slice(at + '/stream/'.length);
}

/** A table's name from a TableName or ARN that may name it ("arn:...:table/Name[/stream/...]"). */
export function tableNameOf(nameOrArn: string): string {
  const at = nameOrArn.indexOf(':table/');
  return at < 0 ? nameOrArn : nameOrArn.slice(at + ':table/'.length).split('/')[0]!;
}

export class DynamoArns {
  readonly prefix: string;
  private readonly outward: RegExp;
  private readonly inward: RegExp;
  /** "table/T/stream/<engine label>" → "table/T/stream/<template label>", and back. */
  private readonly streamsOut = new Map<string, string>();
  private readonly streamsIn = new Map<string, string>();

  constructor(readonly account: Account) {
    this.prefix = `arn:${partitionOf(account.region).partition}:dynamodb:${account.region}:${account.accountId}:`;
    this.outward = new RegExp(escape(ENGINE_ARN_PREFIX) + RESOURCE, 'g');
    this.inward = new RegExp(escape(this.prefix) + RESOURCE, 'g');
  }

  /** The ARN clients see for a table. */
  tableArn(tableName: string): string {
    return `${this.prefix}table/${tableName}`;
  }

  /** From now on the engine's stream is known to clients by the template's ARN (replacing an older alias of that table). */
  aliasStream(engineStreamArn: string, templateStreamArn: string): void {
    const engine = engineStreamArn.slice(engineStreamArn.indexOf(':table/') + 1);
    const template = templateStreamArn.slice(templateStreamArn.indexOf(':table/') + 1);
    for (const [e, t] of this.streamsOut) if (t === template) this.forget(e);
    this.streamsOut.set(engine, template);
    this.streamsIn.set(template, engine);
  }

  /** Forgets the aliases of a table (deleted, or replaced). */
  forgetTable(tableName: string): void {
    for (const engine of [...this.streamsOut.keys()])
      if (engine.startsWith(`table/${tableName}/stream/`)) this.forget(engine);
  }

  private forget(engine: string): void {
    const template = this.streamsOut.get(engine);
    this.streamsOut.delete(engine);
    if (template !== undefined) this.streamsIn.delete(template);
  }

  /** A string as the engine wrote it, as clients must see it. */
  toClient(text: string): string {
    if (!text.includes(ENGINE_ARN_PREFIX)) return text;
    return text.replace(
      this.outward,
      (_whole, resource: string) => this.prefix + (this.streamsOut.get(resource) ?? resource),
    );
  }

  /** A string as a client wrote it, as the engine knows it. */
  toEngine(text: string): string {
    if (!text.includes(this.prefix)) return text;
    return text.replace(
      this.inward,
      (_whole, resource: string) => ENGINE_ARN_PREFIX + (this.streamsIn.get(resource) ?? resource),
    );
  }

  /**
   * An engine response, rewritten for clients: ARNs (and shard iterators, which start with one),
   * stream labels next to their ARN, and records' awsRegion.
   */
  responseToClient(value: unknown): unknown {
    if (typeof value === 'string') return this.toClient(value);
    if (Array.isArray(value)) return value.map((v) => this.responseToClient(v));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = key === 'awsRegion' && v === ENGINE_REGION ? this.account.region : this.responseToClient(v);
    }
    // A label is part of its stream's ARN: keep the two in agreement.
    for (const [labelKey, arnKey] of [
      ['StreamLabel', 'StreamArn'],
      ['LatestStreamLabel', 'LatestStreamArn'],
    ] as const) {
      if (typeof out[labelKey] === 'string' && typeof out[arnKey] === 'string')
        out[labelKey] = streamLabelOf(out[arnKey] as string) ?? out[labelKey];
    }
    return out;
  }

  /** A client request, rewritten for the engine. */
  requestToEngine(value: unknown): unknown {
    if (typeof value === 'string') return this.toEngine(value);
    if (Array.isArray(value)) return value.map((v) => this.requestToEngine(v));
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.requestToEngine(v)]),
    );
  }
}

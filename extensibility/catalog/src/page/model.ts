// The catalog as data: per event of the contract, who produces it and which rules consume it, read
// from the apps' templates. Rendered as Markdown and as a static HTML page.
import { channels, type ChannelEntry } from '../channels.js';
import { BUS_NAME, contract, EVENT_SOURCE, type ContractEntry } from '../contract.js';
import type { AppKind, RepoScan } from '../bus/index.js';
import { readExtensionMeta, type ExtensionMeta } from '../extension.js';

export interface PageApp {
  name: string;
  kind: AppKind;
  /** The template, relative to the repo root. */
  path: string;
}

export interface PageProducer {
  app: string;
  path: string;
  resource: string;
  kind: 'function' | 'state machine';
  state?: string;
  /** As the producer writes it, when it differs from the contract's detail-type (a glob). */
  writes?: string;
}

export interface PageConsumer {
  app: string;
  path: string;
  rule: string;
  targets: string[];
  /** The pattern, as compact JSON. */
  pattern: string;
  /** The concrete detail-type the rule was shown to match (a family member it names). */
  matched: string;
  disabled: boolean;
  /** A conditional consumer: it matches only the events that meet this, e.g. "when `detail.orderId` is present". */
  condition?: string;
  /** It takes live events only (`detail.replay` absent): not the EventPlayer's replays. */
  liveOnly?: boolean;
}

export interface PageEvent {
  entry: ContractEntry;
  anchor: string;
  producers: PageProducer[];
  consumers: PageConsumer[];
}

export interface PageReplay {
  app: string;
  path: string;
  resource: string;
  state: string;
}

/** An extension (or the model) as its extension.json describes it. */
export interface PageExtension {
  name: string;
  /** Its folder, relative to the repo root. */
  dir: string;
  /** Undefined when extension.json is missing or invalid (`presso check` says why). */
  meta?: ExtensionMeta;
}

export interface CatalogPage {
  bus: string;
  source: string;
  apps: PageApp[];
  events: PageEvent[];
  /** The model and every extension, from their extension.json. */
  extensions: PageExtension[];
  /** Tasks that put whatever detail-type their input carries (the EventPlayer's replay). */
  replays: PageReplay[];
  /** The realtime channels (AppSync Events) browsers subscribe to, with their message schemas. */
  channels: PageChannel[];
}

export interface PageChannel {
  entry: ChannelEntry;
  anchor: string;
  /** The kinds of message it carries (the schema's oneOf), e.g. ["order", "config"]. */
  kinds: string[];
}

function pageChannel(entry: ChannelEntry): PageChannel {
  const definitions = (entry.schema.definitions ?? {}) as Record<
    string,
    { properties?: { kind?: { const?: unknown } } }
  >;
  const kinds = Object.values(definitions)
    .map((d) => d.properties?.kind?.const)
    .filter((k): k is string => typeof k === 'string');
  return { entry, anchor: anchorOf(`channel ${entry.channel}`), kinds };
}

/** GitHub's heading anchor: lower case, punctuation other than - and _ dropped, spaces to -. */
export const anchorOf = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

export function catalogPage(scan: RepoScan): CatalogPage {
  const order = new Map(scan.apps.map((a, i) => [a.app.name, i]));
  const byApp = <T extends { app: string }>(a: T, b: T, key: (x: T) => string) =>
    (order.get(a.app) ?? 0) - (order.get(b.app) ?? 0) || key(a).localeCompare(key(b));
  const events = contract.map((entry): PageEvent => {
    const producers = scan.producers
      .filter((p) => p.entries.includes(entry))
      .map((p): PageProducer => ({
        app: p.app.name,
        path: p.app.path,
        resource: p.resource,
        kind: p.kind,
        ...(p.state !== undefined ? { state: p.state } : {}),
        ...(p.detailType !== entry.detailType ? { writes: p.detailType } : {}),
      }))
      .sort((a, b) => byApp(a, b, (x) => `${x.resource} ${x.state ?? ''}`));
    const consumers = scan.rules
      .flatMap(({ rule, matches }) => matches.filter((m) => m.entry === entry).map((m) => ({ rule, m })))
      .map(({ rule, m }): PageConsumer => ({
        app: rule.app.name,
        path: rule.app.path,
        rule: rule.logicalId,
        targets: rule.targets.map((t) => t.logicalId ?? t.arn),
        pattern: typeof rule.pattern === 'string' ? rule.pattern : JSON.stringify(rule.pattern),
        matched: m.detailType,
        disabled: rule.state === 'DISABLED',
        ...(m.condition !== undefined ? { condition: m.condition } : {}),
        ...(m.liveOnly ? { liveOnly: true } : {}),
      }))
      .sort((a, b) => byApp(a, b, (x) => x.rule));
    return { entry, anchor: anchorOf(entry.detailType), producers, consumers };
  });
  return {
    bus: BUS_NAME,
    source: EVENT_SOURCE,
    apps: scan.apps.map(({ app }) => ({ name: app.name, kind: app.kind, path: app.path })),
    events,
    extensions: scan.apps
      .filter(({ app }) => app.kind === 'model' || app.kind === 'extension')
      .map(({ app }) => {
        const { meta } = readExtensionMeta(app.dir);
        return { name: app.name, dir: app.path.replace(/\/[^/]+$/, ''), ...(meta ? { meta } : {}) };
      }),
    replays: scan.dynamic.map((d) => ({ app: d.app.name, path: d.app.path, resource: d.resource, state: d.state })),
    channels: channels.map(pageChannel),
  };
}

/** How a consumer takes the event, after its rule: "" for every event of the schema, else its condition. */
export function consumerTerms(c: PageConsumer): string {
  const terms = [
    ...(c.condition !== undefined ? [`conditional consumer: only ${c.condition}`] : []),
    ...(c.liveOnly ? ["live events only (not the EventPlayer's replays: `detail.replay` absent)"] : []),
  ];
  return terms.join('; ');
}

/** A consumer's name in the summary table: its app and rule, "(conditional)" when it is. */
export const consumerName = (c: PageConsumer): string =>
  `${c.app}: ${c.rule}${c.condition !== undefined ? ' (conditional)' : ''}`;

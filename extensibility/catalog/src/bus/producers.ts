// Who puts each event on the bus. State machines say it in their definitions (events:putEvents
// tasks, read after DefinitionSubstitutions); functions declare it in their template:
//
//   MyFunction:
//     Type: AWS::Serverless::Function
//     Metadata:
//       BuildMethod: esbuild
//       Emits: [OrderManager.MakeOrder, "OrderManager.Order{eventId}-COMPLETED"]
//
// (detail-types as the contract writes them). emits.ts checks each declaration against the code.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BUS_NAME, contract, contractEntryFor, escapeRegExp, type ContractEntry } from '../contract.js';
import type { App } from './apps.js';
import type { Finding } from './findings.js';
import { isObject, parseTemplateText, substitute, type LoadedResource, type LoadedTemplate } from './local.js';
import { busNameOf } from './rules.js';

export interface Producer {
  app: App;
  /** The function or state machine. */
  resource: string;
  kind: 'function' | 'state machine';
  /** The Task state that puts the event (state machines). */
  state?: string;
  /** Template path of the declaration (Metadata.Emits[i], or the definition property). */
  property: string;
  /** The detail-type as written: a name, a family ("OrderManager.Order{eventId}-COMPLETED") or a glob ("OrderManager.Order*-COMPLETED"). */
  detailType: string;
  /** The contract entries it puts; empty when the detail-type is not in the contract. */
  entries: ContractEntry[];
}

/** A state machine task that puts events whose detail-type is only known at run time (the EventPlayer's replay). */
export interface DynamicProducer {
  app: App;
  resource: string;
  state: string;
  property: string;
  expression: string;
}

export interface Producers {
  producers: Producer[];
  dynamic: DynamicProducer[];
  findings: Finding[];
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const STATE_MACHINE_TYPES = new Set(['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine']);
const PUT_EVENTS = /^arn:[a-z-]+:states:::events:putEvents(\.waitForTaskToken)?$/;

const globOf = (detailType: string) => detailType.replace(/\{[A-Za-z0-9_]+\}/g, '*');

/** The contract entries a written detail-type (name, family template or glob) stands for. */
export function entriesFor(detailType: string): ContractEntry[] {
  const exact = contract.find((e) => e.detailType === detailType);
  if (exact) return [exact];
  if (!detailType.includes('*')) {
    const member = contractEntryFor(detailType);
    return member ? [member] : [];
  }
  const re = new RegExp(`^${detailType.split('*').map(escapeRegExp).join('.+')}$`);
  return contract.filter((e) => globOf(e.detailType) === detailType || re.test(e.example['detail-type']));
}

/** The definition of a state machine as JSON, DefinitionSubstitutions applied; undefined when it cannot be read here. */
export function definitionOf(resource: LoadedResource, templateFile: string): unknown {
  const p = resource.properties;
  let definition: unknown = p.Definition ?? p.DefinitionString;
  if (definition === undefined && typeof p.DefinitionUri === 'string') {
    const path = resolve(dirname(templateFile), p.DefinitionUri);
    if (!existsSync(path)) return undefined;
    definition = parseTemplateText(readFileSync(path, 'utf8'), path);
  }
  if (definition === undefined) return undefined;
  const text = substitute(
    typeof definition === 'string' ? definition : JSON.stringify(definition),
    (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
  );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

type Node = Record<string, unknown>;

/** Every state of a definition, nested ones (Parallel branches, Map processors) included. */
export function statesOf(definition: unknown): Array<[string, Node]> {
  if (!isObject(definition) || !isObject(definition.States)) return [];
  return Object.entries(definition.States).flatMap(([name, state]): Array<[string, Node]> => {
    if (!isObject(state)) return [];
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.ItemProcessor,
      state.Iterator,
    ].flatMap(statesOf);
    return [[name, state], ...nested];
  });
}

/**
 * A detail-type expression of a putEvents entry, as a name or glob; undefined when only the run
 * time knows it. Handles a literal, States.Format('A{}B', ...) and JSONata 'A' & $x & 'B'.
 */
export function detailTypeGlob(entry: Node): string | undefined {
  const literal = entry.DetailType;
  if (typeof literal === 'string') {
    const jsonata = /^\{%(.*)%\}$/s.exec(literal.trim());
    if (!jsonata) return literal;
    const parts = jsonata[1]!.split('&').map((s) => s.trim());
    const pieces = parts.map((p) => /^'([^']*)'$|^"([^"]*)"$/.exec(p));
    if (!pieces.some(Boolean)) return undefined;
    return pieces.map((m) => (m ? (m[1] ?? m[2]) : '*')).join('');
  }
  const path = entry['DetailType.$'];
  if (typeof path === 'string') {
    const format = /^States\.Format\(\s*'((?:[^'\\]|\\.)*)'/.exec(path.trim());
    if (format) return format[1]!.replace(/\\(.)/g, '$1').replace(/\{\}/g, '*');
  }
  return undefined;
}

function entryBus(entry: Node): string | undefined {
  if (typeof entry.EventBusName === 'string') {
    const jsonata = /^\{%.*%\}$/s.test(entry.EventBusName.trim());
    return jsonata ? undefined : busNameOf(entry.EventBusName);
  }
  if (entry['EventBusName.$'] !== undefined) return undefined;
  return 'default';
}

function stateMachineProducers(app: App, r: LoadedResource, out: Producers): void {
  const definitionProperty = `Resources.${r.logicalId}.Properties.${r.properties.Definition !== undefined ? 'Definition' : r.properties.DefinitionString !== undefined ? 'DefinitionString' : 'DefinitionUri'}`;
  for (const [name, state] of statesOf(definitionOf(r, app.templateFile))) {
    if (state.Type !== 'Task' || typeof state.Resource !== 'string' || !PUT_EVENTS.test(state.Resource)) continue;
    const args = isObject(state.Arguments)
      ? state.Arguments
      : isObject(state.Parameters)
        ? state.Parameters
        : undefined;
    const property = `${definitionProperty} (state "${name}")`;
    const entries = args?.Entries;
    if (!Array.isArray(entries)) {
      out.dynamic.push({
        app,
        resource: r.logicalId,
        state: name,
        property,
        expression: JSON.stringify(args?.['Entries.$'] ?? args?.Entries ?? null),
      });
      continue;
    }
    for (const entry of entries.filter(isObject)) {
      const bus = entryBus(entry);
      if (bus !== undefined && bus !== BUS_NAME) continue;
      const glob = detailTypeGlob(entry);
      if (glob === undefined) {
        out.dynamic.push({
          app,
          resource: r.logicalId,
          state: name,
          property,
          expression: JSON.stringify(entry.DetailType ?? entry['DetailType.$']),
        });
        continue;
      }
      const matched = entriesFor(glob);
      out.producers.push({
        app,
        resource: r.logicalId,
        kind: 'state machine',
        state: name,
        property,
        detailType: glob,
        entries: matched,
      });
      if (matched.length === 0) {
        out.findings.push({
          file: app.path,
          resource: r.logicalId,
          property,
          message: `puts detail-type "${glob}", which is not in the contract`,
          fix: 'use a detail-type of the contract, or add the event to the contract (extensibility/catalog/schemas and examples)',
        });
      }
    }
  }
}

/** Metadata.Emits of a function: the detail-types it declares; findings for a malformed or unknown one. */
export function declaredEmits(app: App, r: LoadedResource, findings: Finding[]): Producer[] {
  const emits = r.metadata?.Emits;
  if (emits === undefined) return [];
  const property = `Resources.${r.logicalId}.Metadata.Emits`;
  if (!Array.isArray(emits)) {
    findings.push({
      file: app.path,
      resource: r.logicalId,
      property,
      message: 'must be a list of detail-types',
      fix: 'write Emits: [Some.DetailType, ...]',
    });
    return [];
  }
  return emits.flatMap((d, i): Producer[] => {
    if (typeof d !== 'string') {
      findings.push({
        file: app.path,
        resource: r.logicalId,
        property: `${property}[${i}]`,
        message: 'must be a detail-type (a string)',
        fix: 'write the detail-type as the contract does, e.g. OrderManager.MakeOrder',
      });
      return [];
    }
    const matched = entriesFor(d);
    if (matched.length === 0) {
      findings.push({
        file: app.path,
        resource: r.logicalId,
        property: `${property}[${i}]`,
        message: `"${d}" is not a detail-type of the contract`,
        fix: 'write it as the contract does (see extensibility/catalog/CATALOG.md), or add the event to the contract (extensibility/catalog/schemas and examples)',
      });
    }
    return [
      { app, resource: r.logicalId, kind: 'function', property: `${property}[${i}]`, detailType: d, entries: matched },
    ];
  });
}

/** Producers of one app's template. */
export function producersOf(app: App, template: LoadedTemplate): Producers {
  const out: Producers = { producers: [], dynamic: [], findings: [] };
  for (const r of template.resources) {
    if (STATE_MACHINE_TYPES.has(r.type)) stateMachineProducers(app, r, out);
    if (FUNCTION_TYPES.has(r.type)) out.producers.push(...declaredEmits(app, r, out.findings));
  }
  return out;
}

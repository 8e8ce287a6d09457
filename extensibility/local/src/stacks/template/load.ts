// Template to resolved model: parameters, conditions, Globals, dependency order, then each
// resource resolved after everything it references, then outputs. All problems found on the way
// are reported together in one TemplateError.
import { readFileSync } from 'node:fs';
import { conditionLookup, evaluateConditions } from './conditions.js';
import { at, IssueCollector, messageOf, type Location } from './errors.js';
import { applyGlobals, parseGlobals, type Globals } from './globals.js';
import { orderResources, referencedResources, type Dependency } from './graph.js';
import { Evaluator, INVALID, NO_VALUE, type Environment, type ResourceState } from './intrinsics.js';
import { resolveParameters } from './parameters.js';
import { parseTemplateText } from './parse.js';
import { defaultResourceResolver, generatedPhysicalName, partitionOf, uuidFrom } from './resolver.js';
import {
  eventApi,
  hasSamEvents,
  IMPLICIT_HTTP_API,
  IMPLICIT_REST_API,
  isKnownSamType,
  isSamType,
  rawEvents,
  SAM_TRANSFORM,
  samDetails,
  type RawEvent,
} from './sam.js';
import type {
  LoadedOutput,
  LoadedResource,
  LoadedTemplate,
  LoadOptions,
  StackContext,
  TemplateResource,
} from './types.js';
import { isObject } from '../../json.js';

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Globals',
  'Resources',
  'Outputs',
]);
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'IgnoreGlobals',
  'Connectors',
]);
const LOGICAL_ID = /^[A-Za-z0-9]+$/;
const RESOURCE_TYPE =
  /^(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*|Custom::[A-Za-z0-9_@-]+|[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?)$/;

/** Reads, parses and resolves a template file. Throws TemplateError listing every problem found. */
export function loadTemplate(file: string, options: LoadOptions): LoadedTemplate {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const issues = new IssueCollector(file);
    issues.add(`cannot read template: ${messageOf(error)}`);
    issues.throwIfAny();
    throw error;
  }
  return resolveTemplate(parseTemplateText(text, file), file, options);
}

/** A template section the resolver works on: one resource before resolution. */
interface RawResource {
  logicalId: string;
  type: string;
  /** After Globals. */
  properties: Record<string, unknown>;
  definition: Record<string, unknown>;
  active: boolean;
  condition?: string;
  /** Its Condition is unknown or failed (already reported): neither created nor reported again. */
  conditionFailed?: true;
  explicitDependsOn: string[];
  implicit?: true;
  /** SAM Events as written (functions and state machines). */
  events?: RawEvent[];
}

/** Resolves an already parsed template (`file` names it in messages). */
export function resolveTemplate(template: unknown, file: string, options: LoadOptions): LoadedTemplate {
  const issues = new IssueCollector(file);
  const stack: StackContext = {
    stackName: options.stackName,
    region: options.region,
    accountId: options.accountId,
    ...(options.sqsEndpoint ? { sqsEndpoint: options.sqsEndpoint } : {}),
  };
  checkStack(stack, issues);
  if (!isObject(template)) {
    issues.add('a template must be a map with a Resources section');
    issues.throwIfAny();
    throw new Error('unreachable');
  }
  for (const key of Object.keys(template)) {
    if (!SECTIONS.has(key)) issues.add(`unknown template section '${key}'`, { path: key });
  }
  const version = template['AWSTemplateFormatVersion'];
  if (version !== undefined && version !== '2010-09-09') {
    issues.add("the only AWSTemplateFormatVersion is '2010-09-09'", { path: 'AWSTemplateFormatVersion' });
  }
  const isSam = checkTransform(template['Transform'], issues);
  if (template['Globals'] !== undefined && !isSam)
    issues.add(`Globals needs Transform: ${SAM_TRANSFORM}`, { path: 'Globals' });

  const parameters = resolveParameters(template['Parameters'], options.parameterOverrides ?? {}, issues);
  const { partition, urlSuffix } = partitionOf(stack.region);
  const pseudo = new Map<string, unknown>([
    ['AWS::Region', stack.region],
    ['AWS::AccountId', stack.accountId],
    ['AWS::StackName', stack.stackName],
    [
      'AWS::StackId',
      `arn:${partition}:cloudformation:${stack.region}:${stack.accountId}:stack/${stack.stackName}/${uuidFrom(`${stack.accountId}/${stack.region}/${stack.stackName}`)}`,
    ],
    ['AWS::Partition', partition],
    ['AWS::URLSuffix', urlSuffix],
    ['AWS::NotificationARNs', []],
    ['AWS::NoValue', NO_VALUE],
  ]);
  const mappings = template['Mappings'] ?? {};
  if (!isObject(mappings)) issues.add('must be a map of mappings', { path: 'Mappings' });

  const resourcesSection = template['Resources'];
  const definitions = isObject(resourcesSection) ? resourcesSection : {};
  if (!isObject(resourcesSection) || Object.keys(resourcesSection).length === 0) {
    issues.add('a template needs a Resources section with at least one resource', { path: 'Resources' });
  }
  const resourceIds = new Set(Object.keys(definitions));
  const parameterNames = new Set(isObject(template['Parameters']) ? Object.keys(template['Parameters']) : []);
  for (const id of resourceIds) {
    if (parameterNames.has(id))
      issues.add(`'${id}' is both a parameter and a resource`, { resource: id, path: `Resources.${id}` });
  }

  const baseEnv = {
    parameters,
    parameterNames,
    pseudo,
    mappings: isObject(mappings) ? mappings : {},
    resourceIds,
    region: stack.region,
    ...(options.exports ? { exports: options.exports } : {}),
  };
  const conditions = evaluateConditions(template['Conditions'], baseEnv, issues);
  const conditionNames = new Set(isObject(template['Conditions']) ? Object.keys(template['Conditions']) : []);
  const globals = isSam ? parseGlobals(template['Globals'], issues) : new Map();

  const raw = readResources(definitions, conditions, conditionNames, globals, isSam, issues);
  const implicitApis = addImplicitApis(raw, globals, issues);
  for (const id of implicitApis) resourceIds.add(id);
  for (const id of addSamDeadLetterQueues(raw, stack.stackName, issues)) resourceIds.add(id);

  // Dependencies, from active resources to active resources.
  const isActive = (id: string) => raw.get(id)?.active === true;
  const dependencies = new Map<string, Dependency[]>();
  for (const r of raw.values()) {
    if (!r.active) continue;
    const deps = r.explicitDependsOn.map((target) => ({
      target,
      via: `DependsOn at Resources.${r.logicalId}.DependsOn`,
    }));
    const base = `Resources.${r.logicalId}`;
    const scan = (value: unknown, path: string) =>
      referencedResources(
        value,
        path,
        (name) => isActive(name) && !parameterNames.has(name),
        (name) => conditions[name],
      );
    deps.push(...scan(r.properties, `${base}.Properties`), ...scan(r.definition['Metadata'], `${base}.Metadata`));
    for (const api of implicitApiUses(r)) deps.push({ target: api, via: `Events at ${base}.Properties.Events` });
    dependencies.set(r.logicalId, uniqueTargets(deps));
  }
  const position = new Map([...raw.keys()].map((id, i) => [id, i]));
  const byTemplateOrder = (ids: string[]) => ids.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const activeIds = [...raw.values()].filter((r) => r.active).map((r) => r.logicalId);
  const activeTypes = new Map([...raw.values()].filter((r) => r.active).map((r) => [r.logicalId, r.type]));
  const { order, cycles } = orderResources(activeIds, dependencies);
  for (const cycle of cycles) {
    issues.add(`circular dependency: ${cycle.path.join(' -> ')} (${cycle.via.join('; ')})`, {
      resource: cycle.path[0] as string,
      path: `Resources.${cycle.path[0] as string}`,
    });
  }

  // Resolve in dependency order; each Ref/GetAtt sees the resolved resource it names.
  const resolver = options.resolver ?? defaultResourceResolver(stack);
  const ready = new Map<string, LoadedResource>();
  const access = {
    state(id: string): ResourceState {
      const r = raw.get(id);
      if (r && !r.active && !r.conditionFailed) return { state: 'inactive', condition: r.condition ?? '' };
      return ready.has(id) ? { state: 'ready' } : { state: 'unavailable' };
    },
    ref: (id: string) => (ready.get(id) as LoadedResource).physicalId,
    getAtt: (id: string, attribute: string) =>
      resolver.getAtt(id, attribute, withoutPhysicalId(ready.get(id) as LoadedResource)),
  };
  const env: Environment = {
    ...baseEnv,
    resources: access,
    condition: conditionLookup(conditions, conditionNames, issues),
  };
  const evaluator = new Evaluator(env, issues);

  for (const id of order) {
    const r = raw.get(id) as RawResource;
    const dependsOn = byTemplateOrder((dependencies.get(id) ?? []).map((d) => d.target));
    const resolved = resolveResource(r, dependsOn, evaluator, issues, stack, activeTypes);
    if (!resolved) continue;
    try {
      const physicalId = resolver.ref(id, resolved);
      ready.set(id, {
        ...resolved,
        physicalId: typeof physicalId === 'string' ? physicalId : JSON.stringify(physicalId),
      });
    } catch (error) {
      issues.add(`resolving Ref: ${messageOf(error)}`, { resource: id, path: `Resources.${id}` });
    }
  }

  const outputs = resolveOutputs(template['Outputs'], evaluator, conditions, conditionNames, issues);
  issues.throwIfAny();

  const loaded: LoadedTemplate = {
    file,
    ...stack,
    parameters: Object.fromEntries(parameters),
    conditions,
    resources: order.map((id) => ready.get(id) as LoadedResource),
    outputs,
  };
  if (typeof template['Description'] === 'string') loaded.description = template['Description'];
  return loaded;
}

/** The resources in deletion order: dependents before what they depend on. */
export function deletionOrder(template: LoadedTemplate): LoadedResource[] {
  return [...template.resources].reverse();
}

function checkStack(stack: StackContext, issues: IssueCollector): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stack.stackName)) {
    issues.add(
      `stack name '${stack.stackName}' must start with a letter and contain only letters, digits and hyphens (at most 128)`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(stack.region)) issues.add(`'${stack.region}' is not a region name`);
  if (!/^\d{12}$/.test(stack.accountId)) issues.add(`account id '${stack.accountId}' must be 12 digits`);
}

function checkTransform(transform: unknown, issues: IssueCollector): boolean {
  if (transform === undefined) return false;
  const list = Array.isArray(transform) ? transform : [transform];
  let sam = false;
  list.forEach((t, i) => {
    if (t === SAM_TRANSFORM) sam = true;
    else {
      const name = typeof t === 'string' ? t : JSON.stringify(t);
      issues.add(`transform ${name} is not supported locally (only ${SAM_TRANSFORM})`, {
        path: Array.isArray(transform) ? `Transform[${i}]` : 'Transform',
      });
    }
  });
  return sam;
}

function readResources(
  definitions: Record<string, unknown>,
  conditions: Readonly<Record<string, boolean>>,
  conditionNames: ReadonlySet<string>,
  globals: Globals,
  isSam: boolean,
  issues: IssueCollector,
): Map<string, RawResource> {
  const raw = new Map<string, RawResource>();
  for (const [logicalId, definition] of Object.entries(definitions)) {
    const location: Location = { resource: logicalId, path: `Resources.${logicalId}` };
    if (!LOGICAL_ID.test(logicalId)) issues.add('logical ids must be alphanumeric', location);
    if (!isObject(definition)) {
      issues.add('a resource must be a map with Type', location);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!RESOURCE_ATTRIBUTES.has(key)) issues.add(`unknown resource attribute '${key}'`, at(location, key));
    }
    const type = definition['Type'];
    if (typeof type !== 'string' || !RESOURCE_TYPE.test(type)) {
      issues.add(
        `Type must be a resource type like AWS::Service::Resource, got ${JSON.stringify(type)}`,
        at(location, 'Type'),
      );
      continue;
    }
    if (isSamType(type) && !isSam) issues.add(`${type} needs Transform: ${SAM_TRANSFORM}`, at(location, 'Type'));
    else if (isSamType(type) && !isKnownSamType(type))
      issues.add(`unknown SAM resource type ${type}`, at(location, 'Type'));

    const rawProperties = definition['Properties'] ?? {};
    if (!isObject(rawProperties)) issues.add('Properties must be a map', at(location, 'Properties'));
    const properties = applyGlobals(
      globals,
      type,
      isObject(rawProperties) ? rawProperties : {},
      definition['IgnoreGlobals'],
      location,
      issues,
    );

    const r: RawResource = { logicalId, type, properties, definition, active: true, explicitDependsOn: [] };
    const condition = definition['Condition'];
    if (condition !== undefined) {
      if (typeof condition !== 'string') issues.add('Condition must be a condition name', at(location, 'Condition'));
      else if (!conditionNames.has(condition))
        issues.add(`unknown condition '${condition}'`, at(location, 'Condition'));
      else r.condition = condition;
      const value = r.condition === undefined ? undefined : conditions[r.condition];
      r.active = value === true;
      if (value === undefined) r.conditionFailed = true;
    }
    raw.set(logicalId, r);
  }
  for (const r of raw.values()) r.explicitDependsOn = readDependsOn(r, raw, issues);
  return raw;
}

function readDependsOn(r: RawResource, raw: ReadonlyMap<string, RawResource>, issues: IssueCollector): string[] {
  const value = r.definition['DependsOn'];
  if (value === undefined || !r.active) return [];
  const location: Location = { resource: r.logicalId, path: `Resources.${r.logicalId}.DependsOn` };
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!names || !names.every((n): n is string => typeof n === 'string')) {
    issues.add('DependsOn must be a logical id or a list of them', location);
    return [];
  }
  const result: string[] = [];
  for (const name of names) {
    const target = raw.get(name);
    if (!target) issues.add(`DependsOn unknown resource '${name}'`, location);
    else if (target.conditionFailed) continue;
    else if (!target.active)
      issues.add(
        `DependsOn '${name}', which is not created: its condition '${target.condition ?? ''}' is false`,
        location,
      );
    else result.push(name);
  }
  return result;
}

/** SAM creates ServerlessRestApi / ServerlessHttpApi for Api / HttpApi events that name no API. */
function addImplicitApis(raw: Map<string, RawResource>, globals: Globals, issues: IssueCollector): string[] {
  const needed = new Set<string>();
  for (const r of raw.values()) {
    if (!r.active || !hasSamEvents(r.type)) continue;
    r.events = rawEvents(r.type, r.properties['Events'], eventsLocation(r), issues);
    for (const event of r.events) {
      if (event.type === 'Api' && event.properties['RestApiId'] === undefined) needed.add(IMPLICIT_REST_API);
      if (event.type === 'HttpApi' && event.properties['ApiId'] === undefined) needed.add(IMPLICIT_HTTP_API);
    }
  }
  const added: string[] = [];
  for (const [id, type, base] of [
    [IMPLICIT_REST_API, 'AWS::Serverless::Api', { StageName: 'Prod' }],
    [IMPLICIT_HTTP_API, 'AWS::Serverless::HttpApi', {}],
  ] as const) {
    if (!needed.has(id)) continue;
    if (raw.has(id)) {
      issues.add(
        `'${id}' is the logical id SAM gives the implicit API of events without an API; rename this resource`,
        { resource: id, path: `Resources.${id}` },
      );
      continue;
    }
    const properties = applyGlobals(globals, type, { ...base }, undefined, { path: 'Globals' }, issues);
    const definition = { Type: type, Properties: properties };
    // Implicit APIs go first: every function using one depends on it.
    const entries = [...raw.entries()];
    raw.clear();
    raw.set(id, { logicalId: id, type, properties, definition, active: true, explicitDependsOn: [], implicit: true });
    for (const [k, v] of entries) raw.set(k, v);
    added.push(id);
  }
  return added;
}

/** Rule events whose target SAM gives a dead-letter queue it creates (`DeadLetterConfig: { Type: SQS }`). */
const DLQ_EVENT_TYPES = new Set(['EventBridgeRule', 'CloudWatchEvent', 'Schedule', 'ScheduleV2']);

/**
 * SAM's `DeadLetterConfig: { Type: SQS }` on a rule event: an AWS::SQS::Queue `<Resource><Event>Queue`
 * (or `QueueLogicalId`) with an AWS::SQS::QueuePolicy `<Queue>Policy` letting EventBridge send to it
 * for that rule, and the event's DeadLetterConfig rewritten to the queue's ARN, as the transform does.
 * The queue is a resource of the template: `!Ref`/`!GetAtt` reach it, and the function depends on it.
 * A ScheduleV2 event's queue has no policy: Scheduler sends with the schedule's role, which SAM lets
 * send to it (schedules.ts).
 */
function addSamDeadLetterQueues(raw: Map<string, RawResource>, stackName: string, issues: IssueCollector): string[] {
  const added: string[] = [];
  for (const r of [...raw.values()]) {
    if (!r.active || !r.events?.length) continue;
    for (const event of r.events) {
      const events = r.properties['Events'];
      if (!isObject(events)) break;
      const config = event.properties['DeadLetterConfig'];
      if (!DLQ_EVENT_TYPES.has(event.type) || !isObject(config) || config['Type'] === undefined) continue;
      const location: Location = {
        resource: r.logicalId,
        path: `Resources.${r.logicalId}.Properties.Events.${event.name}.Properties.DeadLetterConfig`,
      };
      if (config['Type'] !== 'SQS') {
        issues.add(`Type must be SQS (the only type of dead-letter queue SAM creates)`, at(location, 'Type'));
        continue;
      }
      if (config['Arn'] !== undefined) {
        issues.add('specify either Type or Arn, not both', location);
        continue;
      }
      const queueId =
        typeof config['QueueLogicalId'] === 'string' ? config['QueueLogicalId'] : `${r.logicalId}${event.name}Queue`;
      const policyId = `${queueId}Policy`;
      const scheduler = event.type === 'ScheduleV2';
      const clash = (scheduler ? [queueId] : [queueId, policyId]).find((id) => raw.has(id));
      if (clash) {
        issues.add(
          `'${clash}' is the logical id SAM gives this event's dead-letter queue; rename that resource`,
          location,
        );
        continue;
      }
      // The rule SAM generates for the event (`<Resource><Event>`), named as sam.ts names it.
      const ruleLogicalId = `${r.logicalId}${event.name}`;
      const ruleName =
        event.properties[event.type === 'Schedule' ? 'Name' : 'RuleName'] ??
        generatedPhysicalName(stackName, ruleLogicalId, { maxLength: 64 });
      const bus = event.properties['EventBusName'];
      const ruleArn = {
        'Fn::Sub': [
          bus === undefined || bus === 'default'
            ? 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}'
            : 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Bus}/${RuleName}',
          { RuleName: ruleName, ...(bus === undefined || bus === 'default' ? {} : { Bus: bus }) },
        ],
      };
      const queue = { Type: 'AWS::SQS::Queue', Properties: {} };
      const policy = {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: queueId }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
            ],
          },
        },
      };
      for (const [id, definition] of scheduler
        ? ([[queueId, queue]] as const)
        : ([
            [queueId, queue],
            [policyId, policy],
          ] as const))
        raw.set(id, {
          logicalId: id,
          type: definition.Type,
          properties: definition.Properties,
          definition,
          active: true,
          explicitDependsOn: [],
          implicit: true,
        });
      added.push(queueId, ...(scheduler ? [] : [policyId]));
      // The event targets the queue by ARN, as the transform writes it (a copy: the template stays as read).
      const found = events[event.name];
      const written = isObject(found) ? found : {};
      const writtenProperties = isObject(written['Properties']) ? written['Properties'] : {};
      const properties = { ...writtenProperties, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } };
      r.properties = { ...r.properties, Events: { ...events, [event.name]: { ...written, Properties: properties } } };
      event.properties = properties;
    }
  }
  return added;
}

/** The implicit APIs a resource's events attach to (the routes need the API to exist first). */
function implicitApiUses(r: RawResource): string[] {
  const uses = new Set<string>();
  for (const event of r.events ?? []) {
    if (event.type === 'Api' && event.properties['RestApiId'] === undefined) uses.add(IMPLICIT_REST_API);
    if (event.type === 'HttpApi' && event.properties['ApiId'] === undefined) uses.add(IMPLICIT_HTTP_API);
  }
  return [...uses];
}

function eventsLocation(r: RawResource): Location {
  return { resource: r.logicalId, path: `Resources.${r.logicalId}.Properties.Events` };
}

function uniqueTargets(deps: Dependency[]): Dependency[] {
  const seen = new Set<string>();
  return deps.filter((d) => !seen.has(d.target) && seen.add(d.target));
}

function resolveResource(
  r: RawResource,
  dependsOn: string[],
  evaluator: Evaluator,
  issues: IssueCollector,
  stack: StackContext,
  resourceTypes: ReadonlyMap<string, string>,
): TemplateResource | undefined {
  const before = issues.count;
  const location: Location = { resource: r.logicalId, path: `Resources.${r.logicalId}` };
  const properties = evaluator.value(r.properties, at(location, 'Properties'));
  const metadata =
    r.definition['Metadata'] === undefined
      ? undefined
      : evaluator.value(r.definition['Metadata'], at(location, 'Metadata'));
  const deletionPolicy = policyAttribute(r, 'DeletionPolicy', evaluator, location, issues);
  const updateReplacePolicy = policyAttribute(r, 'UpdateReplacePolicy', evaluator, location, issues);
  if (metadata !== undefined && metadata !== INVALID && !isObject(metadata))
    issues.add('Metadata must be a map', at(location, 'Metadata'));
  if (!isObject(properties) || issues.count > before) return undefined;

  const resource: TemplateResource = {
    logicalId: r.logicalId,
    type: r.type,
    properties,
    dependsOn,
  };
  if (isObject(metadata)) resource.metadata = metadata;
  if (r.condition !== undefined) resource.condition = r.condition;
  if (deletionPolicy !== undefined) resource.deletionPolicy = deletionPolicy;
  if (updateReplacePolicy !== undefined) resource.updateReplacePolicy = updateReplacePolicy;
  if (r.implicit) resource.implicit = true;

  if (r.events) {
    const eventsAt = eventsLocation(r);
    const apis = new Map<string, string | undefined>();
    const rawStreams = new Map<string, unknown>();
    for (const event of r.events) {
      apis.set(event.name, eventApi(event, resourceTypes, at(eventsAt, event.name), issues));
      rawStreams.set(event.name, event.properties['Stream']);
    }
    resource.sam = samDetails(resource, { stackName: stack.stackName, issues, apis, rawStreams });
    if (issues.count > before) return undefined;
  }
  return resource;
}

/** DeletionPolicy / UpdateReplacePolicy may use Ref or Fn::If, and must end up a known policy. */
function policyAttribute(
  r: RawResource,
  key: string,
  evaluator: Evaluator,
  location: Location,
  issues: IssueCollector,
): string | undefined {
  const raw = r.definition[key];
  if (raw === undefined) return undefined;
  const value = evaluator.value(raw, at(location, key));
  if (value === INVALID) return undefined;
  if (typeof value === 'string' && ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(value))
    return value;
  issues.add('must be Delete, Retain, RetainExceptOnCreate or Snapshot', at(location, key));
  return undefined;
}

function withoutPhysicalId(resource: LoadedResource): TemplateResource {
  const { physicalId: _physicalId, ...rest } = resource;
  return rest;
}

function resolveOutputs(
  section: unknown,
  evaluator: Evaluator,
  conditions: Readonly<Record<string, boolean>>,
  conditionNames: ReadonlySet<string>,
  issues: IssueCollector,
): Record<string, LoadedOutput> {
  const outputs: Record<string, LoadedOutput> = {};
  if (section === undefined) return outputs;
  if (!isObject(section)) {
    issues.add('must be a map of outputs', { path: 'Outputs' });
    return outputs;
  }
  const exportNames = new Map<string, string>();
  for (const [name, definition] of Object.entries(section)) {
    const location: Location = { path: `Outputs.${name}` };
    if (!LOGICAL_ID.test(name)) issues.add('output names must be alphanumeric', location);
    if (!isObject(definition) || !('Value' in definition)) {
      issues.add('an output needs a Value', location);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!['Value', 'Description', 'Export', 'Condition'].includes(key))
        issues.add(`unknown output attribute '${key}'`, at(location, key));
    }
    const condition = definition['Condition'];
    if (condition !== undefined) {
      if (typeof condition !== 'string' || !conditionNames.has(condition)) {
        issues.add(`unknown condition ${JSON.stringify(condition)}`, at(location, 'Condition'));
        continue;
      }
      if (conditions[condition] !== true) continue;
    }
    const value = evaluator.value(definition['Value'], at(location, 'Value'));
    if (value === INVALID) continue;
    if (value === NO_VALUE) {
      issues.add('the value is AWS::NoValue', at(location, 'Value'));
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      issues.add('an output value must be a string (use Fn::Join for a list)', at(location, 'Value'));
      continue;
    }
    const output: LoadedOutput = { value: String(value) };
    if (typeof definition['Description'] === 'string') output.description = definition['Description'];
    if (typeof condition === 'string') output.condition = condition;
    const exported = definition['Export'];
    if (exported !== undefined) {
      const exportName = isObject(exported)
        ? evaluator.value(exported['Name'], at(at(location, 'Export'), 'Name'))
        : INVALID;
      if (!isObject(exported)) issues.add('Export must be { Name: ... }', at(location, 'Export'));
      else if (exportName !== INVALID && typeof exportName !== 'string')
        issues.add('Export Name must be a string', at(at(location, 'Export'), 'Name'));
      else if (typeof exportName === 'string') {
        const other = exportNames.get(exportName);
        if (other)
          issues.add(
            `export name '${exportName}' is also exported by output '${other}'`,
            at(at(location, 'Export'), 'Name'),
          );
        exportNames.set(exportName, name);
        output.exportName = exportName;
      }
    }
    outputs[name] = output;
  }
  return outputs;
}

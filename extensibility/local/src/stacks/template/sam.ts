// What the SAM transform would generate from a function's or state machine's Events and Policies,
// normalised so the deployer can create rules, routes and event source mappings without knowing
// SAM's event property names. Event maps and their Type must be literal (SAM reads them before
// any intrinsic is resolved); the event properties themselves are resolved like any property.
import { at, type IssueCollector, type Location } from './errors.js';
import { intrinsicName } from './intrinsics.js';
import { generatedPhysicalName } from './resolver.js';
import type {
  SamApiEvent,
  SamDetails,
  SamDynamoDbEvent,
  SamEvent,
  SamPolicy,
  SamRuleEvent,
  SamScheduleEvent,
  TemplateResource,
} from './types.js';
import { isObject } from '../../json.js';

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

const SAM_TYPES = new Set([
  'AWS::Serverless::Function',
  'AWS::Serverless::Api',
  'AWS::Serverless::HttpApi',
  'AWS::Serverless::SimpleTable',
  'AWS::Serverless::StateMachine',
  'AWS::Serverless::LayerVersion',
  'AWS::Serverless::Application',
  'AWS::Serverless::Connector',
  'AWS::Serverless::GraphQLApi',
]);

const EVENT_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  'AWS::Serverless::Function': new Set([
    'S3',
    'SNS',
    'Kinesis',
    'DynamoDB',
    'SQS',
    'Api',
    'Schedule',
    'ScheduleV2',
    'CloudWatchEvent',
    'EventBridgeRule',
    'CloudWatchLogs',
    'IoTRule',
    'AlexaSkill',
    'Cognito',
    'HttpApi',
    'MSK',
    'MQ',
    'SelfManagedKafka',
    'DocumentDB',
  ]),
  'AWS::Serverless::StateMachine': new Set(['Api', 'Schedule', 'ScheduleV2', 'CloudWatchEvent', 'EventBridgeRule']),
};

export function isSamType(type: string): boolean {
  return type.startsWith('AWS::Serverless::');
}

export function isKnownSamType(type: string): boolean {
  return SAM_TYPES.has(type);
}

export function hasSamEvents(type: string): boolean {
  return type in EVENT_TYPES;
}

/** An event as written: its name, literal Type, and raw (unresolved) Properties. */
export interface RawEvent {
  name: string;
  type: string;
  properties: Record<string, unknown>;
}

/** Reads the literal structure of Events, reporting what SAM would reject. */
export function rawEvents(
  resourceType: string,
  events: unknown,
  location: Location,
  issues: IssueCollector,
): RawEvent[] {
  if (events === undefined) return [];
  if (!isObject(events) || intrinsicName(events)) {
    issues.add('Events must be a map of event names to { Type, Properties }', location);
    return [];
  }
  const allowed = EVENT_TYPES[resourceType];
  const result: RawEvent[] = [];
  for (const [name, event] of Object.entries(events)) {
    const eventAt = at(location, name);
    if (!isObject(event) || typeof event['Type'] !== 'string') {
      issues.add('an event needs a literal Type', eventAt);
      continue;
    }
    const type = event['Type'];
    if (allowed && !allowed.has(type)) {
      issues.add(`unknown event type '${type}' for ${resourceType}`, at(eventAt, 'Type'));
      continue;
    }
    const properties = event['Properties'] ?? {};
    if (!isObject(properties)) {
      issues.add('Properties must be a map', at(eventAt, 'Properties'));
      continue;
    }
    result.push({ name, type, properties });
  }
  return result;
}

/**
 * The API an Api/HttpApi event attaches to: a Ref to an API resource in this template, or the
 * implicit API SAM creates when the event names none. Undefined for other events.
 */
export function eventApi(
  event: RawEvent,
  apiTypes: ReadonlyMap<string, string>,
  location: Location,
  issues: IssueCollector,
): string | undefined {
  const spec =
    event.type === 'Api'
      ? { key: 'RestApiId', type: 'AWS::Serverless::Api', implicit: IMPLICIT_REST_API }
      : event.type === 'HttpApi'
        ? { key: 'ApiId', type: 'AWS::Serverless::HttpApi', implicit: IMPLICIT_HTTP_API }
        : undefined;
  if (!spec) return undefined;
  const raw = event.properties[spec.key];
  if (raw === undefined) return spec.implicit;
  const target = isObject(raw) && intrinsicName(raw) === 'Ref' ? raw['Ref'] : undefined;
  if (typeof target === 'string' && apiTypes.get(target) === spec.type) return target;
  issues.add(
    `${spec.key} must be a Ref to an ${spec.type} resource in this template`,
    at(at(location, 'Properties'), spec.key),
  );
  return undefined;
}

interface NormaliseContext {
  stackName: string;
  issues: IssueCollector;
  /** Raw events (from rawEvents) by name, for what only the unresolved template says (which API). */
  apis: ReadonlyMap<string, string | undefined>;
  /** Raw Stream property by event name, to name the table of a DynamoDB event. */
  rawStreams: ReadonlyMap<string, unknown>;
}

/** Events and Policies of a resolved SAM function / state machine. */
export function samDetails(resource: TemplateResource, context: NormaliseContext): SamDetails {
  const location: Location = { resource: resource.logicalId, path: `Resources.${resource.logicalId}.Properties` };
  const events: SamEvent[] = [];
  const resolvedEvents = resource.properties['Events'];
  if (isObject(resolvedEvents)) {
    for (const [name, event] of Object.entries(resolvedEvents)) {
      if (!isObject(event) || typeof event['Type'] !== 'string') continue;
      const properties = isObject(event['Properties']) ? event['Properties'] : {};
      const normalised = normaliseEvent(
        resource,
        name,
        event['Type'],
        properties,
        context,
        at(at(location, 'Events'), name),
      );
      if (normalised) events.push(normalised);
    }
  }
  return {
    events,
    policies: normalisePolicies(resource.properties['Policies'], at(location, 'Policies'), context.issues),
  };
}

function normaliseEvent(
  resource: TemplateResource,
  name: string,
  type: string,
  properties: Record<string, unknown>,
  context: NormaliseContext,
  location: Location,
): SamEvent | undefined {
  const { issues } = context;
  const generatedLogicalId = `${resource.logicalId}${name}`;
  const isFunction = resource.type === 'AWS::Serverless::Function';
  const propsAt = at(location, 'Properties');
  const str = (key: string) => optionalString(properties, key, propsAt, issues);
  const base = { name, type, properties };

  switch (type) {
    case 'EventBridgeRule':
    case 'CloudWatchEvent':
    case 'Schedule': {
      const isSchedule = type === 'Schedule';
      const pattern = properties['Pattern'];
      const scheduleExpression = isSchedule ? str('Schedule') : undefined;
      if (isSchedule && scheduleExpression === undefined) return missing('Schedule', propsAt, issues);
      if (!isSchedule && !isObject(pattern)) return missing('Pattern', propsAt, issues);
      const target = properties['Target'];
      const targetId = isObject(target) && typeof target['Id'] === 'string' ? target['Id'] : undefined;
      const event: SamRuleEvent = {
        ...base,
        kind: 'rule',
        ruleLogicalId: generatedLogicalId,
        ruleName:
          str(isSchedule ? 'Name' : 'RuleName') ??
          generatedPhysicalName(context.stackName, generatedLogicalId, { maxLength: 64 }),
        eventBusName: str('EventBusName') ?? 'default',
        state:
          str('State') ??
          (properties['Enabled'] === false || properties['Enabled'] === 'false' ? 'DISABLED' : 'ENABLED'),
        targetId: targetId ?? `${generatedLogicalId}${isFunction ? 'LambdaTarget' : 'StepFunctionsTarget'}`,
      };
      if (pattern !== undefined) event.pattern = pattern;
      if (scheduleExpression !== undefined) event.scheduleExpression = scheduleExpression;
      const input = str('Input');
      if (input !== undefined) event.input = input;
      const inputPath = str('InputPath');
      if (inputPath !== undefined) event.inputPath = inputPath;
      if (properties['InputTransformer'] !== undefined) event.inputTransformer = properties['InputTransformer'];
      if (properties['DeadLetterConfig'] !== undefined) event.deadLetterConfig = properties['DeadLetterConfig'];
      if (properties['RetryPolicy'] !== undefined) event.retryPolicy = properties['RetryPolicy'];
      return event;
    }
    case 'ScheduleV2': {
      const scheduleExpression = str('ScheduleExpression');
      if (scheduleExpression === undefined) return missing('ScheduleExpression', propsAt, issues);
      const name = str('Name');
      const omitName = properties['OmitName'] === true || properties['OmitName'] === 'true';
      if (omitName && name !== undefined) issues.add('Name cannot be set when OmitName is True', at(propsAt, 'Name'));
      const event: SamScheduleEvent = {
        ...base,
        kind: 'schedule',
        scheduleLogicalId: generatedLogicalId,
        // SAM names the schedule after its logical id (the same name in every stack of the
        // template); OmitName leaves the name to CloudFormation.
        scheduleName:
          name ??
          (omitName
            ? generatedPhysicalName(context.stackName, generatedLogicalId, { maxLength: 64 })
            : generatedLogicalId),
        scheduleExpression,
        state: str('State') ?? 'ENABLED',
      };
      const optional = {
        timezone: str('ScheduleExpressionTimezone'),
        groupName: str('GroupName'),
        input: str('Input'),
        description: str('Description'),
        startDate: str('StartDate'),
        endDate: str('EndDate'),
        roleArn: str('RoleArn'),
        kmsKeyArn: str('KmsKeyArn'),
      };
      for (const [key, value] of Object.entries(optional))
        if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
      if (properties['FlexibleTimeWindow'] !== undefined) event.flexibleTimeWindow = properties['FlexibleTimeWindow'];
      if (properties['RetryPolicy'] !== undefined) event.retryPolicy = properties['RetryPolicy'];
      if (properties['DeadLetterConfig'] !== undefined) event.deadLetterConfig = properties['DeadLetterConfig'];
      return event;
    }
    case 'Api':
    case 'HttpApi': {
      const api = context.apis.get(name);
      if (api === undefined) return undefined; // reported by eventApi
      const path = str('Path');
      const method = str('Method');
      if (type === 'Api' && (path === undefined || method === undefined))
        return missing('Path and Method', propsAt, issues);
      const event: SamApiEvent = {
        ...base,
        kind: type === 'Api' ? 'api' : 'httpApi',
        api,
        // SAM's HttpApi default route: no Path and no Method catches every unmatched request.
        path: path ?? '$default',
        method: (method ?? 'ANY').toUpperCase(),
      };
      if (type === 'HttpApi') event.payloadFormatVersion = str('PayloadFormatVersion') ?? '2.0';
      const timeout = properties['TimeoutInMillis'];
      if (timeout !== undefined) event.timeoutInMillis = Number(timeout);
      if (properties['Auth'] !== undefined) event.auth = properties['Auth'];
      return event;
    }
    case 'DynamoDB': {
      const stream = str('Stream');
      if (stream === undefined) return missing('Stream', propsAt, issues);
      const event: SamDynamoDbEvent = {
        ...base,
        kind: 'dynamodb',
        mappingLogicalId: generatedLogicalId,
        stream,
        enabled: properties['Enabled'] !== false && properties['Enabled'] !== 'false',
      };
      const table = streamTable(context.rawStreams.get(name));
      if (table !== undefined) event.table = table;
      const startingPosition = str('StartingPosition');
      if (startingPosition !== undefined) event.startingPosition = startingPosition;
      const batchSize = optionalNumber(properties['BatchSize']);
      if (batchSize !== undefined) event.batchSize = batchSize;
      const window = optionalNumber(properties['MaximumBatchingWindowInSeconds']);
      if (window !== undefined) event.maximumBatchingWindowInSeconds = window;
      if (properties['FilterCriteria'] !== undefined) event.filterCriteria = properties['FilterCriteria'];
      return event;
    }
    case 'SQS': {
      const queue = str('Queue');
      if (queue === undefined) return missing('Queue', propsAt, issues);
      return {
        ...base,
        kind: 'sqs',
        mappingLogicalId: generatedLogicalId,
        queue,
        enabled: properties['Enabled'] !== false && properties['Enabled'] !== 'false',
      };
    }
    default:
      return { ...base, kind: 'other' };
  }
}

/** `Fn::GetAtt Table.StreamArn` in either form names the table. */
function streamTable(raw: unknown): string | undefined {
  if (!isObject(raw) || intrinsicName(raw) !== 'Fn::GetAtt') return undefined;
  const arg = raw['Fn::GetAtt'];
  if (typeof arg === 'string') return arg.endsWith('.StreamArn') ? arg.slice(0, -'.StreamArn'.length) : undefined;
  return Array.isArray(arg) && arg[1] === 'StreamArn' && typeof arg[0] === 'string' ? arg[0] : undefined;
}

/**
 * SAM's Policies: a managed policy name/ARN, a list mixing those with policy templates
 * ({ DynamoDBCrudPolicy: { TableName: ... } }) and inline documents ({ Statement: [...] }).
 */
function normalisePolicies(policies: unknown, location: Location, issues: IssueCollector): SamPolicy[] {
  if (policies === undefined) return [];
  const list = Array.isArray(policies) ? policies : [policies];
  const result: SamPolicy[] = [];
  list.forEach((policy, i) => {
    const itemAt = Array.isArray(policies) ? at(location, i) : location;
    if (typeof policy === 'string') {
      result.push({ kind: 'managed', policy });
      return;
    }
    if (isObject(policy) && 'Statement' in policy) {
      result.push({ kind: 'document', document: policy });
      return;
    }
    const keys = isObject(policy) ? Object.keys(policy) : [];
    const template = keys[0];
    const parameters = template !== undefined && isObject(policy) ? policy[template] : undefined;
    if (keys.length === 1 && template !== undefined && isObject(parameters)) {
      result.push({ kind: 'template', template, parameters });
      return;
    }
    issues.add(
      'a policy must be a managed policy name or ARN, a policy template ({ Name: { ... } }) or a policy document',
      itemAt,
    );
  });
  return result;
}

function optionalString(
  properties: Record<string, unknown>,
  key: string,
  location: Location,
  issues: IssueCollector,
): string | undefined {
  const value = properties[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  issues.add('must be a string', at(location, key));
  return undefined;
}

function optionalNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function missing(what: string, location: Location, issues: IssueCollector): undefined {
  issues.add(`${what} ${what.includes(' and ') ? 'are' : 'is'} required`, location);
  return undefined;
}

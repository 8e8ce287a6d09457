// The public model the loader produces; the deployer turns it into local resources.

/** A parameter's value as Ref sees it: String and Number give a string, list types give string[]. */
export type ParameterValue = string | string[];

/** A resource with every intrinsic resolved, Globals merged and conditions applied. */
export interface TemplateResource {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** The resource's Condition (it evaluated to true, otherwise the resource is left out). */
  condition?: string;
  /** Explicit DependsOn plus every resource this one references (Ref, Fn::GetAtt, Fn::Sub), template order. */
  dependsOn: string[];
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  /** Created by SAM, not written in the template: ServerlessRestApi / ServerlessHttpApi. */
  implicit?: true;
  /** Events and policies of AWS::Serverless::Function / AWS::Serverless::StateMachine, normalised. */
  sam?: SamDetails;
}

export interface LoadedResource extends TemplateResource {
  /** What Ref returns for this resource, from the resolver. */
  physicalId: string;
}

export interface LoadedOutput {
  value: unknown;
  description?: string;
  exportName?: string;
  condition?: string;
}

export interface LoadedTemplate {
  file: string;
  stackName: string;
  region: string;
  accountId: string;
  description?: string;
  parameters: Record<string, ParameterValue>;
  conditions: Record<string, boolean>;
  /** Dependency order: deploy front to back, delete back to front. */
  resources: LoadedResource[];
  outputs: Record<string, LoadedOutput>;
}

/** Decides what Ref / Fn::GetAtt of a resource return, so the deployer picks local names and ARNs. */
export interface ResourceRefResolver {
  /** Physical id returned by Ref for a logical resource (name for tables/buses/functions, ARN for state machines, etc.) */
  ref(logicalId: string, resource: TemplateResource): unknown;
  /** Fn::GetAtt; throw an Error to report an unknown attribute. */
  getAtt(logicalId: string, attribute: string, resource: TemplateResource): unknown;
}

export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  /**
   * Where queue URLs point (the local cloud's edge): Ref of an AWS::SQS::Queue is
   * `<sqsEndpoint>/<account>/<name>`, since SDK v3 sends each request to its QueueUrl's host.
   * AWS's `https://sqs.<region>.amazonaws.com` when unset.
   */
  sqsEndpoint?: string;
}

export interface LoadOptions extends StackContext {
  /** Values by parameter name, e.g. from parseParameterOverrides('--parameter-overrides' text). */
  parameterOverrides?: Record<string, string>;
  /** Defaults to defaultResourceResolver(stack). */
  resolver?: ResourceRefResolver;
  /** Other stacks' exports, for Fn::ImportValue; without it Fn::ImportValue is an error. */
  exports?: Record<string, string>;
}

// ---- SAM ----------------------------------------------------------------------------------------

export interface SamDetails {
  events: SamEvent[];
  policies: SamPolicy[];
}

interface SamEventBase {
  /** The event's key under Events. */
  name: string;
  /** The SAM event type as written (EventBridgeRule, CloudWatchEvent, Schedule, ...). */
  type: string;
  /** The event's Properties, resolved. */
  properties: Record<string, unknown>;
}

/** EventBridgeRule, CloudWatchEvent and Schedule: SAM creates an AWS::Events::Rule targeting the resource. */
export interface SamRuleEvent extends SamEventBase {
  kind: 'rule';
  /** Logical id SAM gives the generated rule: `<ResourceId><EventName>`. */
  ruleLogicalId: string;
  /** RuleName/Name if set, else the CloudFormation-style generated name of ruleLogicalId. */
  ruleName: string;
  /** EventBusName as written (name or ARN); "default" when omitted. */
  eventBusName: string;
  pattern?: unknown;
  scheduleExpression?: string;
  /** ENABLED / DISABLED (Schedule's Enabled: false maps to DISABLED). */
  state: string;
  targetId: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: unknown;
  deadLetterConfig?: unknown;
  retryPolicy?: unknown;
}

/** ScheduleV2: an EventBridge Scheduler schedule (SAM's AWS::Scheduler::Schedule) targeting the resource. */
export interface SamScheduleEvent extends SamEventBase {
  kind: 'schedule';
  /** Logical id SAM gives the generated schedule: `<ResourceId><EventName>`. */
  scheduleLogicalId: string;
  /** Name if set; else, as SAM does, the schedule's logical id, or a generated name with OmitName. */
  scheduleName: string;
  scheduleExpression: string;
  timezone?: string;
  groupName?: string;
  /** ENABLED unless State says otherwise. */
  state: string;
  input?: string;
  description?: string;
  startDate?: string;
  endDate?: string;
  flexibleTimeWindow?: unknown;
  retryPolicy?: unknown;
  deadLetterConfig?: unknown;
  roleArn?: string;
  kmsKeyArn?: string;
}

/** Api (REST) and HttpApi routes; `api` is the logical id of the API (ServerlessRestApi/ServerlessHttpApi when implicit). */
export interface SamApiEvent extends SamEventBase {
  kind: 'api' | 'httpApi';
  api: string;
  /** `$default` for an HttpApi event without Path and Method. */
  path: string;
  /** Upper case; `ANY` for the HttpApi default route. */
  method: string;
  /** HttpApi only; "2.0" unless set. */
  payloadFormatVersion?: string;
  timeoutInMillis?: number;
  auth?: unknown;
}

/** DynamoDB stream: an AWS::Lambda::EventSourceMapping. */
export interface SamDynamoDbEvent extends SamEventBase {
  kind: 'dynamodb';
  mappingLogicalId: string;
  /** The stream ARN as resolved (usually Fn::GetAtt Table.StreamArn). */
  stream: string;
  /** Logical id of the table when Stream is `Fn::GetAtt <Table>.StreamArn`. */
  table?: string;
  startingPosition?: string;
  batchSize?: number;
  enabled: boolean;
  filterCriteria?: unknown;
  maximumBatchingWindowInSeconds?: number;
}

/** SQS queue: an AWS::Lambda::EventSourceMapping polling the queue. */
export interface SamSqsEvent extends SamEventBase {
  kind: 'sqs';
  mappingLogicalId: string;
  /** The queue's ARN as resolved (usually Fn::GetAtt Queue.Arn). */
  queue: string;
  enabled: boolean;
}

/** Any other event type (SNS, S3, ...): passed through resolved. */
export interface SamOtherEvent extends SamEventBase {
  kind: 'other';
}

export type SamEvent = SamRuleEvent | SamScheduleEvent | SamApiEvent | SamDynamoDbEvent | SamSqsEvent | SamOtherEvent;

export type SamPolicy =
  /** A managed policy, by name or ARN. */
  | { kind: 'managed'; policy: string }
  /** A SAM policy template, e.g. DynamoDBCrudPolicy: { TableName: ... }. */
  | { kind: 'template'; template: string; parameters: Record<string, unknown> }
  /** An inline policy document (has Statement). */
  | { kind: 'document'; document: Record<string, unknown> };

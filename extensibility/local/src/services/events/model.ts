// The EventBridge data model as the API describes it, plus the compiled pattern each rule keeps.
import type { CompiledPattern } from './pattern/index.js';
import type { InputRenderer } from './transform.js';

export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  'replay-name'?: string;
}

export interface TargetDefinition {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface Target {
  definition: TargetDefinition;
  render: InputRenderer;
}

export interface Rule {
  name: string;
  arn: string;
  busName: string;
  state: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  description?: string;
  eventPattern?: string;
  /** Compiled once at PutRule: matching never re-parses the pattern. */
  pattern?: CompiledPattern;
  scheduleExpression?: string;
  roleArn?: string;
  managedBy?: string;
  createdBy: string;
  targets: Map<string, Target>;
}

export interface Bus {
  name: string;
  arn: string;
  description?: string;
  creationTime: Date;
  rules: Map<string, Rule>;
}

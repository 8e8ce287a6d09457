import { isObject } from '../../../json.js';
// The Amazon States Language as data: JSON values and the shape of a definition. Field types are
// loose on purpose (asl-validator checks the schema; the interpreter checks what it reads).

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type QueryLanguage = 'JSONPath' | 'JSONata';

export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

export interface RetrierDef {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
  Comment?: string;
}

export interface CatcherDef {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: JsonValue;
  Assign?: JsonObject;
  Comment?: string;
}

/** A Choice rule, or a nested And/Or/Not clause (which has no Next). */
export interface ChoiceRuleDef {
  Next?: string;
  Variable?: string;
  And?: ChoiceRuleDef[];
  Or?: ChoiceRuleDef[];
  Not?: ChoiceRuleDef;
  Condition?: string | boolean;
  Assign?: JsonObject;
  Output?: JsonValue;
  Comment?: string;
  [operator: string]: unknown;
}

export interface StateDef {
  Type: StateType;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  Next?: string;
  End?: boolean;
  // JSONPath input/output processing
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  Parameters?: JsonValue;
  ResultSelector?: JsonValue;
  Result?: JsonValue;
  // JSONata input/output processing and variables
  Arguments?: JsonValue;
  Output?: JsonValue;
  Assign?: JsonObject;
  // Task
  Resource?: string;
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
  Credentials?: JsonValue;
  Retry?: RetrierDef[];
  Catch?: CatcherDef[];
  // Choice
  Choices?: ChoiceRuleDef[];
  Default?: string;
  // Wait
  Seconds?: number | string;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  // Fail
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
  // Parallel
  Branches?: MachineDef[];
  // Map
  ItemsPath?: string;
  Items?: JsonValue;
  ItemSelector?: JsonValue;
  ItemProcessor?: ProcessorDef;
  Iterator?: ProcessorDef;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
  ToleratedFailureCount?: number | string;
  ToleratedFailureCountPath?: string;
  ToleratedFailurePercentage?: number | string;
  ToleratedFailurePercentagePath?: string;
  ItemReader?: JsonValue;
  ItemBatcher?: JsonValue;
  ResultWriter?: JsonValue;
  Label?: string;
}

export interface MachineDef {
  Comment?: string;
  StartAt: string;
  States: Record<string, StateDef>;
  TimeoutSeconds?: number;
  Version?: string;
  QueryLanguage?: QueryLanguage;
}

export interface ProcessorDef extends MachineDef {
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

/** isObject, narrowed to the engine's JSON type (state data is JSON by construction). */
export const isJsonObject = isObject as (value: unknown) => value is JsonObject;

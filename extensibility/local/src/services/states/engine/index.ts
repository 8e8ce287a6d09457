// The ASL interpreter core: an embeddable Step Functions engine (no HTTP, no AWS services). The
// Step Functions API on the edge server and the service integrations (TaskRunner) plug in here.

export { StepFunctionsEngine } from './engine.js';
export type {
  EngineListener,
  EngineNotification,
  EngineOptions,
  ExecutionDescription,
  ExecutionListItem,
  ExecutionSnapshot,
  ExecutionStatus,
  ImportOptions,
  StartExecutionParams,
  StartExecutionResult,
  StateMachineRef,
  StateMachineType,
  SyncExecutionResult,
} from './engine.js';
export type { IntegrationPattern, TaskContext, TaskRunner } from './execution.js';
export { createManualClock, createScaledClock } from './clock.js';
export type { EngineClock, ManualClock, ScaledClockOptions, TimerHandle } from './clock.js';
export { SfnApiError, StatesError, StatesErrorName, TaskError, errorMatches } from './errors.js';
export type { SfnApiErrorCode } from './errors.js';
export type { HistoryEvent, HistoryEventDetails, HistoryEventType } from './history.js';
export { parseDefinition, validateDefinition } from './validate.js';
export type { ValidationOptions, ValidationResult } from './validate.js';
export type { JsonObject, JsonValue, MachineDef, QueryLanguage, StateDef, StateType } from './types.js';

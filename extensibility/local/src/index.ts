// The local cloud's public API.
export { startLocalCloud, type LocalCloud, type LocalCloudOptions, type ResumeReport } from './cloud.js';
export { DEFAULT_EDGE_HOST, DEFAULT_EDGE_PORT } from './edge/server.js';
export { AwsError } from './edge/errors.js';
export { DEFAULT_ACCOUNT, arns, parseArn, type Account } from './arn.js';
export { timeScale, type TimeScale } from './time.js';
export {
  inProcessFunction,
  type LambdaHandler,
  type LocalFunction,
  type LambdaContext,
} from './services/lambda/functions.js';
export { LEGACY_REQUEST_SIZE_LIMIT, DEFAULT_REQUEST_SIZE_LIMIT } from './services/events/put-events.js';
export type { EventEnvelope } from './services/events/model.js';
export type { DeadLetter } from './services/events/dead-letters.js';
export type { Counts } from './services/events/counters.js';
export type { Usage, FunctionUsage } from './admin/usage.js';
export type { ConsumedUnits } from './services/dynamodb/consumed-capacity.js';
export { SchedulerService, type Schedule, type CreateScheduleInput } from './services/scheduler/service.js';
export { StatesService, type StateMachineRecord, type RegisterStateMachineParams } from './services/states/service.js';
export { createLocalTaskRunner, type LocalTaskRunnerDeps } from './services/states/tasks.js';
export {
  StepFunctionsEngine,
  SfnApiError,
  TaskError,
  // A clock a test moves by hand: the engine's timeouts to the millisecond, no real waits.
  createManualClock,
  type ManualClock,
  type ExecutionDescription,
  type ExecutionStatus,
  type HistoryEvent,
  type StateMachineType,
} from './services/states/engine/index.js';
export { emulatedRuntime } from './services/lambda/runtime/node.js';
export { DynamoDbService, DynamoDbError, DYNAMODB_TARGET, STREAMS_TARGET } from './services/dynamodb/service.js';
export { checkJava, JavaMissingError, MINIMUM_JAVA } from './services/dynamodb/java.js';
export {
  StreamPollers,
  StreamPoller,
  lambdaRecord,
  type StreamMappingSpec,
} from './services/dynamodb/stream-pollers.js';
export { Stacks, templateFileOf, defaultStackName, type DeployRequest } from './stacks/stacks.js';
export type { StackRecord, StackApi, StackEventApi, DeployedResource } from './stacks/model.js';
export { EventApisService, type PublishResult } from './services/appsync/service.js';
export { RealtimeServer, EVENT_SUBPROTOCOL, type RealtimeOptions } from './services/appsync/realtime.js';
export { iamRequestOf, type IamCheck } from './services/appsync/auth.js';
export { localAppSyncUrls } from './services/appsync/urls.js';
export { parseParameterOverrides, TemplateError } from './stacks/template/index.js';
export { SqsService } from './services/sqs/service.js';
export { SqsError } from './services/sqs/errors.js';
export { sqsAuthorization, type SqsAuthorization } from './services/sqs/actions.js';
export { Alarms, type AlarmView, type AlarmStateValue } from './services/cloudwatch/alarms.js';
export {
  Iam,
  IAM_MODES,
  InvalidPolicyError,
  type IamMode,
  type IamCall,
  type CallAuthorizer,
  type Credentials,
  type RoleReport,
  type Denial,
} from './iam/iam.js';
export { callFor } from './iam/calls.js';
export { iamAction, iamArn } from './iam/catalog.js';

// EventBridge Scheduler schedules: AWS::Scheduler::Schedule, and the one SAM creates for a
// ScheduleV2 event of a function or state machine. Created through the Scheduler service's own
// CreateSchedule, so the same validation applies as for the API; a bad one fails the deploy with
// the template's property.
import { AwsError } from '../../edge/errors.js';
import {
  ScheduleValidationError,
  type CreateScheduleInput,
  type SchedulerService,
} from '../../services/scheduler/service.js';
import { SCHEDULER_PRINCIPAL } from '../../iam/deliveries.js';
import type { Iam } from '../../iam/iam.js';
import { samRoleName } from '../../iam/sam/roles.js';
import type { SamScheduleEvent } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

/** Creates the schedule and registers its removal; `property` maps a request member to the template property. */
function createSchedule(
  scheduler: SchedulerService,
  input: CreateScheduleInput,
  ctx: DeployContext,
  logicalId: string,
  property: (member: string) => string | undefined,
): void {
  try {
    scheduler.create(input);
  } catch (e) {
    if (e instanceof ScheduleValidationError)
      throw new DeployError(ctx.template.file, logicalId, property(e.member), e.message);
    if (e instanceof AwsError && e.code === 'ConflictException') {
      throw new DeployError(
        ctx.template.file,
        logicalId,
        property('Name'),
        `${e.message} (another stack or a CreateSchedule call owns it)`,
      );
    }
    throw e;
  }
  ctx.onDelete(() => void scheduler.delete(input.Name, input.GroupName));
}

/**
 * The role SAM generates for a ScheduleV2 event without `RoleArn` (`<Function><Event>Role`):
 * Scheduler may assume it, and it may invoke the target (`lambda:InvokeFunction` in
 * `<Function><Event>LambdaPolicy`, `states:StartExecution` in `<StateMachine><Event>StartExecutionPolicy`)
 * and send to the event's dead-letter queue (`sqs:SendMessage` in `<Function><Event>SQSPolicy`).
 * It goes with the event. Answers its ARN.
 */
function samScheduleRole(
  iam: Iam | undefined,
  ctx: DeployContext,
  scheduleLogicalId: string,
  targetArn: string,
  deadLetterQueue: string | undefined,
): string {
  const roleName = samRoleName(ctx.template.stackName, scheduleLogicalId);
  const isStateMachine = targetArn.startsWith('arn:aws:states:');
  if (iam) {
    iam.putRole({
      roleName,
      sessionName: roleName,
      stack: ctx.template.stackName,
      logicalId: `${scheduleLogicalId}Role`,
      trustedServices: [SCHEDULER_PRINCIPAL],
      policies: [
        {
          name: `${scheduleLogicalId}${isStateMachine ? 'StartExecutionPolicy' : 'LambdaPolicy'}`,
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: isStateMachine ? 'states:StartExecution' : 'lambda:InvokeFunction',
                Resource: targetArn,
              },
            ],
          },
        },
        ...(deadLetterQueue
          ? [
              {
                name: `${scheduleLogicalId}SQSPolicy`,
                document: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: deadLetterQueue }],
                },
              },
            ]
          : []),
      ],
    });
    ctx.onDelete(() => iam.deleteRole(roleName));
  }
  return `arn:aws:iam::${ctx.template.accountId}:role/${roleName}`;
}

/** The AWS::Scheduler::Schedule SAM generates for a ScheduleV2 event, targeting `arn`. */
export function samSchedule(
  scheduler: SchedulerService,
  event: SamScheduleEvent,
  arn: string,
  ctx: DeployContext,
  logicalId: string,
  /** The local cloud's IAM: the role SAM generates is made there. */
  iam?: Iam,
): void {
  // SAM's event properties by CreateSchedule's member names.
  const samProperty: Record<string, string> = {
    'Target.Input': 'Input',
    'Target.RoleArn': 'RoleArn',
    'FlexibleTimeWindow.Mode': 'FlexibleTimeWindow',
  };
  const dlq = (event.deadLetterConfig as { Arn?: string } | undefined)?.Arn;
  createSchedule(
    scheduler,
    {
      Name: event.scheduleName,
      ScheduleExpression: event.scheduleExpression,
      State: event.state,
      FlexibleTimeWindow: (event.flexibleTimeWindow as CreateScheduleInput['FlexibleTimeWindow']) ?? { Mode: 'OFF' },
      Target: {
        Arn: arn,
        RoleArn: event.roleArn ?? samScheduleRole(iam, ctx, event.scheduleLogicalId, arn, dlq),
        ...(event.input !== undefined ? { Input: event.input } : {}),
        ...(event.retryPolicy !== undefined
          ? { RetryPolicy: event.retryPolicy as NonNullable<CreateScheduleInput['Target']['RetryPolicy']> }
          : {}),
        // SAM's `Type: SQS` is the queue it creates (`<Resource><Event>Queue`, see load.ts), by its ARN here.
        ...(event.deadLetterConfig !== undefined ? { DeadLetterConfig: dlq ? { Arn: dlq } : {} } : {}),
      },
      ...(event.timezone !== undefined ? { ScheduleExpressionTimezone: event.timezone } : {}),
      ...(event.groupName !== undefined ? { GroupName: event.groupName } : {}),
      ...(event.description !== undefined ? { Description: event.description } : {}),
      ...(event.startDate !== undefined ? { StartDate: event.startDate } : {}),
      ...(event.endDate !== undefined ? { EndDate: event.endDate } : {}),
      ...(event.kmsKeyArn !== undefined ? { KmsKeyArn: event.kmsKeyArn } : {}),
    },
    ctx,
    logicalId,
    (member) =>
      member === 'Target.Arn'
        ? `Events.${event.name}`
        : `Events.${event.name}.Properties.${samProperty[member] ?? member}`,
  );
}

/** AWS::Scheduler::Schedule: its properties are CreateSchedule's request. */
export function scheduleHandler(scheduler: SchedulerService): ResourceHandler {
  return async (resource, ctx) => {
    const p = resource.properties as Omit<CreateScheduleInput, 'Name'>;
    createSchedule(scheduler, { ...p, Name: resource.physicalId }, ctx, resource.logicalId, (member) => member);
  };
}

// EventBridge Scheduler's templated targets, delivered locally: Lambda Invoke (asynchronous, so a
// function error is retried by Lambda, twice, 1 and 2 minutes later, divided by the speed) and
// Step Functions StartExecution (the input as the execution's input, a generated name).
import { randomUUID } from 'node:crypto';
import type { TimeScale } from '../../time.js';
import { LAMBDA_RETRY_DELAYS_MS } from '../events/delivery.js';
import type { LambdaService } from '../lambda/service.js';
import { SfnApiError, type StepFunctionsEngine } from '../states/engine/index.js';
import type { StatesService } from '../states/service.js';
import type { ScheduleInvocation, SchedulerService } from './service.js';

class TargetError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface SchedulerTargetDeps {
  lambda: LambdaService;
  states: StatesService;
  engine: StepFunctionsEngine;
  time: TimeScale;
  log: (line: string) => void;
  /**
   * Whether Scheduler may invoke the target with the schedule's role (IAM): the refusal's code and
   * message when it may not; the invocation then fails (logged and dropped) without being retried.
   */
  authorize?: (roleArn: string, targetArn: string) => { code: string; message: string } | undefined;
}

export function registerSchedulerTargets(scheduler: SchedulerService, deps: SchedulerTargetDeps): void {
  const authorize = (schedule: ScheduleInvocation['schedule'], arn: string) => {
    const refusal = deps.authorize?.(schedule.target.RoleArn, arn);
    if (refusal) throw new TargetError(refusal.code, refusal.message);
  };
  scheduler.registerInvoker('lambda', async (arn, input, { schedule, executionId }) => {
    const fn = deps.lambda.get(arn);
    if (!fn) throw new TargetError('ResourceNotFoundException', `Function not found: ${arn}`);
    authorize(schedule, arn);
    const event: unknown = JSON.parse(input);
    // InvocationType Event: Lambda accepts the event, then runs and retries it on its own (and
    // sends what keeps failing to the function's DLQ or OnFailure destination).
    if (deps.lambda.asyncInvoker) return void deps.lambda.asyncInvoker.invoke(fn, event);
    void (async () => {
      for (let attempt = 0; ; attempt++) {
        const result = await fn.invoke(event).catch((e: unknown) => ({
          ok: false as const,
          error: { errorType: 'ServiceException', errorMessage: (e as Error).message },
        }));
        if (result.ok) return;
        if (attempt >= LAMBDA_RETRY_DELAYS_MS.length) {
          deps.log(
            `[scheduler] ${schedule.name} -> ${fn.name}: ${result.error.errorType}: ${result.error.errorMessage}; invocation ${executionId} dropped after ${attempt + 1} attempts`,
          );
          return;
        }
        await deps.time.sleep(LAMBDA_RETRY_DELAYS_MS[attempt]!);
        if (!deps.lambda.get(arn)) return;
      }
    })();
  });
  scheduler.registerInvoker('states', async (arn, input, { schedule }) => {
    const stateMachine = deps.states.stateMachine(arn);
    if (!stateMachine) throw new TargetError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    authorize(schedule, arn);
    try {
      deps.engine.startExecution({ stateMachine, name: randomUUID(), input });
    } catch (e) {
      if (e instanceof SfnApiError) throw new TargetError(e.code, e.message);
      throw e;
    }
  });
}

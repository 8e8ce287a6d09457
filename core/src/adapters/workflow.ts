// Resumes the order processor's waits (callbacks with a task token), and tells the reservation sweep
// whether an order's execution still runs (DescribeExecution). Resuming is idempotent from
// the core's point of view: a token already used or expired means the workflow has moved on, which
// is what a retried resume wants anyway.
import { DescribeExecutionCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { ExecutionStatus, WorkflowResume } from '../domain/index.js';
import { errorName, stepFunctions } from './aws.js';

/** Step Functions' answers for a token that can no longer resume anything. */
const SPENT = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** Sends the resume; true when it resumed the workflow, false when the token was already spent. */
export async function resumeWorkflow(resume: WorkflowResume | undefined): Promise<boolean> {
  if (!resume) return false;
  try {
    await stepFunctions().send(
      new SendTaskSuccessCommand({ taskToken: resume.taskToken, output: JSON.stringify(resume.output) }),
    );
    return true;
  } catch (e) {
    if (SPENT.has(errorName(e) ?? '')) return false;
    throw e;
  }
}

/** An execution's status and, when it ended in error, why; undefined when Step Functions does not know it. */
export async function executionState(
  executionArn: string,
): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined> {
  try {
    const d = await stepFunctions().send(new DescribeExecutionCommand({ executionArn }));
    return {
      status: d.status as ExecutionStatus,
      ...(d.error ? { error: d.error } : {}),
      ...(d.cause ? { cause: d.cause } : {}),
    };
  } catch (e) {
    if (errorName(e) === 'ExecutionDoesNotExist') return undefined;
    throw e;
  }
}

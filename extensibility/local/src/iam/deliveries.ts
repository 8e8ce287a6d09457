// Deliveries that AWS services make on their own (a rule's targets and dead-letter queue, a
// schedule's target, an API route's integration), authorized as AWS authorizes them: with the role
// the service assumes (a target's `RoleArn`, a schedule's) or with the target's resource policy
// (a function's permissions, a queue's policy), each denial as the service reports it.
import { parseArn, type Account } from '../arn.js';
import { DeliveryError, type TargetAuthorizer } from '../services/events/delivery.js';
import type { AssumedRoleRefusal, Iam } from './iam.js';

export const EVENTS_PRINCIPAL = 'events.amazonaws.com';
export const SCHEDULER_PRINCIPAL = 'scheduler.amazonaws.com';
export const APIGATEWAY_PRINCIPAL = 'apigateway.amazonaws.com';

/** The action a service's delivery to a target ARN needs: what it calls on the target. */
export function deliveryAction(targetArn: string): string | undefined {
  switch (parseArn(targetArn)?.service) {
    case 'lambda':
      return 'lambda:InvokeFunction';
    case 'states':
      return 'states:StartExecution';
    case 'events':
      return 'events:PutEvents';
    case 'sqs':
      return 'sqs:SendMessage';
    case 'sns':
      return 'sns:Publish';
    default:
      return undefined;
  }
}

/**
 * A rule's targets other than functions (the function's resource policy is checked where it is
 * invoked): a state machine or another bus with the target's role (`states:StartExecution`,
 * `events:PutEvents`), a queue with its policy (`events.amazonaws.com` `sqs:SendMessage`, its
 * `aws:SourceArn` the rule). A denial is not retried: it goes to the dead-letter queue with
 * EventBridge's `FAILED_TO_ASSUME_ROLE` or `NO_PERMISSIONS`.
 */
export function ruleTargetAuthorizer(iam: Iam, account: Account): TargetAuthorizer {
  return (definition, rule, event) => {
    const service = parseArn(definition.Arn)?.service;
    if (service === 'states' || service === 'events') {
      // A bus of the account without a role is the account's own: EventBridge needs none.
      if (!definition.RoleArn) return;
      const call =
        service === 'states'
          ? { action: 'states:StartExecution', resource: definition.Arn }
          : {
              action: 'events:PutEvents',
              resource: definition.Arn,
              context: {
                'events:source': event.source,
                'events:detail-type': event['detail-type'],
                'events:eventbusinvocation': true,
              },
            };
      const refusal = iam.assumedRoleRefusal(EVENTS_PRINCIPAL, definition.RoleArn, call);
      if (refusal) throw new DeliveryError(refusal.code, refusal.message, false);
    } else if (service === 'sqs') {
      const refusal = iam.serviceRefusal(EVENTS_PRINCIPAL, {
        action: 'sqs:SendMessage',
        resource: definition.Arn,
        context: { 'aws:sourcearn': rule.arn, 'aws:sourceaccount': account.accountId },
      });
      if (refusal) throw new DeliveryError('NO_PERMISSIONS', refusal, false);
    }
  };
}

/** EventBridge sending a rule's dead letter to its queue: the queue's policy must allow it for the rule. */
export function deadLetterRefusal(iam: Iam, account: Account, queueArn: string, ruleArn: string): string | undefined {
  return iam.serviceRefusal(EVENTS_PRINCIPAL, {
    action: 'sqs:SendMessage',
    resource: queueArn,
    context: { 'aws:sourcearn': ruleArn, 'aws:sourceaccount': account.accountId },
  });
}

/**
 * EventBridge Scheduler invoking a schedule's target with the schedule's role (`RoleArn`):
 * `lambda:InvokeFunction` or `states:StartExecution` on the target. Answers the error code and
 * message when refused (under enforce), else undefined.
 */
export function scheduleRefusal(
  iam: Iam,
  roleArn: string | undefined,
  targetArn: string,
): AssumedRoleRefusal | undefined {
  const action = deliveryAction(targetArn);
  if (!roleArn || !action) return undefined;
  return iam.assumedRoleRefusal(SCHEDULER_PRINCIPAL, roleArn, { action, resource: targetArn });
}

/**
 * Lambda sending with a function's execution role, as AWS documents it: to the function's
 * dead-letter queue (`DeadLetterConfig`), its `EventInvokeConfig` destinations and its stream
 * mappings' `OnFailure` destination (`sqs:SendMessage`, `sns:Publish`, `lambda:InvokeFunction`,
 * `events:PutEvents` on the target). AWS's message when refused (under enforce; audit logs it),
 * else undefined; recorded on the role for `presso iam`. A function without a role here is not checked.
 */
export function executionRoleRefusal(iam: Iam, functionArn: string, targetArn: string): string | undefined {
  const caller = iam.callerFor(functionArn);
  const action = deliveryAction(targetArn);
  if (!caller || !action) return undefined;
  return iam.refusal(caller, [{ action, resource: targetArn }]);
}

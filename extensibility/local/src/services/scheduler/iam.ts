// The IAM call of an EventBridge Scheduler request: its operation on the schedule it names.
import type { Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer } from '../../iam/iam.js';

const PATH = /^\/schedules(?:\/([^/]+))?$/;
const OPERATIONS: Record<string, string> = {
  POST: 'CreateSchedule',
  GET: 'GetSchedule',
  DELETE: 'DeleteSchedule',
  PUT: 'UpdateSchedule',
};

export function schedulerAuthorizer(account: Account): CallAuthorizer {
  return (request) => {
    const name = PATH.exec(request.path)?.[1];
    const operation = name === undefined ? 'ListSchedules' : (OPERATIONS[request.method] ?? request.method);
    return [
      callFor(account, 'scheduler', operation, {
        GroupName: request.query.get('groupName') ?? 'default',
        ScheduleName: name === undefined ? undefined : decodeURIComponent(name),
      }),
    ];
  };
}

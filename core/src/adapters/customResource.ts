// The CloudFormation custom resource protocol: the function answers by PUT of a JSON document to the
// pre-signed ResponseURL of the request; CloudFormation waits for it (an hour, if it never comes).
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

export type CustomResourceOutcome =
  | { status: 'SUCCESS'; physicalResourceId: string; data?: Record<string, string> }
  | { status: 'FAILED'; physicalResourceId: string; reason: string };

export function customResourceResponse(
  event: CloudFormationCustomResourceEvent,
  outcome: CustomResourceOutcome,
): CloudFormationCustomResourceResponse {
  const base = {
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  return outcome.status === 'SUCCESS'
    ? { Status: 'SUCCESS', ...base, ...(outcome.data ? { Data: outcome.data } : {}) }
    : { Status: 'FAILED', Reason: outcome.reason.slice(0, 4000), ...base };
}

export async function sendCustomResourceResponse(
  event: CloudFormationCustomResourceEvent,
  outcome: CustomResourceOutcome,
): Promise<void> {
  const body = JSON.stringify(customResourceResponse(event, outcome));
  // The pre-signed S3 URL is signed without a content type: sending one would break the signature.
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation's ResponseURL answered ${response.status} ${response.statusText}`);
}

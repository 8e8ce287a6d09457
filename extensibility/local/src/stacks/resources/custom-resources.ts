// AWS::CloudFormation::CustomResource and Custom::<Name>: CloudFormation's custom resource protocol
// with a Lambda ServiceToken. The function gets CloudFormation's request (RequestType Create or
// Delete, ResourceProperties, a ResponseURL) and answers by PUT to the ResponseURL, as in AWS; the
// ResponseURL is the edge's own, so the same handler code works here and there.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { LambdaService } from '../../services/lambda/service.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import type { LoadedResource } from '../template/index.js';

const RESPONSE_PATH = /^\/_presso\/cloudformation\/responses\/([0-9a-f-]{36})$/;

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId?: string;
  Data?: Record<string, unknown>;
}

/** Receives the answers functions PUT to their ResponseURL. */
export class CloudFormationResponses implements PathService {
  readonly name = 'cloudformation-responses';
  private readonly waiting = new Map<string, (response: CustomResourceResponse) => void>();

  constructor(private readonly edgeUrl: () => string) {}

  /** A fresh ResponseURL and the answer that will arrive there. */
  expect(): { url: string; response: Promise<CustomResourceResponse>; cancel(): void } {
    const id = randomUUID();
    const response = new Promise<CustomResourceResponse>((resolve) => this.waiting.set(id, resolve));
    return { url: `${this.edgeUrl()}/_presso/cloudformation/responses/${id}`, response, cancel: () => void this.waiting.delete(id) };
  }

  accepts(request: EdgeRequest): boolean {
    return RESPONSE_PATH.test(request.path);
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    const id = RESPONSE_PATH.exec(request.path)![1]!;
    const resolve = this.waiting.get(id);
    // As S3 answers a pre-signed URL used twice or expired.
    if (request.method !== 'PUT' || !resolve) {
      response.writeHead(403, { 'content-type': 'application/xml' });
      return void response.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    }
    let body: CustomResourceResponse;
    try {
      body = JSON.parse(request.body.toString('utf8')) as CustomResourceResponse;
    } catch {
      body = { Status: 'FAILED', Reason: 'the response body is not JSON' };
    }
    this.waiting.delete(id);
    resolve(body);
    response.writeHead(200, { 'content-length': 0 });
    response.end();
  }
}

export function stackIdOf(ctx: DeployContext): string {
  const { region, accountId, stackName } = ctx.template;
  return `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`;
}

export function customResourceHandler(deps: { lambda: LambdaService; responses: CloudFormationResponses }): ResourceHandler {
  /** Sends one request and waits for the function's answer. */
  async function send(resource: LoadedResource, ctx: DeployContext, stackId: string, request: Record<string, unknown>): Promise<CustomResourceResponse> {
    const file = ctx.template.file;
    const serviceToken = resource.properties.ServiceToken;
    if (typeof serviceToken !== 'string') throw new DeployError(file, resource.logicalId, 'ServiceToken', 'is required (the ARN of the function that handles this resource)');
    const fn = deps.lambda.get(serviceToken);
    if (!fn) throw new DeployError(file, resource.logicalId, 'ServiceToken', `no function ${serviceToken} (only Lambda-backed custom resources are emulated)`);
    const answer = deps.responses.expect();
    const result = await fn.invoke({
      ...request,
      ServiceToken: serviceToken,
      ResponseURL: answer.url,
      StackId: stackId,
      RequestId: randomUUID(),
      ResourceType: resource.type,
      LogicalResourceId: resource.logicalId,
      ResourceProperties: resource.properties,
    });
    // A Lambda handler that returned has sent whatever it was going to send.
    const response = await Promise.race([answer.response, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
    answer.cancel();
    if (!response) {
      const why = result.ok ? 'returned' : `failed (${result.error.errorType}: ${result.error.errorMessage})`;
      throw new DeployError(file, resource.logicalId, 'ServiceToken', `the function ${why} without sending a response to the ResponseURL (CloudFormation would wait an hour and fail)`);
    }
    return response;
  }

  return async (resource, ctx) => {
    const stackId = stackIdOf(ctx);
    const created = await send(resource, ctx, stackId, { RequestType: 'Create' });
    if (created.Status !== 'SUCCESS') {
      throw new DeployError(ctx.template.file, resource.logicalId, undefined, `Received response status [FAILED] from custom resource. Message returned: ${created.Reason ?? 'no reason given'}`);
    }
    const physicalResourceId = created.PhysicalResourceId ?? resource.physicalId;
    ctx.onDelete(async () => {
      const deleted = await send(resource, ctx, stackId, { RequestType: 'Delete', PhysicalResourceId: physicalResourceId });
      if (deleted.Status !== 'SUCCESS') ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId} (custom resource) failed to delete: ${deleted.Reason ?? ''}`);
    });
  };
}

// AWS::CloudFormation::CustomResource and Custom::<Name>: CloudFormation's custom resource protocol
// with a Lambda ServiceToken. The function gets CloudFormation's request (RequestType Create, Update
// or Delete, ResourceProperties, a ResponseURL) and answers by PUT to the ResponseURL, as in AWS; the
// ResponseURL is the edge's own, so the same handler code works here and there. A redeploy sends
// Update only when the properties changed, with OldResourceProperties, as CloudFormation does.
import { isDeepStrictEqual } from 'node:util';
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
    return {
      url: `${this.edgeUrl()}/_presso/cloudformation/responses/${id}`,
      response,
      cancel: () => void this.waiting.delete(id),
    };
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

// A stack keeps its id for as long as the local cloud runs, as a CloudFormation stack does for its life.
const stackIds = new Map<string, string>();
export function stackIdOf(ctx: DeployContext): string {
  const { region, accountId, stackName } = ctx.template;
  const key = `${region}/${accountId}/${stackName}`;
  if (!stackIds.has(key))
    stackIds.set(key, `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`);
  return stackIds.get(key)!;
}

export function customResourceHandler(deps: {
  lambda: LambdaService;
  responses: CloudFormationResponses;
}): ResourceHandler {
  /** Sends one request and waits for the function's answer. */
  async function send(
    resource: LoadedResource,
    ctx: DeployContext,
    stackId: string,
    request: Record<string, unknown>,
  ): Promise<CustomResourceResponse> {
    const file = ctx.template.file;
    const serviceToken = resource.properties.ServiceToken;
    if (typeof serviceToken !== 'string')
      throw new DeployError(
        file,
        resource.logicalId,
        'ServiceToken',
        'is required (the ARN of the function that handles this resource)',
      );
    const fn = deps.lambda.get(serviceToken);
    if (!fn)
      throw new DeployError(
        file,
        resource.logicalId,
        'ServiceToken',
        `no function ${serviceToken} (only Lambda-backed custom resources are emulated)`,
      );
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
    const response = await Promise.race([
      answer.response,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 500)),
    ]);
    answer.cancel();
    if (!response) {
      const why = result.ok ? 'returned' : `failed (${result.error.errorType}: ${result.error.errorMessage})`;
      throw new DeployError(
        file,
        resource.logicalId,
        'ServiceToken',
        `the function ${why} without sending a response to the ResponseURL (CloudFormation would wait an hour and fail)`,
      );
    }
    return response;
  }

  /** The PhysicalResourceId each deployed custom resource answered with, by stack and logical id. */
  const physicalIds = new Map<string, string>();
  const keyOf = (resource: LoadedResource, ctx: DeployContext) => `${ctx.template.stackName}/${resource.logicalId}`;

  function succeeded(response: CustomResourceResponse, resource: LoadedResource, ctx: DeployContext): void {
    if (response.Status !== 'SUCCESS') {
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        undefined,
        `Received response status [FAILED] from custom resource. Message returned: ${response.Reason ?? 'no reason given'}`,
      );
    }
  }

  /** Delete comes when the stack goes or the resource leaves the template. */
  function onDelete(resource: LoadedResource, ctx: DeployContext, stackId: string, physicalResourceId: string): void {
    ctx.onDelete(async () => {
      const deleted = await send(resource, ctx, stackId, {
        RequestType: 'Delete',
        PhysicalResourceId: physicalResourceId,
      });
      physicalIds.delete(keyOf(resource, ctx));
      if (deleted.Status !== 'SUCCESS')
        ctx.log(
          `[stacks] ${ctx.template.stackName}: ${resource.logicalId} (custom resource) failed to delete: ${deleted.Reason ?? ''}`,
        );
    });
  }

  const create: ResourceHandler = async (resource, ctx) => {
    const stackId = stackIdOf(ctx);
    const created = await send(resource, ctx, stackId, { RequestType: 'Create' });
    succeeded(created, resource, ctx);
    const physicalResourceId = created.PhysicalResourceId ?? resource.physicalId;
    physicalIds.set(keyOf(resource, ctx), physicalResourceId);
    onDelete(resource, ctx, stackId, physicalResourceId);
  };

  return Object.assign(create, {
    async update(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext) {
      // Unchanged properties: CloudFormation sends nothing, and the previous removal step stays.
      if (isDeepStrictEqual(resource.properties, previous.properties)) return;
      const stackId = stackIdOf(ctx);
      const oldId = physicalIds.get(keyOf(resource, ctx)) ?? previous.physicalId;
      const updated = await send(resource, ctx, stackId, {
        RequestType: 'Update',
        PhysicalResourceId: oldId,
        OldResourceProperties: previous.properties,
      });
      succeeded(updated, resource, ctx);
      const newId = updated.PhysicalResourceId ?? oldId;
      physicalIds.set(keyOf(resource, ctx), newId);
      onDelete(resource, ctx, stackId, newId);
      // A new physical id replaces the resource: CloudFormation deletes the old one in its clean-up.
      if (newId !== oldId) {
        const deleted = await send(resource, ctx, stackId, { RequestType: 'Delete', PhysicalResourceId: oldId });
        if (deleted.Status !== 'SUCCESS')
          ctx.log(
            `[stacks] ${ctx.template.stackName}: ${resource.logicalId} (custom resource) failed to delete ${oldId}: ${deleted.Reason ?? ''}`,
          );
      }
    },
  });
}

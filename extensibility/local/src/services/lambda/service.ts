// The Lambda service: a registry of local functions, and Lambda's Invoke REST API on the edge
// (POST /2015-03-31/functions/{name}/invocations), so the SDK's LambdaClient works unchanged.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { nameFromNameOrArn } from '../../arn.js';
import { AwsError, notFound } from '../../edge/errors.js';
import { sendAwsError } from '../../edge/server.js';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { InvokeResult, LocalFunction } from './functions.js';
import type { AsyncInvoker } from './async.js';
import { jsonBody } from '../request.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LambdaService implements PathService {
  readonly name = 'lambda';
  private readonly functions = new Map<string, LocalFunction>();
  /** Runs asynchronous invocations with Lambda's retries and failure destinations (set by the cloud). */
  asyncInvoker: AsyncInvoker | undefined;

  register(fn: LocalFunction): void {
    this.functions.set(fn.name, fn);
  }

  unregister(name: string): void {
    this.functions.delete(name);
  }

  get(nameOrArn: string): LocalFunction | undefined {
    return this.functions.get(nameFromNameOrArn(decodeURIComponent(nameOrArn), ':'));
  }

  /** Stops every function's sandboxes (the local cloud is shutting down). */
  disposeAll(): void {
    for (const fn of this.functions.values()) fn.dispose?.();
    this.functions.clear();
  }

  list(): LocalFunction[] {
    return [...this.functions.values()];
  }

  /** Invokes a function synchronously; throws ResourceNotFoundException when it does not exist. */
  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.get(nameOrArn);
    if (!fn) throw notFound(`Function not found: ${nameOrArn}`);
    return fn.invoke(event);
  }

  accepts(request: EdgeRequest): boolean {
    return INVOKE_PATH.test(request.path);
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    const name = INVOKE_PATH.exec(request.path)![1]!;
    const contentType = 'application/json';
    const fn = this.get(name);
    if (!fn)
      return sendAwsError(
        response,
        new AwsError('ResourceNotFoundException', `Function not found: ${decodeURIComponent(name)}`, 404),
        contentType,
      );
    let event: unknown;
    try {
      event = jsonBody(request);
    } catch {
      return sendAwsError(
        response,
        new AwsError('InvalidRequestContentException', 'Could not parse request body into json'),
        contentType,
      );
    }
    const requestId = randomUUID();
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'Event') {
      try {
        if (this.asyncInvoker) void this.asyncInvoker.invoke(fn, event, requestId);
        else void fn.invoke(event, requestId);
      } catch (e) {
        // The invocation could not be kept (a full disk): it was not accepted, and the caller is told.
        return sendAwsError(
          response,
          new AwsError(
            'ServiceException',
            `The local cloud could not accept the asynchronous invocation: ${(e as Error).message}. Free disk space and invoke again.`,
            500,
          ),
          contentType,
        );
      }
      response.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 });
      return void response.end();
    }
    if (invocationType === 'DryRun') {
      response.writeHead(204, { 'x-amzn-requestid': requestId });
      return void response.end();
    }
    const result = await fn.invoke(event, requestId);
    const body = JSON.stringify(result.ok ? (result.payload ?? null) : result.error);
    response.writeHead(200, {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
      ...(result.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
    });
    response.end(body);
  }
}

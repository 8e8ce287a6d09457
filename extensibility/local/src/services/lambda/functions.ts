// Local Lambda functions: whatever runs the code (in process, or a built bundle in a worker), the
// rest of the local cloud sees one interface and AWS's invoke semantics.
import { randomUUID } from 'node:crypto';

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

/** The payload of a failed invocation, as Lambda returns it (X-Amz-Function-Error: Unhandled). */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: FunctionErrorPayload };

export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  readonly timeoutSeconds: number;
  invoke(event: unknown, requestId?: string): Promise<InvokeResult>;
  /** Stops what runs the code (sandboxes); the function answers no more invocations. */
  dispose?(): void;
}

export function lambdaContext(
  fn: { name: string; arn: string; timeoutSeconds: number; memoryMb?: number },
  requestId: string,
  deadline: number,
): LambdaContext {
  return {
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb ?? 128),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

export function errorPayload(e: unknown): FunctionErrorPayload {
  if (e instanceof Error)
    return { errorType: e.name || 'Error', errorMessage: e.message, trace: e.stack?.split('\n') ?? [] };
  return { errorType: 'Error', errorMessage: String(e) };
}

/** A function whose handler runs in this process; the configured timeout is enforced as Lambda does. */
export function inProcessFunction(options: {
  name: string;
  arn: string;
  timeoutSeconds?: number;
  handler: LambdaHandler;
}): LocalFunction {
  const timeoutSeconds = options.timeoutSeconds ?? 3;
  const fn = { ...options, timeoutSeconds };
  return {
    name: options.name,
    arn: options.arn,
    timeoutSeconds,
    async invoke(event, requestId = randomUUID()) {
      const deadline = Date.now() + timeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<InvokeResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              ok: false,
              error: {
                errorType: 'Sandbox.Timedout',
                errorMessage: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
              },
            }),
          timeoutSeconds * 1000,
        );
      });
      const run = (async (): Promise<InvokeResult> => {
        try {
          return { ok: true, payload: await options.handler(event, lambdaContext(fn, requestId, deadline)) };
        } catch (e) {
          return { ok: false, error: errorPayload(e) };
        }
      })();
      try {
        return await Promise.race([run, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

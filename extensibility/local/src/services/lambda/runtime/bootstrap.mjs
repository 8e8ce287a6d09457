// The Lambda runtime inside one worker thread (one sandbox): loads the handler module once (the
// cold start), then runs one invocation at a time with a Lambda context, as the Node.js runtime
// does. Plain JavaScript: a worker runs without the TypeScript loader of its parent.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { basename } from 'node:path';

const { bundleFile, exportName, fn } = workerData;

// nodejs24.x and later no longer call a handler that declares a callback (three parameters): its
// init fails, as it would in AWS. The sandboxes run the runtime of this Node's major (node.ts).
const callbacksRemoved = Number(process.versions.node.split('.')[0]) >= 24;

function errorPayload(e) {
  if (e instanceof Error)
    return { errorType: e.name || 'Error', errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
  return { errorType: typeof e, errorMessage: String(e) };
}

let handler;
try {
  const mod = await import(pathToFileURL(bundleFile).href);
  // A CommonJS bundle's exports arrive on `default` when imported as a module.
  handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') {
    const name = basename(bundleFile).replace(/\.[cm]?js$/, '');
    parentPort.postMessage({
      type: 'init-error',
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${name}.${exportName} is undefined or not exported`,
      },
    });
  } else if (callbacksRemoved && handler.length >= 3) {
    parentPort.postMessage({
      type: 'init-error',
      error: {
        errorType: 'Runtime.CallbackHandlerDeprecated',
        errorMessage:
          'Lambda runs no callback-based handler (event, context, callback) from Node.js 24 on: make it async (event, context)',
      },
    });
  } else {
    parentPort.postMessage({ type: 'ready' });
  }
} catch (e) {
  const error = errorPayload(e);
  // As Lambda names them: a module that cannot be found or parsed, else the error the module threw.
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND')
    error.errorType = 'Runtime.ImportModuleError';
  else if (e instanceof SyntaxError) error.errorType = 'Runtime.UserCodeSyntaxError';
  parentPort.postMessage({ type: 'init-error', error });
}

function context(requestId, deadline) {
  return {
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: fn.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: undefined,
    succeed: undefined,
    fail: undefined,
  };
}

function run(event, ctx) {
  // Callback-style handlers (three parameters), on the runtimes before nodejs24.x that still had them.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, ctx, (err, value) => (err ? reject(err) : resolve(value)));
      if (result && typeof result.then === 'function') result.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, ctx));
}

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const { id, requestId, deadline } = message;
  try {
    // Events and results cross as JSON text, as they do in Lambda (a Date arrives as a string).
    const payload = await run(JSON.parse(message.event), context(requestId, deadline));
    parentPort.postMessage({
      type: 'result',
      id,
      ok: true,
      payload: JSON.stringify(payload === undefined ? null : payload),
    });
  } catch (e) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: errorPayload(e) });
  }
});

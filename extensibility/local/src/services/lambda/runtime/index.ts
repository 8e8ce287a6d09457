// The local Lambda runtime: `sam build`'s esbuild build, and sandboxes in worker threads.
export {
  buildFunction,
  esbuildOptions,
  parseHandler,
  pruneBuilds,
  BuildError,
  type BuildMetadata,
  type BuildRequest,
  type BuiltFunction,
} from './build.js';
export { workerFunction, type FunctionStats, type WorkerFunction, type WorkerFunctionOptions } from './sandboxes.js';
export { emulatedRuntime, unemulatedRuntime } from './node.js';

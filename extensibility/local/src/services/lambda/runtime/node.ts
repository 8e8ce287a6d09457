// The one Lambda runtime the sandboxes emulate: they are worker threads of this process, so their
// Node is this Node, and only the runtime of its major (nodejs24.x on Node 24) behaves locally as in
// AWS. Any other runtime would run on the wrong Node, so a deploy refuses it instead.
const major = process.versions.node.split('.')[0];

/** The runtime the local sandboxes emulate: `nodejs<this Node's major>.x`. */
export const emulatedRuntime = `nodejs${major}.x`;

/** Why `runtime` cannot run locally, or undefined when it is the emulated one. */
export function unemulatedRuntime(runtime: string): string | undefined {
  if (runtime === emulatedRuntime) return undefined;
  const instead = runtime.startsWith('nodejs')
    ? `use Runtime: ${emulatedRuntime}`
    : 'only Node.js functions run locally';
  return `${runtime} cannot be emulated locally: the local Lambda runtime is ${emulatedRuntime} (Node ${process.version}); ${instead}`;
}

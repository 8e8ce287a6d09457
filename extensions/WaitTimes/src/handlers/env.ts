// The one way the functions read their configuration: at cold start, a missing variable failing the
// deploy (the first sandbox starts during it) with its name. Each function reads only its own: the
// template sets them per function.

/** A variable the template sets in the function's Environment; its name when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} is not set: the template passes it to the function`);
  return value;
}

// Configuration comes from the template's Environment: a missing variable is a deployment mistake,
// reported with its name on first use rather than as an undefined table name deep in an SDK call.

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`Environment variable ${name} is not set; the template must set it for this function.`);
  return value;
}

// The one way the core reads its configuration from the environment. Configuration comes from the
// template's Environment: a missing variable is a deployment mistake, reported with its name and what
// sets it on first use, rather than as an undefined table name deep in an SDK call.

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(
      `Environment variable ${name} is not set; core/template.yaml sets it (the function's Environment.Variables, or Globals.Function for BUS_NAME).`,
    );
  return value;
}

/** A variable that must be a positive number (seconds, limits). */
export function positiveNumberEnv(name: string): number {
  const text = requiredEnv(name);
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(
      `Environment variable ${name} must be a positive number, got "${text}"; core/template.yaml sets it.`,
    );
  return value;
}

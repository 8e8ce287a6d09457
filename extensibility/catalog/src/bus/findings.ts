// A problem found in an app's template, for the catalog's checks and the contract checker alike:
// where (file, resource, property), what, and how to fix it.

export interface Finding {
  /** The template file, relative to the repo root (or as given). */
  file: string;
  /** The resource's logical id, or "(template)" for the template as a whole. */
  resource: string;
  /** Template path of the property at fault, e.g. `Resources.Fn.Properties.Policies[0]`. */
  property: string;
  message: string;
  fix: string;
}

export const formatFinding = (f: Finding): string =>
  `${f.file}: ${f.resource} ${f.property}: ${f.message}\n    fix: ${f.fix}`;

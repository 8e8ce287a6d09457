// Template problems are collected, not thrown one by one: a user fixing a template wants every
// mistake in one run, each naming the file, the resource and the property path.

export interface TemplateIssue {
  /** The template file, as the caller named it. */
  file: string;
  /** Logical id of the resource the problem is in, when it is in one. */
  resource?: string;
  /** Path from the template root, e.g. `Resources.OrderTable.Properties.KeySchema[0].AttributeName`. */
  property?: string;
  message: string;
}

/** An error's message; duck-typed, since errors from node built-ins may come from another realm. */
export function messageOf(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

export function formatIssue(issue: TemplateIssue): string {
  return issue.property ? `${issue.file}: ${issue.property}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly issues: readonly TemplateIssue[];

  constructor(issues: readonly TemplateIssue[]) {
    super(
      issues.length === 1
        ? formatIssue(issues[0] as TemplateIssue)
        : `${issues.length} problems in template:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/** Where a value sits in the template: the resource (if any) and the path from the root. */
export interface Location {
  resource?: string;
  path: string;
}

export function at(location: Location, key: string | number): Location {
  const path = typeof key === 'number' ? `${location.path}[${key}]` : location.path ? `${location.path}.${key}` : key;
  return { ...location, path };
}

export class IssueCollector {
  readonly issues: TemplateIssue[] = [];

  constructor(readonly file: string) {}

  add(message: string, location?: Location): void {
    const issue: TemplateIssue = { file: this.file, message };
    if (location?.resource !== undefined) issue.resource = location.resource;
    if (location?.path) issue.property = location.path;
    this.issues.push(issue);
  }

  get count(): number {
    return this.issues.length;
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new TemplateError(this.issues);
  }
}

// The contract checker: what `presso check DIR` and the repo's tests run over every extension.
export { checkExtension, type CheckReport, type CheckOptions } from './check.js';
export { formatViolation, RULES, type RuleId, type Violation } from './violation.js';
export { repoRootOf } from './repo.js';
export { checkIsolation, IsolationBench, type IsolationOptions, type IsolationReport } from './rule3.js';

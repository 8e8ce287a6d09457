// The contract checker: what `presso check DIR` and the repo's tests run over every extension.
export { checkExtension, type CheckReport, type CheckOptions } from './check.js';
export { CHECKS, isCheckId, type CheckId, type CheckInfo } from './checks.js';
export { formatViolation, formatWaived, RULES, type RuleId, type Violation, type Waived } from './violation.js';
export { applyWaivers, mergeWaived, waiversOf, type Waiver } from './waivers.js';
export { repoRootOf } from './repo.js';
export { checkIsolation, IsolationBench, type IsolationOptions, type IsolationReport } from './isolation.js';
export { putEventsCondition } from './checks/put-events-condition.js';
export { lintApp, deployableApps, appsIn, formatLint, type LintReport } from './lint/lint.js';
export { loadLintSpec, LintSpec } from './lint/spec.js';

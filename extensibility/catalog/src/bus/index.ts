// The bus as the repo's templates use it: apps, their rules and what each matches, producers, and
// the problems found. Shared by the catalog page and the contract checker; kept apart from the
// contract's entry point because it loads templates (and the local cloud's loader) to do so.
export {
  discoverApps,
  findRepoRoot,
  appAt,
  loadApp,
  stackNameOf,
  templateIn,
  repoPath,
  type App,
  type AppKind,
  type LoadAppOptions,
} from './apps.js';
export { type Finding, formatFinding } from './findings.js';
export {
  rulesOf,
  busRulesOf,
  judgeRule,
  busNameOf,
  type BusRule,
  type RuleVerdict,
  type RuleMatch,
  type Target,
} from './rules.js';
export {
  producersOf,
  declaredEmits,
  entriesFor,
  definitionOf,
  statesOf,
  detailTypeGlob,
  type Producer,
  type DynamicProducer,
} from './producers.js';
export { checkEmits, statementsOf, mayPutOnBus, codeNames } from './emits.js';
export { witnesses, alternatives } from './witness.js';
export { editDistance } from './suggest.js';
export { consumptionOf, type Consumption, type Condition } from './exact.js';
export { scanApp, scanRepo, ruleFindings, type AppScan, type RepoScan } from './scan.js';
export {
  parseTemplateText,
  isObject,
  compilePattern,
  TemplateError,
  DEFAULT_ACCOUNT,
  type LoadedTemplate,
  type LoadedResource,
  type SamPolicy,
} from './local.js';

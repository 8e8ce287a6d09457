// What tools read templates with, without starting (or loading) the local cloud: the template
// loader, the pattern engine and `sam build`'s esbuild options. The catalog and the checker read
// templates, patterns and handlers exactly as a deploy does.
export {
  loadTemplate,
  parseTemplateText,
  defaultResourceResolver,
  TemplateError,
  formatIssue,
  type LoadedResource,
  type LoadedTemplate,
  type SamPolicy,
  type SamRuleEvent,
  type TemplateIssue,
} from './stacks/template/index.js';
export { compilePattern, InvalidEventPatternError, type CompiledPattern } from './services/events/pattern/index.js';
export { substitute } from './stacks/resources/state-machines.js';
export { DEFAULT_ACCOUNT } from './arn.js';
export {
  actionArnFormats,
  actionResourceTypes,
  invalidAction,
  invalidResource,
  serviceActions,
} from './iam/catalog.js';
export { expandSamPolicy, PolicyExpansionError } from './iam/sam/expand.js';
export { globRegExp } from './iam/policy/glob.js';
export { isObject } from './json.js';
export { esbuildOptions, parseHandler } from './services/lambda/runtime/build.js';
export { samEsbuildArgs, SAM_COPY_EXCLUDES, SAM_NPM_INSTALL_ARGS } from './services/lambda/runtime/sam-build.js';

// The local cloud's template loader, pattern engine and Lambda build options: the catalog and the
// checker read templates, patterns and handlers exactly as a deploy does (intrinsics, Globals, SAM
// events; AWS's pattern semantics; `sam build`'s esbuild entry points).
// @serverlesspresso/local's entry point does not export them (it would load the whole cloud), so
// this one file reaches into its sources; a moved file breaks here and nowhere else.
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
} from '../../../local/src/stacks/template/index.js';
export { compilePattern, InvalidEventPatternError, type CompiledPattern } from '../../../local/src/services/events/pattern/index.js';
export { substitute } from '../../../local/src/stacks/resources/state-machines.js';
export { DEFAULT_ACCOUNT } from '../../../local/src/arn.js';
export { esbuildOptions, parseHandler } from '../../../local/src/services/lambda/runtime/build.js';

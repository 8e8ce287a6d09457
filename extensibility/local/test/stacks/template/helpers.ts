// Shared by the loader's tests: load a template from text, or collect the problems it reports.
import {
  formatIssue,
  parseTemplateText,
  resolveTemplate,
  TemplateError,
  type LoadedTemplate,
  type LoadOptions,
} from '../../../src/stacks/template/index.js';

export const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };

export function load(text: string, options: Partial<LoadOptions> = {}): LoadedTemplate {
  return resolveTemplate(parseTemplateText(text, 't.yaml'), 't.yaml', { ...STACK, ...options });
}

export function problems(text: string, options: Partial<LoadOptions> = {}): string[] {
  try {
    load(text, options);
  } catch (error) {
    if (error instanceof TemplateError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('the template loaded without problems');
}

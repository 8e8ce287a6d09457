// Types for asl-validator (a CommonJS package that ships none).
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
    [detail: string]: unknown;
  }
  interface AslValidationOptions {
    checkPaths: boolean;
    checkArn: boolean;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: AslValidationOptions): AslValidationResult;
  export = aslValidator;
}

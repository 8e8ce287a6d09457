// AWS-shaped errors: the code is AWS's exception name, so SDK clients raise the same error class
// locally as in AWS (`err.name === 'ResourceNotFoundException'`).
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const validation = (message: string) => new AwsError('ValidationException', message);
export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message);

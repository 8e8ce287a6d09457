// SQS's errors as AWS answers them: the JSON protocol's error name (what SDK v3 raises,
// `err.name === 'QueueDoesNotExist'`) and the query protocol's code
// (`AWS.SimpleQueueService.NonExistentQueue`), which the JSON protocol also carries in the
// `x-amzn-query-error` header for clients that still read it. Errors SQS's model does not name
// (InvalidParameterValue, MissingParameter) reach SDK v3 under their query code, so that is their name.
export class SqsError extends Error {
  constructor(
    /** The JSON protocol's error shape name. */
    readonly code: string,
    /** The query protocol's error code. */
    readonly queryCode: string,
    message: string,
    readonly status = 400,
    /** Whether the caller is at fault ("Sender") or the service ("Receiver"). */
    readonly senderFault = true,
  ) {
    super(message);
    this.name = code;
  }
}

export const sqsErrors = {
  queueDoesNotExist: () =>
    new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'),
  queueNameExists: (name: string) =>
    new SqsError(
      'QueueNameExists',
      'QueueAlreadyExists',
      `A queue already exists with the same name and a different value for attribute ${name}`,
    ),
  queueDeletedRecently: () =>
    new SqsError(
      'QueueDeletedRecently',
      'AWS.SimpleQueueService.QueueDeletedRecently',
      'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    ),
  invalidParameterValue: (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message),
  /** "Value X for parameter P is invalid. Reason: R." */
  invalidValue: (parameter: string, value: unknown, reason: string) =>
    new SqsError(
      'InvalidParameterValue',
      'InvalidParameterValue',
      `Value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
    ),
  missingParameter: (parameter: string) =>
    new SqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${parameter}.`),
  invalidAttributeName: (name: string) =>
    new SqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string, reason: string) =>
    new SqsError(
      'InvalidAttributeValue',
      'InvalidAttributeValue',
      `Invalid value for the parameter ${name}. Reason: ${reason}`,
    ),
  receiptHandleIsInvalid: (handle: string) =>
    new SqsError(
      'ReceiptHandleIsInvalid',
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    ),
  messageNotInflight: () =>
    new SqsError(
      'MessageNotInflight',
      'AWS.SimpleQueueService.MessageNotInflight',
      'Message does not exist or is not available for visibility timeout change.',
    ),
  tooManyEntries: (sent: number) =>
    new SqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${sent}.`,
    ),
  emptyBatch: (entry: string) =>
    new SqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      `There should be at least one ${entry} in the request.`,
    ),
  batchIdsNotDistinct: (id: string) =>
    new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    new SqsError(
      'InvalidBatchEntryId',
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    ),
  batchRequestTooLong: (limit: number, sent: number) =>
    new SqsError(
      'BatchRequestTooLong',
      'AWS.SimpleQueueService.BatchRequestTooLong',
      `Batch requests cannot be longer than ${limit} bytes. You have sent ${sent} bytes.`,
    ),
  purgeInProgress: (queueArn: string) =>
    new SqsError(
      'PurgeQueueInProgress',
      'AWS.SimpleQueueService.PurgeQueueInProgress',
      `Only one PurgeQueue operation on ${queueArn.split(':').pop()} is allowed every 60 seconds.`,
    ),
  resourceNotFound: (message: string) =>
    new SqsError('ResourceNotFoundException', 'ResourceNotFoundException', message),
  unsupportedOperation: (message: string) =>
    new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', message),
  invalidAction: (action: string) =>
    new SqsError(
      'InvalidAction',
      'InvalidAction',
      `The action or operation requested is invalid. Verify that the action is typed correctly: ${action}`,
    ),
  invalidAddress: (url: string) =>
    new SqsError('InvalidAddress', 'InvalidAddress', `The address ${url} is not valid for this endpoint.`),
};

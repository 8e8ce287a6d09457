// Local ARNs follow AWS's formats, so code that parses them works the same locally.
export interface Account {
  region: string;
  accountId: string;
}

export const DEFAULT_ACCOUNT: Account = { region: 'us-east-1', accountId: '000000000000' };

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account, e.g. "function:Name" or "event-bus/Serverlesspresso". */
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

export const arns = {
  eventBus: (a: Account, name: string) => `arn:aws:events:${a.region}:${a.accountId}:event-bus/${name}`,
  rule: (a: Account, bus: string, name: string) =>
    bus === 'default'
      ? `arn:aws:events:${a.region}:${a.accountId}:rule/${name}`
      : `arn:aws:events:${a.region}:${a.accountId}:rule/${bus}/${name}`,
  lambda: (a: Account, name: string) => `arn:aws:lambda:${a.region}:${a.accountId}:function:${name}`,
  stateMachine: (a: Account, name: string) => `arn:aws:states:${a.region}:${a.accountId}:stateMachine:${name}`,
};

/** A resource given by name or by ARN (as AWS APIs accept both), reduced to its name. */
export function nameFromNameOrArn(value: string, separator: '/' | ':'): string {
  if (!value.startsWith('arn:')) return value;
  const resource = parseArn(value)?.resource ?? value;
  return resource.slice(resource.lastIndexOf(separator) + 1);
}

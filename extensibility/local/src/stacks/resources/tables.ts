// AWS::DynamoDB::Table and AWS::Serverless::SimpleTable, in DynamoDB Local with the template's
// keys, indexes (GSIs, LSIs), billing, stream and TTL.
//
// A redeploy of the same stack updates a table in place, keeping its items, as CloudFormation
// does: billing, throughput, GSIs, stream and TTL are changed with UpdateTable/UpdateTimeToLive
// where they differ from the table as it is. A changed key schema or LSI needs a new table: a
// table with a generated name is replaced (its items are lost, as in AWS), a custom-named one
// fails the deploy with CloudFormation's message. A table name another stack owns, or a table
// made outside any stack (CreateTable), fails the deploy; a table left on disk by an earlier run
// with the same --data-dir is adopted by the first stack that deploys it (its items kept).
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ScanCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type WriteRequest,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type ProvisionedThroughput,
  type TableDescription,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbService } from '../../services/dynamodb/service.js';
import { defaultResourceResolver, type LoadedResource } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { isObject } from '../../json.js';

type Props = Record<string, unknown>;

/** A problem with one property of a resource (tables and stream mappings), turned into a DeployError. */
export class PropertyError extends Error {
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
  }
}

function list(p: Props, property: string, required = false): Props[] | undefined {
  const value = p[property];
  if (value === undefined) {
    if (required) throw new PropertyError(property, 'is required');
    return undefined;
  }
  if (!Array.isArray(value) || !value.every(isObject)) throw new PropertyError(property, 'must be a list of objects');
  return value;
}

function keySchema(value: unknown, property: string): KeySchemaElement[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2)
    throw new PropertyError(property, 'must list one HASH key and optionally one RANGE key');
  return value.map((k: unknown, i) => {
    if (!isObject(k) || typeof k.AttributeName !== 'string' || (k.KeyType !== 'HASH' && k.KeyType !== 'RANGE')) {
      throw new PropertyError(`${property}[${i}]`, 'needs AttributeName and KeyType (HASH or RANGE)');
    }
    return { AttributeName: k.AttributeName, KeyType: k.KeyType };
  });
}

function throughput(value: unknown, property: string): ProvisionedThroughput {
  if (!isObject(value)) throw new PropertyError(property, 'needs ReadCapacityUnits and WriteCapacityUnits');
  const read = Number(value.ReadCapacityUnits);
  const write = Number(value.WriteCapacityUnits);
  if (!(read >= 1) || !(write >= 1))
    throw new PropertyError(property, 'ReadCapacityUnits and WriteCapacityUnits must be numbers of at least 1');
  return { ReadCapacityUnits: read, WriteCapacityUnits: write };
}

const projection = (value: unknown) => (isObject(value) ? (value as GlobalSecondaryIndex['Projection']) : undefined);

export interface TableSpec {
  create: CreateTableCommandInput;
  /** The TTL attribute when TTL is enabled. */
  ttlAttribute?: string;
  /** Whether the template names the table (then it cannot be replaced). */
  customName: boolean;
}

/** CreateTable's input (and TTL) from a CloudFormation or SAM table resource; throws PropertyError. */
export function tableSpec(type: string, tableName: string, p: Props): TableSpec {
  const customName = typeof p.TableName === 'string' && p.TableName !== '';
  if (type === 'AWS::Serverless::SimpleTable') {
    const key = p.PrimaryKey === undefined ? { Name: 'id', Type: 'String' } : p.PrimaryKey;
    if (!isObject(key) || typeof key.Name !== 'string')
      throw new PropertyError('PrimaryKey', 'needs a Name (and a Type: String, Number or Binary)');
    const attrType = ({ String: 'S', Number: 'N', Binary: 'B' } as Record<string, 'S' | 'N' | 'B'>)[
      String(key.Type ?? 'String')
    ];
    if (!attrType)
      throw new PropertyError('PrimaryKey.Type', `must be String, Number or Binary, got ${JSON.stringify(key.Type)}`);
    return {
      customName,
      create: {
        TableName: tableName,
        KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: attrType }],
        ...(p.ProvisionedThroughput !== undefined
          ? {
              BillingMode: 'PROVISIONED',
              ProvisionedThroughput: throughput(p.ProvisionedThroughput, 'ProvisionedThroughput'),
            }
          : { BillingMode: 'PAY_PER_REQUEST' }),
      },
    };
  }
  const billing = p.BillingMode ?? 'PROVISIONED';
  if (billing !== 'PROVISIONED' && billing !== 'PAY_PER_REQUEST')
    throw new PropertyError('BillingMode', `must be PROVISIONED or PAY_PER_REQUEST, got ${JSON.stringify(billing)}`);
  const provisioned = billing === 'PROVISIONED';
  if (provisioned && p.ProvisionedThroughput === undefined)
    throw new PropertyError('ProvisionedThroughput', 'is required when BillingMode is PROVISIONED (the default)');
  const attributes = list(p, 'AttributeDefinitions', true)!.map((a, i): AttributeDefinition => {
    if (typeof a.AttributeName !== 'string' || !['S', 'N', 'B'].includes(String(a.AttributeType))) {
      throw new PropertyError(`AttributeDefinitions[${i}]`, 'needs AttributeName and AttributeType (S, N or B)');
    }
    return { AttributeName: a.AttributeName, AttributeType: a.AttributeType as 'S' | 'N' | 'B' };
  });
  const gsis = list(p, 'GlobalSecondaryIndexes')?.map((g, i): GlobalSecondaryIndex => {
    const at = `GlobalSecondaryIndexes[${i}]`;
    if (typeof g.IndexName !== 'string') throw new PropertyError(`${at}.IndexName`, 'is required');
    if (!projection(g.Projection)) throw new PropertyError(`${at}.Projection`, 'is required');
    return {
      IndexName: g.IndexName,
      KeySchema: keySchema(g.KeySchema, `${at}.KeySchema`),
      Projection: projection(g.Projection),
      ...(provisioned
        ? { ProvisionedThroughput: throughput(g.ProvisionedThroughput, `${at}.ProvisionedThroughput`) }
        : {}),
    };
  });
  const lsis = list(p, 'LocalSecondaryIndexes')?.map((l, i): LocalSecondaryIndex => {
    const at = `LocalSecondaryIndexes[${i}]`;
    if (typeof l.IndexName !== 'string') throw new PropertyError(`${at}.IndexName`, 'is required');
    if (!projection(l.Projection)) throw new PropertyError(`${at}.Projection`, 'is required');
    return {
      IndexName: l.IndexName,
      KeySchema: keySchema(l.KeySchema, `${at}.KeySchema`),
      Projection: projection(l.Projection),
    };
  });
  let stream: CreateTableCommandInput['StreamSpecification'];
  if (p.StreamSpecification !== undefined) {
    const view = isObject(p.StreamSpecification) ? p.StreamSpecification.StreamViewType : undefined;
    if (!['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'].includes(String(view))) {
      throw new PropertyError(
        'StreamSpecification.StreamViewType',
        `must be NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY, got ${JSON.stringify(view)}`,
      );
    }
    stream = { StreamEnabled: true, StreamViewType: view as 'NEW_IMAGE' };
  }
  let ttlAttribute: string | undefined;
  if (p.TimeToLiveSpecification !== undefined) {
    const ttl = p.TimeToLiveSpecification;
    if (
      !isObject(ttl) ||
      (ttl.Enabled !== undefined &&
        typeof ttl.Enabled !== 'boolean' &&
        ttl.Enabled !== 'true' &&
        ttl.Enabled !== 'false')
    ) {
      throw new PropertyError(
        'TimeToLiveSpecification',
        'needs Enabled (true or false) and, when enabled, AttributeName',
      );
    }
    if (ttl.Enabled === true || ttl.Enabled === 'true') {
      if (typeof ttl.AttributeName !== 'string' || ttl.AttributeName === '')
        throw new PropertyError('TimeToLiveSpecification.AttributeName', 'is required when TTL is enabled');
      ttlAttribute = ttl.AttributeName;
    }
  }
  return {
    customName,
    ...(ttlAttribute ? { ttlAttribute } : {}),
    create: {
      TableName: tableName,
      KeySchema: keySchema(p.KeySchema, 'KeySchema'),
      AttributeDefinitions: attributes,
      BillingMode: billing,
      ...(provisioned ? { ProvisionedThroughput: throughput(p.ProvisionedThroughput, 'ProvisionedThroughput') } : {}),
      ...(gsis ? { GlobalSecondaryIndexes: gsis } : {}),
      ...(lsis ? { LocalSecondaryIndexes: lsis } : {}),
      ...(stream ? { StreamSpecification: stream } : {}),
    },
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const keysOf = (k: KeySchemaElement[] | undefined) => (k ?? []).map((e) => `${e.AttributeName}:${e.KeyType}`).join(',');
const projectionOf = (p: GlobalSecondaryIndex['Projection']) =>
  `${p?.ProjectionType ?? 'ALL'}:${[...(p?.NonKeyAttributes ?? [])].sort().join(',')}`;

/** Why the table as it is cannot become the wanted one in place, or undefined when it can. */
export function replacementReason(current: TableDescription, wanted: CreateTableCommandInput): string | undefined {
  if (keysOf(current.KeySchema) !== keysOf(wanted.KeySchema)) return 'its KeySchema changed';
  const typeOf = (defs: AttributeDefinition[] | undefined, name: string) =>
    defs?.find((d) => d.AttributeName === name)?.AttributeType;
  for (const k of wanted.KeySchema ?? []) {
    if (
      typeOf(current.AttributeDefinitions, k.AttributeName!) !== typeOf(wanted.AttributeDefinitions, k.AttributeName!)
    )
      return `the type of key attribute ${k.AttributeName} changed`;
  }
  const lsis = (
    l:
      | Array<{ IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: LocalSecondaryIndex['Projection'] }>
      | undefined,
  ) =>
    (l ?? [])
      .map((i) => `${i.IndexName}|${keysOf(i.KeySchema)}|${projectionOf(i.Projection)}`)
      .sort()
      .join(';');
  if (lsis(current.LocalSecondaryIndexes) !== lsis(wanted.LocalSecondaryIndexes))
    return 'its LocalSecondaryIndexes changed';
  return undefined;
}

/** The UpdateTable calls (DynamoDB takes one index change per call) that make the table as it is into the wanted one. */
export function tableUpdates(current: TableDescription, wanted: CreateTableCommandInput): UpdateTableCommandInput[] {
  const name = wanted.TableName!;
  const updates: UpdateTableCommandInput[] = [];
  const wantedBilling = wanted.BillingMode ?? 'PROVISIONED';
  const currentBilling = current.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  const currentThroughput = {
    ReadCapacityUnits: current.ProvisionedThroughput?.ReadCapacityUnits,
    WriteCapacityUnits: current.ProvisionedThroughput?.WriteCapacityUnits,
  };
  const currentGsis = new Map((current.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName!, g]));
  const wantedGsis = new Map((wanted.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName!, g]));
  const redefined = (g: GlobalSecondaryIndex) => {
    const now = currentGsis.get(g.IndexName!);
    return (
      now !== undefined &&
      (keysOf(now.KeySchema) !== keysOf(g.KeySchema) || projectionOf(now.Projection) !== projectionOf(g.Projection))
    );
  };
  // Indexes that go (or change shape) go first: a new one may reuse the name.
  for (const [indexName] of currentGsis) {
    const g = wantedGsis.get(indexName);
    if (!g || redefined(g))
      updates.push({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: indexName } }] });
  }
  const keptGsis = [...wantedGsis.values()].filter(
    (g) => currentGsis.has(g.IndexName!) && !redefined(g) && g.ProvisionedThroughput,
  );
  const gsiThroughputChanged = keptGsis.some((g) => {
    const now = currentGsis.get(g.IndexName!)!.ProvisionedThroughput;
    return !sameJson(
      { ReadCapacityUnits: now?.ReadCapacityUnits, WriteCapacityUnits: now?.WriteCapacityUnits },
      g.ProvisionedThroughput,
    );
  });
  if (
    wantedBilling !== currentBilling ||
    (wantedBilling === 'PROVISIONED' &&
      (!sameJson(currentThroughput, wanted.ProvisionedThroughput) || gsiThroughputChanged))
  ) {
    updates.push({
      TableName: name,
      BillingMode: wantedBilling,
      ...(wantedBilling === 'PROVISIONED' ? { ProvisionedThroughput: wanted.ProvisionedThroughput } : {}),
      ...(keptGsis.length
        ? {
            GlobalSecondaryIndexUpdates: keptGsis.map((g) => ({
              Update: { IndexName: g.IndexName!, ProvisionedThroughput: g.ProvisionedThroughput! },
            })),
          }
        : {}),
    });
  }
  for (const [indexName, g] of wantedGsis) {
    if (currentGsis.has(indexName) && !redefined(g)) continue;
    updates.push({
      TableName: name,
      AttributeDefinitions: wanted.AttributeDefinitions,
      GlobalSecondaryIndexUpdates: [{ Create: g }],
    });
  }
  // A stream's view type cannot change in place: the stream is disabled, then a new one enabled.
  const currentStream = current.StreamSpecification?.StreamEnabled
    ? current.StreamSpecification.StreamViewType
    : undefined;
  const wantedStream = wanted.StreamSpecification?.StreamViewType;
  if (currentStream !== wantedStream) {
    if (currentStream) updates.push({ TableName: name, StreamSpecification: { StreamEnabled: false } });
    if (wantedStream)
      updates.push({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: wantedStream } });
  }
  return updates;
}

export interface TableHandlerDeps {
  dynamodb: DynamoDbService;
  /** Told each table's partition key once it is active (IAM's dynamodb:LeadingKeys needs it). */
  onKeySchema?: (table: string, partitionKey: string | undefined) => void;
}

/** The handler for both table types: creates, updates in place (see the top of this file), deletes. */
export function tableHandler(deps: TableHandlerDeps): ResourceHandler {
  /** Table name → the stack that owns it. */
  const owners = new Map<string, string>();

  const fail = (ctx: DeployContext, resource: LoadedResource, e: unknown, what: string): never => {
    if (e instanceof DeployError) throw e;
    if (e instanceof PropertyError) throw new DeployError(ctx.template.file, resource.logicalId, e.property, e.message);
    throw new DeployError(ctx.template.file, resource.logicalId, undefined, `${what} failed: ${(e as Error).message}`);
  };

  const describe = async (ddb: DynamoDBClient, name: string): Promise<TableDescription | undefined> => {
    try {
      return (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  };

  /** Waits for the table and its indexes to be ACTIVE (DynamoDB Local is immediate unless told to delay). */
  const active = async (ddb: DynamoDBClient, name: string): Promise<TableDescription> => {
    for (let i = 0; ; i++) {
      const table = await describe(ddb, name);
      if (!table) throw new Error(`table ${name} disappeared`);
      if (
        table.TableStatus === 'ACTIVE' &&
        (table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')
      ) {
        deps.onKeySchema?.(name, table.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName);
        return table;
      }
      if (i > 200) {
        const indexes = (table.GlobalSecondaryIndexes ?? []).map((g) => `${g.IndexName} ${g.IndexStatus}`).join(', ');
        throw new Error(
          `table ${name} did not become ACTIVE within 10 s (table ${table.TableStatus}${indexes ? `; indexes: ${indexes}` : ''})`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const applyTtl = async (ddb: DynamoDBClient, name: string, attribute: string | undefined) => {
    const now = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
    const current =
      now?.TimeToLiveStatus === 'ENABLED' || now?.TimeToLiveStatus === 'ENABLING' ? now.AttributeName : undefined;
    if (current === attribute) return;
    if (current)
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: current, Enabled: false },
        }),
      );
    if (attribute)
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
        }),
      );
  };

  /** Clients know the table's stream by the ARN its template resolved (Fn::GetAtt Table.StreamArn). */
  const aliasStream = (resource: LoadedResource, ctx: DeployContext, table: TableDescription) => {
    deps.dynamodb.arns.forgetTable(table.TableName!);
    if (!table.LatestStreamArn || !table.StreamSpecification?.StreamEnabled) return;
    const { stackName, region, accountId } = ctx.template;
    const templateArn = defaultResourceResolver({ stackName, region, accountId }).getAtt(
      resource.logicalId,
      'StreamArn',
      resource,
    ) as string;
    deps.dynamodb.arns.aliasStream(table.LatestStreamArn, templateArn);
  };

  const remove = async (ddb: DynamoDBClient, name: string) => {
    deps.dynamodb.arns.forgetTable(name);
    try {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
  };

  /**
   * DynamoDB Local never finishes removing a GSI from a table that has LSIs (the index stays
   * DELETING and blocks every later update), so such a table is rebuilt instead: items read,
   * table created anew as wanted, items written back, then its stream enabled (so the copy makes
   * no stream records).
   */
  const rebuild = async (ddb: DynamoDBClient, spec: TableSpec, ctx: DeployContext) => {
    const name = spec.create.TableName!;
    ctx.log(
      `[stacks] ${ctx.template.stackName}: rebuilding table ${name} with its items (DynamoDB Local cannot remove a GSI from a table with LSIs in place)`,
    );
    const items: Array<Record<string, AttributeValue>> = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddb.send(
        new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    await remove(ddb, name);
    const { StreamSpecification: stream, ...create } = spec.create;
    await ddb.send(new CreateTableCommand(create));
    await active(ddb, name);
    for (let i = 0; i < items.length; i += 25) {
      let pending: Record<string, WriteRequest[]> | undefined = {
        [name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      while (pending && Object.keys(pending).length > 0)
        pending = (await ddb.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems;
    }
    if (stream) await ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: stream }));
  };

  /** Makes the table what the template says, then registers how to delete it. */
  const converge = async (
    resource: LoadedResource,
    ctx: DeployContext,
    spec: TableSpec,
    existing: TableDescription | undefined,
  ) => {
    const ddb = await deps.dynamodb.engineClient();
    const name = resource.physicalId;
    const stack = ctx.template.stackName;
    if (existing) {
      const why = replacementReason(existing, spec.create);
      if (why && spec.customName) {
        throw new DeployError(
          ctx.template.file,
          resource.logicalId,
          'KeySchema',
          `CloudFormation cannot update a stack when a custom-named resource requires replacing (${why}). Rename ${name} and update the stack again.`,
        );
      }
      if (why) {
        ctx.log(
          `[stacks] ${stack}: ${resource.logicalId}: replacing table ${name} because ${why} (its items are lost)`,
        );
        await remove(ddb, name);
        existing = undefined;
      }
    }
    owners.set(name, stack);
    ctx.onDelete(async () => {
      owners.delete(name);
      await remove(ddb, name);
    });
    try {
      if (!existing) {
        await ddb.send(new CreateTableCommand(spec.create));
      } else {
        const updates = tableUpdates(existing, spec.create);
        if (
          existing.LocalSecondaryIndexes?.length &&
          updates.some((u) => u.GlobalSecondaryIndexUpdates?.some((g) => g.Delete))
        ) {
          await rebuild(ddb, spec, ctx);
        } else {
          for (const update of updates) {
            await ddb.send(new UpdateTableCommand(update));
            await active(ddb, name);
          }
        }
      }
      await applyTtl(ddb, name, spec.ttlAttribute);
      aliasStream(resource, ctx, await active(ddb, name));
    } catch (e) {
      fail(ctx, resource, e, existing ? 'UpdateTable' : 'CreateTable');
    }
  };

  const specOf = (resource: LoadedResource, ctx: DeployContext): TableSpec => {
    try {
      return tableSpec(resource.type, resource.physicalId, resource.properties);
    } catch (e) {
      return fail(ctx, resource, e, 'CreateTable');
    }
  };

  const create = async (resource: LoadedResource, ctx: DeployContext): Promise<void> => {
    const spec = specOf(resource, ctx);
    const name = resource.physicalId;
    const owner = owners.get(name);
    if (owner !== undefined) {
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'TableName',
        `Table ${name} already exists: stack ${owner} owns it. Choose another TableName.`,
      );
    }
    const ddb = await deps.dynamodb.engineClient();
    const existing = await describe(ddb, name);
    if (existing && !deps.dynamodb.claimLeftover(name)) {
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'TableName',
        `Resource of type '${resource.type}' with identifier '${name}' already exists (it was created outside any stack). Delete it or choose another TableName.`,
      );
    }
    if (existing)
      ctx.log(
        `[stacks] ${ctx.template.stackName}: ${resource.logicalId}: adopting table ${name} kept in the data directory`,
      );
    await converge(resource, ctx, spec, existing);
  };

  const update = async (resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext): Promise<void> => {
    const spec = specOf(resource, ctx);
    const ddb = await deps.dynamodb.engineClient();
    // What the table is now, not what the last template said: the truth to converge from.
    await converge(resource, ctx, spec, await describe(ddb, resource.physicalId));
  };

  return Object.assign(create, { update });
}

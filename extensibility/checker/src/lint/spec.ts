// CloudFormation's resource schemas as AWS publishes them in its registry (and SAM's own resource
// specification), packaged by the Apache-2.0 `@aws-cdk/aws-service-spec`: resource types, their
// properties with types, required flags and allowed values, and their Fn::GetAtt attributes. Loaded
// once (about a second: the package's database is gzipped JSON), then every lookup is in memory.
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

/** What SAM generates for its own types: Fn::GetAtt of a SAM resource reads the generated resource's attributes. */
export const SAM_GENERATED: Readonly<Record<string, string>> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
  'AWS::Serverless::GraphQLApi': 'AWS::AppSync::GraphQLApi',
  'AWS::Serverless::Application': 'AWS::CloudFormation::Stack',
};

export class LintSpec {
  private readonly types = new Map<string, Resource>();

  constructor(private readonly db: SpecDatabase) {
    for (const r of db.all('resource')) this.types.set(r.cloudFormationType, r);
  }

  /** The resource type's schema, or undefined when CloudFormation (or SAM) has no such type. */
  resource(type: string): Resource | undefined {
    return this.types.get(type);
  }

  /** Every resource type CloudFormation and SAM know. */
  typeNames(): string[] {
    return [...this.types.keys()];
  }

  /** A property type's definition (a `ref` type). */
  definition(type: Extract<PropertyType, { type: 'ref' }>): TypeDefinition {
    return this.db.get('typeDefinition', type.reference);
  }

  /** The attributes Fn::GetAtt may read from a resource of this type (SAM's: those of what it generates). */
  attributes(type: string): string[] | undefined {
    const r = this.types.get(SAM_GENERATED[type] ?? type);
    if (!r) return undefined;
    const names = Object.keys(r.attributes);
    // SAM adds attributes of its own to what it generates.
    if (type === 'AWS::Serverless::StateMachine') names.push('Name');
    if (type === 'AWS::Serverless::Api') names.push('RootResourceId');
    return names;
  }
}

let loading: Promise<LintSpec> | undefined;

/** The schemas, loaded once per process. */
export function loadLintSpec(): Promise<LintSpec> {
  loading ??= loadAwsServiceSpec().then((db) => new LintSpec(db));
  return loading;
}

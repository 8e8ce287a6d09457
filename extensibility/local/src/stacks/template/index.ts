// Template loader: a SAM/CloudFormation template in, a resolved and validated model out. Pure: it
// creates nothing; the deployer turns the model into local resources.
//
//   loadTemplate(file, { stackName, region, accountId, parameterOverrides?, resolver?, exports? })
//     -> LoadedTemplate { file, stackName, region, accountId, description?, parameters, conditions,
//                         resources (dependency order), outputs }
//   resolveTemplate(parsedTemplate, file, options)   same, for a template already in memory
//   parseTemplateText(text, file)                    YAML (with !Ref, !Sub ... tags) or JSON (.json)
//   parseParameterOverrides('K=V K2="a b"' | ['K=V', ...])  AWS/SAM CLI --parameter-overrides
//   deletionOrder(loaded)                            resources, dependents first
//   defaultResourceResolver(stack), generatedPhysicalName(stack, logicalId, { maxLength })
//
// Every problem is collected and thrown as one TemplateError; `issues` lists each with its file,
// resource (logical id) and property path, e.g.
//   core/template.yaml: Resources.OrderTable.Properties.KeySchema[0].AttributeName: Ref to unknown parameter or resource 'Foo'
//
// What the model holds:
// - parameters: String/Number -> string (Ref of a Number gives a string, as in CloudFormation);
//   CommaDelimitedList/List<Number>/List<AWS::...> -> string[]; AWS::EC2::... style types are plain
//   strings; AWS::SSM::Parameter::Value<...> is refused (no Parameter Store locally).
// - resources: every intrinsic resolved (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select,
//   Fn::Split, Fn::FindInMap, Fn::Base64, Fn::GetAZs -> [<region>a, b, c], Fn::ImportValue via
//   options.exports); AWS::NoValue removes the property or list item; resources whose Condition is
//   false are left out; SAM Globals merged (maps merge, lists concatenate, the resource wins).
//   `dependsOn` = DependsOn plus every resource referenced; `physicalId` = resolver.ref(...).
//   SAM functions/state machines carry `sam.events` (rules, schedules, API routes, DynamoDB
//   streams, normalised) and `sam.policies` (managed / policy template / document), resolved.
//   Api/HttpApi events without an API add the implicit ServerlessRestApi/ServerlessHttpApi
//   resource (`implicit: true`), ordered before the functions that use it.
// - outputs: resolved Value (a string), Description, Export name; outputs whose Condition is
//   false are left out.
// - Ref/Fn::GetAtt of resources go through the resolver (default: AWS formats and
//   CloudFormation-style generated names, stable per stack and logical id).
export { loadTemplate, resolveTemplate, deletionOrder } from './load.js';
export { parseTemplateText, parseParameterOverrides } from './parse.js';
export { clientSecret, defaultResourceResolver, generatedPhysicalName } from './resolver.js';
export { TemplateError, formatIssue, type TemplateIssue } from './errors.js';
export type {
  LoadedOutput,
  LoadedResource,
  LoadedTemplate,
  LoadOptions,
  ParameterValue,
  ResourceRefResolver,
  SamApiEvent,
  SamDetails,
  SamDynamoDbEvent,
  SamEvent,
  SamOtherEvent,
  SamPolicy,
  SamRuleEvent,
  SamScheduleEvent,
  StackContext,
  TemplateResource,
} from './types.js';

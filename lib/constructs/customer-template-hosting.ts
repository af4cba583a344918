/**
 * The customer template, hosted where CloudFormation's quick-create link can read it: one object
 * in a bucket of the relay account. The bucket policy lets anyone GetObject that one key (the
 * console fetches the template by URL, unauthenticated); everything else stays blocked (ACLs off,
 * SSL only, no listing, no other key).
 *
 * The object is written at deploy time by the relay's own custom resource (a catalogued function
 * allowed only s3:PutObject on that key), from the template built at synth. CDK's
 * BucketDeployment would do the same with a helper function outside the catalog (managed policy,
 * S3 wildcards, its own log group) that every least-privilege rule of the stack would have to except.
 */
import { CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { customerStackTemplate } from '../../lambdas/relay/byoc/customer-template';
import { ServiceFunction } from './service-function';

/** The one public key. */
export const CUSTOMER_TEMPLATE_KEY = 'sendfleet-byoc/customer-template.json';

export interface CustomerTemplateHostingProps {
  readonly registrationTopicArn: string;
  /** The relay's delivery-events bus: the template's forwarding rule targets it. */
  readonly deliveryEventsBusArn: string;
  readonly removalPolicy: RemovalPolicy;
}

export class CustomerTemplateHosting extends Construct {
  readonly bucket: s3.Bucket;
  /** What CloudFormation reads (the relay's CUSTOMER_TEMPLATE_URL). */
  readonly templateUrl: string;
  /** Writes the template at deploy time (lambdas/relay/template-publisher/). */
  readonly publisher: ServiceFunction;

  constructor(scope: Construct, id: string, props: CustomerTemplateHostingProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Replaced versions of the template are kept a year (stacks may be updated from a link made before a deploy).
      lifecycleRules: [{ id: 'ExpireReplacedTemplates', noncurrentVersionExpiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Public ACLs stay blocked; only a public *policy* is allowed, and the policy opens one key.
      blockPublicAccess: new s3.BlockPublicAccess({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false }),
      removalPolicy: props.removalPolicy,
    });
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudFormationReadsTheCustomerTemplate',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects(CUSTOMER_TEMPLATE_KEY)],
    }));
    const template = customerStackTemplate({ relayAccountId: Stack.of(this).account, registrationTopicArn: props.registrationTopicArn, deliveryEventsBusArn: props.deliveryEventsBusArn });
    this.publisher = ServiceFunction.fromCatalog(this, 'Publisher', 'templatePublisher', { removalPolicy: props.removalPolicy });
    this.publisher.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteTheCustomerTemplate',
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(CUSTOMER_TEMPLATE_KEY)],
    }));
    // The relay's account and region are fixed by the deployment's configuration, so the template is
    // complete at synth. It travels base64-encoded: its own `${AWS::Region}` (the ServiceToken's
    // Fn::Sub) must not read as a parameter of the relay stack. Any change re-publishes it.
    const json = JSON.stringify(template);
    if (Token.isUnresolved(json)) throw new Error('the customer template needs the relay stack\'s account and region at synth (env)');
    // A bucket destroyed with the stack (dev) must be empty: the publisher then deletes every version of the key on Delete.
    const destroyed = props.removalPolicy === RemovalPolicy.DESTROY;
    if (destroyed) {
      this.publisher.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'DeleteTheCustomerTemplateOnRemoval',
        actions: ['s3:DeleteObjectVersion', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(CUSTOMER_TEMPLATE_KEY)],
      }));
      this.publisher.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ListTheCustomerTemplateVersions',
        actions: ['s3:ListBucketVersions'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: { 's3:prefix': CUSTOMER_TEMPLATE_KEY } },
      }));
    }
    const published = new CustomResource(this, 'Template', {
      serviceToken: this.publisher.functionArn,
      resourceType: 'Custom::SendFleetCustomerTemplate',
      properties: { Bucket: this.bucket.bucketName, Key: CUSTOMER_TEMPLATE_KEY, TemplateBase64: Buffer.from(json, 'utf8').toString('base64'), ...(destroyed ? { DeleteOnRemoval: 'true' } : {}) },
    });
    // Its Delete runs while the publisher's permissions still exist.
    published.node.addDependency(this.publisher);
    this.templateUrl = `https://${this.bucket.bucketRegionalDomainName}/${CUSTOMER_TEMPLATE_KEY}`;

    const publicTemplate = 'CloudFormation\'s quick-create link reads the customer template by URL without credentials, so the ' +
      `bucket policy allows s3:GetObject to anyone on exactly one key (${CUSTOMER_TEMPLATE_KEY}), a template with no secret in it. ` +
      'ACLs stay blocked and disabled, every other key and listing stay private, SSL is enforced.';
    const onlyTheTemplate = 'The bucket holds only the public customer template, written by the deployment alone: its reads are ' +
      'anonymous CloudFormation fetches of a file with no secret in it, so access logs, event notifications and object lock ' +
      'would guard nothing (replaced versions are kept a year by the lifecycle rule).';
    for (const [id, reason] of [
      ['cdk-validator-cfnguard::s3_bucket_level_public_access_prohibited_check', publicTemplate],
      ['AwsSolutions-S2', publicTemplate],
      ['cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', 'An SSE-KMS object cannot be read anonymously, and CloudFormation\'s quick-create reads the template without credentials; SSE-S3 encrypts it at rest.'],
      ['AwsSolutions-S1', onlyTheTemplate],
      ['cdk-validator-cfnguard::s3_bucket_logging_enabled_check', onlyTheTemplate],
      ['cdk-validator-cfnguard::s3_event_notifications_enabled_check', onlyTheTemplate],
      ['cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', onlyTheTemplate],
    ] as const) Validations.of(this.bucket).acknowledge({ id, reason });
  }
}

/** Lambda entry of the customer template publisher (the relay stack's own custom resource, publish-template.ts). */
import { S3Client } from '@aws-sdk/client-s3';
import { systemClock } from '../../shared/clock';
import { templatePublisher } from './publish-template';

export const handler = templatePublisher(new S3Client({}), systemClock);

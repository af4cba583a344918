/**
 * Every local command (npm start, npm run admin, npm run reset) runs on Node 20 while Lambda runs
 * Node 24; the AWS SDK's notice about Node 20 support is known and harmless here, so every local
 * command silences it the same way: import this module first. Deployed functions never import it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};

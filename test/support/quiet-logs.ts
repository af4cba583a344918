/** Tests keep stdout readable: log lines go nowhere unless a test captures them with setLogSink. */
import { setLogSink } from '../../lambdas/shared/logger';

setLogSink(() => undefined);
// Local code runs on Node 20 (Lambda on 22+); the SDK's notice about that is known and harmless here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

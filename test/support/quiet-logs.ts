/** Tests keep stdout readable: log lines go nowhere unless a test captures them with setLogSink. */
import { setLogSink } from '../../lambdas/shared/logger';

setLogSink(() => undefined);

/**
 * A test file's local system and the webhook endpoint it delivers to (a receiver on localhost,
 * signing times read from the system's virtual clock): started once, emptied and answering 200
 * before each test.
 */
import { startTestSystem, type TestSystem } from './system';
import { Receiver } from './webhook-receiver';

export interface WebhookSuite {
  readonly system: TestSystem;
  readonly receiver: Receiver;
}

/** Registers the hooks; the returned suite's system and receiver are set once they run. */
export function webhookSuite(name: string): WebhookSuite {
  let system: TestSystem | undefined;
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    system = await startTestSystem(name);
    receiver = await new Receiver(() => system!.clock.now()).start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await system?.stop();
  });
  beforeEach(() => {
    receiver!.requests.length = 0;
    receiver!.answer = () => 200;
  });
  return { get system() { return system!; }, get receiver() { return receiver!; } };
}

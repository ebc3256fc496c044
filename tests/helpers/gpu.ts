// Shared GPU setup for tests: the Node entry (Dawn), one runtime per worker. Fails loudly without an adapter.
import { init, type Runtime } from '../../src/index.js';

export async function gpu(): Promise<Runtime> {
  return init();
}

// Client-side security settings from a Kafka client properties file (`--command-config`), and the default every
// connection of a tool process uses when it is not given its own.
import { readFileSync } from 'node:fs';
import { clientSecurityFromProperties, parseClientProperties } from '../security/clientProperties';
import type { ClientSecurity } from '../security/listenerSecurity';
import { nodeSslIo } from '../util/sslIo';
import { setDefaultClientSecurity } from './connection';

/** Reads a client properties file into connection security (throws with the setting at fault). */
export function loadClientSecurity(path: string): ClientSecurity {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return clientSecurityFromProperties(parseClientProperties(text), nodeSslIo);
}

/** Makes every later connection of this process use the security of a client properties file. */
export function useCommandConfig(path: string): void {
  setDefaultClientSecurity(loadClientSecurity(path));
}

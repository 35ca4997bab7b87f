// The waiting helpers live with the cluster runner in src/chaos; tests import them from here too.
export { waitFor, freePort, canConnect, StopWaiting, type WaitOptions } from '../../src/chaos/waitFor';

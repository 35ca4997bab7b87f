// The security a broker process uses on every connection to another broker (controller channel, replica
// fetchers, AlterIsr, transaction markers): its inter-broker listener's TLS trust and SASL login. Set once at
// broker start-up; a broker process runs one broker, so one process-wide setting serves every sender.
import type { ClientSecurity } from '../security/listenerSecurity';

let current: ClientSecurity | undefined;

export function setInterBrokerSecurity(security: ClientSecurity | undefined): void {
  current = security;
}

/** Pass as KafkaConnection.connect's `security` for broker-to-broker connections (undefined = PLAINTEXT). */
export function interBrokerSecurity(): ClientSecurity | undefined {
  return current;
}

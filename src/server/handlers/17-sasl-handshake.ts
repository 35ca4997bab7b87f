// SaslHandshake (17) reaching the request handlers: the connection is on a listener without SASL, or already
// authenticated (a re-authentication is taken by the network layer first), so the SASL state is illegal, as
// Kafka's KafkaApis.handleSaslHandshakeRequest answers. SASL listeners run the exchange in src/network.
import { SaslHandshake } from '../../protocol/messages/17-sasl-handshake';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const saslHandshakeHandler = defineHandler({
  api: SaslHandshake,
  versions: [0, 1],
  handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
});

// SaslAuthenticate (36) reaching the request handlers: no exchange is under way on this connection, answered as
// Kafka's KafkaApis.handleSaslAuthenticateRequest does. SASL listeners run the exchange in src/network.
import { SaslAuthenticate } from '../../protocol/messages/36-sasl-authenticate';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';

export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticate,
  versions: [0, 2],
  handle: () => ({
    errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0n,
  }),
});

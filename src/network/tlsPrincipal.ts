// Who a TLS client is: its certificate's distinguished name through ssl.principal.mapping.rules, or ANONYMOUS.
import type tls from 'node:tls';
import { ANONYMOUS, type KafkaPrincipal } from '../security/types';
import type { ListenerTls } from '../security/listenerSecurity';
import { rfc2253FromNodeSubject } from '../security/ssl/distinguishedName';

export function tlsPrincipal(socket: tls.TLSSocket, t: ListenerTls): { principal: KafkaPrincipal } | { reason: string } {
  const cert = t.clientAuth === 'none' ? undefined : socket.getPeerX509Certificate();
  if (cert === undefined) {
    return t.clientAuth === 'required' ? { reason: 'no client certificate (ssl.client.auth=required)' } : { principal: ANONYMOUS };
  }
  // ssl.client.auth=requested: a client may go without a certificate, but one it shows must be trusted.
  if (!socket.authorized) return { reason: `client certificate refused: ${String(socket.authorizationError)} (${cert.subject.replace(/\n/g, ', ')}, valid ${cert.validFrom} to ${cert.validTo})` };
  const dn = rfc2253FromNodeSubject(cert.subject);
  try {
    return { principal: { type: 'User', name: t.principalMapper.getName(dn) } };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

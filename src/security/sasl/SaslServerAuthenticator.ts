// The broker side of SASL on one connection, as Kafka 2.8's SaslServerAuthenticator: ApiVersions and SaslHandshake
// first, then the mechanism's tokens (in SaslAuthenticate requests after a v1 handshake, raw after v0), then
// Kafka requests until the session expires (connections.max.reauth.ms) unless the client re-authenticates.
// A pure state machine: the network layer hands it each frame and acts on the returned decision.
import { decodeRequest, encodeResponse, readRequestHeader } from '../../protocol/codec';
import { ErrorCode } from '../../protocol/errors';
import { SaslAuthenticate } from '../../protocol/messages/36-sasl-authenticate';
import { SaslHandshake } from '../../protocol/messages/17-sasl-handshake';
import type { KafkaPrincipal, ScramCredentialProvider } from '../types';
import { PlainAuthError, verifyPlain } from './plain';
import { isScramMechanism, ScramError, ScramServer } from './scram';

const API_VERSIONS_KEY = 18;
const NO_SCRAM_CREDENTIALS: ScramCredentialProvider = { credential: () => null };

export interface SaslServerConfig {
  /** sasl.enabled.mechanisms of the listener. */
  readonly enabledMechanisms: readonly string[];
  /** PLAIN users (PlainLoginModule's user_<name> options); null when PLAIN has no JAAS configuration. */
  readonly plainUsers: ReadonlyMap<string, string> | null;
  readonly scramCredentials: ScramCredentialProvider | null;
  /** connections.max.reauth.ms; 0 = sessions never expire. */
  readonly maxReauthMs: number;
}

/** What the connection should do with a frame. */
export type SaslDecision =
  /** Hand the frame to the request processor (ApiVersions before authentication, any request after). */
  | { readonly kind: 'process' }
  /** Write these bytes (already size-prefixed); then, if set, close with `closeReason`, else mark `authenticated`. */
  | { readonly kind: 'respond'; readonly bytes: Buffer; readonly closeReason?: string; readonly authenticated?: KafkaPrincipal }
  /** Close without an answer. */
  | { readonly kind: 'close'; readonly reason: string };

type State = 'handshake' | 'authenticate' | 'complete' | 'failed';

const sizePrefixed = (b: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(4 + b.length);
  out.writeInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
};

interface Mechanism { evaluate(token: Buffer): { reply: Buffer; user: string | null } }

export class SaslServerAuthenticator {
  private state: State = 'handshake';
  private mechanism: string | null = null;
  private exchange: Mechanism | null = null;
  /** Whether tokens come in SaslAuthenticate requests (SaslHandshake v1+) or raw (v0). */
  private framed = false;
  private principalValue: KafkaPrincipal | null = null;
  private reauthenticating = false;
  private sessionExpiresAt: number | null = null;

  constructor(private readonly config: SaslServerConfig, private readonly now: () => number = Date.now) {}

  get authenticated(): boolean { return this.state === 'complete'; }
  get principal(): KafkaPrincipal | null { return this.principalValue; }
  get mechanismName(): string | null { return this.mechanism; }

  handle(frame: Buffer): SaslDecision {
    switch (this.state) {
      case 'complete': return this.onAuthenticatedRequest(frame);
      case 'handshake': return this.onHandshakeStage(frame);
      case 'authenticate': return this.framed ? this.onSaslAuthenticate(frame) : this.onRawToken(frame);
      default: return { kind: 'close', reason: 'authentication already failed' };
    }
  }

  private onAuthenticatedRequest(frame: Buffer): SaslDecision {
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    if (apiKey === SaslHandshake.apiKey) {
      // KIP-368: a SaslHandshake on an authenticated connection starts a re-authentication.
      this.reauthenticating = true;
      this.state = 'handshake';
      return this.onHandshakeStage(frame);
    }
    if (this.sessionExpiresAt !== null && this.now() >= this.sessionExpiresAt) {
      this.state = 'failed';
      return { kind: 'close', reason: 'SASL session expired (connections.max.reauth.ms) without re-authentication' };
    }
    return { kind: 'process' };
  }

  private onHandshakeStage(frame: Buffer): SaslDecision {
    let header;
    try {
      header = readRequestHeader(frame);
    } catch {
      return this.fail('first SASL packet is not a Kafka request and GSSAPI is not enabled');
    }
    if (header.apiKey === API_VERSIONS_KEY && !this.reauthenticating) return { kind: 'process' };
    if (header.apiKey !== SaslHandshake.apiKey || !header.known) {
      return this.fail(`unexpected Kafka request of type ${header.apiKey} during SASL handshake`);
    }
    let mechanism: string;
    try {
      mechanism = decodeRequest(SaslHandshake, header.apiVersion, frame, header.bodyOffset).mechanism;
    } catch (e) {
      return this.fail(`unparsable SaslHandshake request: ${(e as Error).message}`);
    }
    const enabled = [...this.config.enabledMechanisms];
    const answer = (errorCode: number): Buffer => encodeResponse(SaslHandshake, header.apiVersion, header.correlationId, { errorCode, mechanisms: enabled });
    if (!enabled.includes(mechanism) || (this.reauthenticating && mechanism !== this.mechanism)) {
      this.state = 'failed';
      const reason = this.reauthenticating && enabled.includes(mechanism)
        ? `re-authentication changed the SASL mechanism from ${this.mechanism} to ${mechanism}`
        : `unsupported SASL mechanism ${mechanism} (enabled: ${enabled.join(', ')})`;
      return { kind: 'respond', bytes: answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), closeReason: reason };
    }
    const exchange = this.createMechanism(mechanism);
    if (exchange === null) {
      this.state = 'failed';
      return { kind: 'respond', bytes: answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), closeReason: `SASL mechanism ${mechanism} is enabled but not configured on this listener` };
    }
    this.mechanism = mechanism;
    this.exchange = exchange;
    this.framed = header.apiVersion >= 1;
    this.state = 'authenticate';
    return { kind: 'respond', bytes: answer(ErrorCode.NONE) };
  }

  private createMechanism(mechanism: string): Mechanism | null {
    if (mechanism === 'PLAIN') {
      const users = this.config.plainUsers;
      if (users === null) return null;
      return { evaluate: (token) => ({ reply: Buffer.alloc(0), user: verifyPlain(token, users) }) };
    }
    if (isScramMechanism(mechanism)) {
      // Without a credential store every user is unknown, as on a Kafka broker with no SCRAM users in ZooKeeper.
      const server = new ScramServer(mechanism, this.config.scramCredentials ?? NO_SCRAM_CREDENTIALS);
      return { evaluate: (token) => ({ reply: server.evaluate(token), user: server.complete ? server.username : null }) };
    }
    return null;
  }

  /** The client-facing message for a failed exchange, as Kafka words it. */
  private failureMessage(e: unknown): string {
    if (e instanceof PlainAuthError) return e.message;
    if (e instanceof ScramError && e.clientMessage !== null) return e.clientMessage;
    const phase = this.reauthenticating ? 're-authentication' : 'authentication';
    return `Authentication failed during ${phase} due to invalid credentials with SASL mechanism ${this.mechanism}`;
  }

  private evaluate(token: Buffer): { reply: Buffer; principal: KafkaPrincipal | null } {
    const { reply, user } = this.exchange!.evaluate(token);
    if (user === null) return { reply, principal: null };
    const principal: KafkaPrincipal = { type: 'User', name: user };
    if (this.reauthenticating && this.principalValue !== null && this.principalValue.name !== principal.name) {
      throw new PlainAuthError(`Cannot change principals during re-authentication from ${this.principalValue.type}:${this.principalValue.name}: ${principal.type}:${principal.name}`);
    }
    return { reply, principal };
  }

  private onSaslAuthenticate(frame: Buffer): SaslDecision {
    let header;
    try {
      header = readRequestHeader(frame);
    } catch {
      return this.fail('unparsable request during SASL authentication');
    }
    if (header.apiKey !== SaslAuthenticate.apiKey || !header.known) {
      return this.fail(`unexpected Kafka request of type ${header.apiKey} during SASL authentication`);
    }
    let authBytes: Buffer;
    try {
      authBytes = decodeRequest(SaslAuthenticate, header.apiVersion, frame, header.bodyOffset).authBytes;
    } catch (e) {
      return this.fail(`unparsable SaslAuthenticate request: ${(e as Error).message}`);
    }
    const answer = (body: { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs: bigint }): Buffer =>
      encodeResponse(SaslAuthenticate, header.apiVersion, header.correlationId, body);
    let result;
    try {
      result = this.evaluate(authBytes);
    } catch (e) {
      this.state = 'failed';
      const message = this.failureMessage(e);
      return {
        kind: 'respond',
        bytes: answer({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }),
        closeReason: `SASL ${this.mechanism} authentication failed: ${(e as Error).message}`,
      };
    }
    if (result.principal === null) {
      return { kind: 'respond', bytes: answer({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: result.reply, sessionLifetimeMs: 0n }) };
    }
    const lifetime = this.complete(result.principal);
    return {
      kind: 'respond',
      bytes: answer({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: result.reply, sessionLifetimeMs: BigInt(lifetime) }),
      authenticated: result.principal,
    };
  }

  /** After a v0 SaslHandshake the tokens come as bare size-prefixed frames (clients before KIP-152). */
  private onRawToken(frame: Buffer): SaslDecision {
    let result;
    try {
      result = this.evaluate(frame);
    } catch (e) {
      this.state = 'failed';
      return { kind: 'close', reason: `SASL ${this.mechanism} authentication failed: ${(e as Error).message}` };
    }
    if (result.principal === null) return { kind: 'respond', bytes: sizePrefixed(result.reply) };
    this.complete(result.principal);
    return { kind: 'respond', bytes: sizePrefixed(result.reply), authenticated: result.principal };
  }

  /** Marks the session authenticated; returns the session lifetime told to a client that can re-authenticate. */
  private complete(principal: KafkaPrincipal): number {
    this.principalValue = principal;
    this.state = 'complete';
    this.reauthenticating = false;
    this.exchange = null;
    const max = this.config.maxReauthMs;
    // Sessions expire whatever the client's version: an old client is disconnected and reconnects (as Kafka).
    this.sessionExpiresAt = max > 0 ? this.now() + max : null;
    return this.sessionExpiresAt === null ? 0 : max;
  }

  private fail(reason: string): SaslDecision {
    this.state = 'failed';
    return { kind: 'close', reason };
  }
}

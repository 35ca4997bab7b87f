// Gives the controller-facing handlers the controller, but only while this broker is the active one.
import type { KafkaController } from '../../controller/KafkaController';
import type { RequestContext } from './types';

export function activeController(ctx: RequestContext): KafkaController | null {
  const c = ctx.services.controller;
  return c && c.isActive ? c : null;
}

import type { EngineEvent } from '../engine/engine-api.js';

// A GC scan reads images, containers and services: the engine events that change what it
// would read make the last scan out of date (last-scan.ts). Others (network, volume, a
// container's exec or health) leave it as it is.

const SCAN_CHANGES: Record<string, RegExp> = {
  image: /^(pull|load|import|tag|untag|delete|commit|build|prune)$/,
  container: /^(create|start|restart|die|stop|kill|pause|unpause|destroy|rename|update)$/,
  service: /^(create|update|remove)$/,
};

export function changesScan(e: Pick<EngineEvent, 'type' | 'action'>): boolean {
  return SCAN_CHANGES[e.type]?.test(e.action) ?? false;
}

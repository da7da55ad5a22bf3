import type { EngineIdentity } from '../store/agent-store.js';
import { previousLocation } from './drift-guard.js';

// At each (re)connection: did the engine come back at another data root or with another
// storage driver than when it was last seen? Then restart forensics are worth gathering
// even on the agent's first connection (a package upgrade restarted docker while the
// agent was down). A switch of image store alone is the drift guard's (drift-guard.ts).

export interface MoveDecision {
  moved: boolean;
  reason: string;
}

const where = (i: EngineIdentity) => `${i.dockerRootDir} (${i.driver})`;

/** `history`: the identities recorded before this one, newest first. */
export function engineMoved(current: EngineIdentity, history: readonly EngineIdentity[]): MoveDecision {
  const last = history[0];
  if (!last) return { moved: false, reason: 'the engine was never seen before: nothing to compare with' };
  if (previousLocation(current, history) === null || (last.dockerRootDir === current.dockerRootDir && last.driver === current.driver)) {
    return { moved: false, reason: `the engine is at ${where(current)}, as when it was last seen` };
  }
  return { moved: true, reason: `the engine was at ${where(last)} when last seen and is at ${where(current)} now` };
}

/** Restart forensics are gathered after an engine restart the agent saw (a reconnection) and after a move. */
export function wantsForensics(reconnected: boolean, move: MoveDecision): boolean {
  return reconnected || move.moved;
}

import type { EngineApi, EngineEvent } from '../engine/engine-api.js';

// Follows the engine's /events for as long as the agent runs. dockerd restarts (an
// upgrade, a crash, `systemctl restart docker`) end the stream; the watcher reconnects
// with backoff and resumes with `since` = the last event it saw, so the engine replays
// what happened meanwhile from its buffer and no container start is missed. Events at
// exactly the resume time come twice; they are dropped here while the agent runs, and
// by the store's unique index after it restarts (this watcher starts knowing none).

export interface WatchOptions {
  engine: EngineApi;
  /** The newest event time already handled (engine timeNano), or null to start from now. */
  resumeFrom: () => string | null;
  /** After each (re)connection, before events flow: identity, drift and findings. Throwing means "still down". */
  onConnect: (reconnected: boolean) => Promise<void>;
  onEvent: (event: EngineEvent) => Promise<void> | void;
  /** The engine went away (or never answered); called once per outage. */
  onDown: (err: unknown) => void;
  signal: AbortSignal;
  backoff?: { initialMs: number; maxMs: number };
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The engine's `since` takes seconds with a fraction: "1764051614.123456789". */
export function sinceArg(timeNano: string): string {
  const n = BigInt(timeNano);
  return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

const eventKey = (e: EngineEvent) => `${e.timeNano}/${e.type}/${e.action}/${e.actorId}`;

export async function watchEvents(opts: WatchOptions): Promise<void> {
  const { initialMs, maxMs } = opts.backoff ?? { initialMs: 500, maxMs: 10_000 };
  const sleep = opts.sleep ?? abortableSleep;
  let failures = 0;
  let connectedBefore = false;
  let down = false;
  // What was handled at the newest timestamp: `since` is inclusive, those come again.
  let newest = -1n;
  let atNewest = new Set<string>();
  while (!opts.signal.aborted) {
    try {
      await opts.onConnect(connectedBefore);
      connectedBefore = true;
      down = false;
      failures = 0;
      if (opts.signal.aborted) break;
      const resume = opts.resumeFrom();
      const stream = opts.engine.events({ ...(resume ? { since: sinceArg(resume) } : {}), signal: opts.signal });
      for await (const e of stream) {
        if (e.timeNano < newest || (e.timeNano === newest && atNewest.has(eventKey(e)))) continue;
        if (e.timeNano > newest) {
          newest = e.timeNano;
          atNewest = new Set();
        }
        atNewest.add(eventKey(e));
        await opts.onEvent(e);
      }
      if (opts.signal.aborted) break;
      throw new Error('the engine closed the event stream');
    } catch (err) {
      if (opts.signal.aborted) break;
      if (!down) opts.onDown(err);
      down = true;
      failures++;
    }
    await sleep(Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1)), opts.signal);
  }
}

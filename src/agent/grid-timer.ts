// A timer on the wall clock's grid: tick(due) at every multiple of intervalMs since the
// epoch (every 30 s at :00 and :30), each one aimed anew from the clock. setInterval
// instead aims each tick from when the last one ran, so every late tick (a busy event
// loop) pushes all the later ones back; here a late tick is late alone, and a tick
// that comes over a whole interval late stands for the grid points it missed.

export function onGrid(intervalMs: number, now: () => number, tick: (due: number) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastDue = -Infinity;
  const schedule = () => {
    const t = now();
    // Never the same point twice: a timer may fire a fraction of a millisecond before the clock says it is due.
    const due = Math.max(Math.floor(t / intervalMs) + 1, Math.floor(lastDue / intervalMs) + 1) * intervalMs;
    timer = setTimeout(() => {
      if (stopped) return;
      lastDue = Math.max(due, Math.floor(now() / intervalMs) * intervalMs);
      schedule();
      tick(lastDue);
    }, due - t);
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

// Small process helpers for the sandbox: run a tool, look at /proc, signal by pid.
// Everything reads /proc directly so that teardown also works for a dockerd started by
// another (possibly dead) process, where no ChildProcess handle exists.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; rejects with its stderr when it exits non-zero. */
export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const detail = stderr.trim() || err.message;
        reject(new Error(`\`${cmd} ${args.join(' ')}\` failed: ${detail}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** Polls `check` until it returns true; false when the time is up. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Kernel start time in clock ticks since boot: with the pid, it names one process for good. */
  startTime: number;
  state: string;
  argv: string[];
}

/** /proc/<pid>/stat and cmdline, or null when the process is gone (or was never there). */
export async function procInfo(pid: number): Promise<ProcInfo | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: parse from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      state: rest[0] ?? '?',
      ppid: Number(rest[1]),
      startTime: Number(rest[19]),
      argv: cmdline.split('\0').filter((a) => a !== ''),
    };
  } catch {
    return null;
  }
}

/**
 * True while the process runs. A zombie counts as gone: `kill(pid, 0)` still succeeds on
 * it, but it holds no mounts or files any more.
 */
export async function isAlive(pid: number, startTime?: number): Promise<boolean> {
  const info = await procInfo(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return startTime === undefined || info.startTime === startTime;
}

export async function listProcesses(): Promise<ProcInfo[]> {
  const names = await readdir('/proc');
  const infos = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => procInfo(Number(n))));
  return infos.filter((p): p is ProcInfo => p !== null && p.state !== 'Z');
}

/** Sends a signal; a process that is already gone is not an error. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export const programName = (p: ProcInfo): string => basename(p.argv[0] ?? '');

/** Every process below the given roots (not the roots themselves), deepest first. */
export function descendants(all: ProcInfo[], roots: number[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const visit = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      visit(child.pid);
      out.push(child);
    }
  };
  roots.forEach(visit);
  return out;
}

import { mapLimit } from '../core/map-limit.js';
import type { HostProbe } from './host-probe.js';

// The command lines of the host's processes, read from /proc: how dockwarden finds the
// dockerd behind a socket and the containerd it talks to. A host runs hundreds of
// processes; reading their cmdline files one after the other is most of doctor's wait on
// the host, so they are read many at a time.

const READ_WIDTH = 32;

export interface ProcessArgs {
  pid: number;
  argv: string[];
}

async function readCmdline(probe: HostProbe, pid: string): Promise<string[] | null> {
  try {
    const raw = await probe.readFile(`/proc/${pid}/cmdline`);
    return raw ? raw.split('\0').filter((w, i, all) => w !== '' || i < all.length - 1) : null;
  } catch {
    return null; // the process ended, or belongs to someone we may not inspect
  }
}

/** Every process whose command line could be read, in /proc's order; `wanted` filters on the program name first. */
export async function processesNamed(probe: HostProbe, wanted: (program: string, argv: string[]) => boolean): Promise<ProcessArgs[]> {
  const pids = ((await probe.readDir('/proc').catch(() => null)) ?? []).filter((e) => /^\d+$/.test(e));
  const argvs = await mapLimit(pids, READ_WIDTH, (pid) => readCmdline(probe, pid));
  const out: ProcessArgs[] = [];
  argvs.forEach((argv, i) => {
    if (argv && argv.length > 0 && wanted((argv[0] as string).replace(/^.*\//, ''), argv)) out.push({ pid: Number(pids[i]), argv });
  });
  return out;
}

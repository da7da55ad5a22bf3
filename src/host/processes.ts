import { mapLimit } from '../core/map-limit.js';
import { errorCode, type HostProbe } from './host-probe.js';

// The command lines of the host's processes, read from /proc: how dockwarden finds the
// dockerd behind a socket and the containerd it talks to. A host runs hundreds of
// processes; reading their cmdline files one after the other is most of doctor's wait on
// the host, so they are read many at a time.

const READ_WIDTH = 32;

export interface ProcessArgs {
  pid: number;
  argv: string[];
}

/** The process is gone between listing /proc and reading it: nothing to report. */
const ENDED = new Set(['ENOENT', 'ESRCH']);

async function readCmdline(probe: HostProbe, pid: string): Promise<string[] | { error: string } | null> {
  try {
    const raw = await probe.readFile(`/proc/${pid}/cmdline`);
    return raw ? raw.split('\0').filter((w, i, all) => w !== '' || i < all.length - 1) : null;
  } catch (err) {
    const code = errorCode(err);
    return ENDED.has(code) ? null : { error: code };
  }
}

/**
 * Every process whose command line could be read, in /proc's order; `wanted` filters on
 * the program name first. What could not be read (/proc mounted with hidepid, a
 * confined dockwarden) goes into `gaps`, naming `looking` (what was being looked for).
 */
export async function processesNamed(probe: HostProbe, wanted: (program: string, argv: string[]) => boolean, gaps: string[], looking: string): Promise<ProcessArgs[]> {
  let entries: string[];
  try {
    entries = (await probe.readDir('/proc')) ?? [];
  } catch (err) {
    gaps.push(`/proc cannot be listed (${errorCode(err)}): ${looking} was not looked for.`);
    return [];
  }
  const pids = entries.filter((e) => /^\d+$/.test(e));
  const argvs = await mapLimit(pids, READ_WIDTH, (pid) => readCmdline(probe, pid));
  const out: ProcessArgs[] = [];
  const unreadable = new Map<string, number>();
  argvs.forEach((argv, i) => {
    if (argv && 'error' in argv) unreadable.set(argv.error, (unreadable.get(argv.error) ?? 0) + 1);
    else if (argv && argv.length > 0 && wanted((argv[0] as string).replace(/^.*\//, ''), argv)) out.push({ pid: Number(pids[i]), argv });
  });
  if (unreadable.size > 0) {
    const count = [...unreadable.values()].reduce((a, b) => a + b, 0);
    gaps.push(`The command lines of ${count} of ${pids.length} processes cannot be read (${[...unreadable.keys()].join(', ')}): ${looking} may be among them; run dockwarden as root.`);
  }
  return out;
}

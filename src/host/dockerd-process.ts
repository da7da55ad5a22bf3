import { posix } from 'node:path';
import { dockerdFlagsStart } from './dockerd-flags.js';
import type { HostProbe } from './host-probe.js';

// The dockerd that serves a socket, found in /proc. Its command line is the truth about
// the running engine's flags; docker.service is only the truth when systemd started it.
// A dockerd started by hand, by another supervisor or by a test harness is not governed
// by the unit or by /etc/docker/daemon.json unless its flags say so.

export interface DockerdProcess {
  pid: number;
  argv: string[];
  /** Whether its cgroup is docker.service, i.e. systemd started it from the unit. */
  startedByDockerService: boolean;
}

/** /var/run is a link to /run on every systemd distribution: compare sockets without it. */
function canonicalSocket(path: string): string {
  return path.startsWith('/var/run/') ? path.slice('/var'.length) : path;
}

/** The unix sockets a dockerd command line listens on (-H/--host; none means the default). */
export function listenSockets(argv: string[]): string[] {
  const hosts: string[] = [];
  for (let i = dockerdFlagsStart(argv); i < argv.length; i++) {
    const word = argv[i]!;
    const glued = /^(?:--host|-H)=(.*)$/.exec(word) ?? /^-H(.+)$/.exec(word);
    if (glued) hosts.push(glued[1]!);
    else if ((word === '-H' || word === '--host') && i + 1 < argv.length) hosts.push(argv[++i]!);
  }
  if (hosts.length === 0) return ['/run/docker.sock'];
  return hosts.flatMap((h) => {
    // fd:// is systemd socket activation: docker.socket listens on /run/docker.sock.
    if (h.startsWith('fd://')) return ['/run/docker.sock'];
    if (h.startsWith('unix://')) return [canonicalSocket(h.slice('unix://'.length) || '/var/run/docker.sock')];
    return [];
  });
}

async function readCmdline(probe: HostProbe, pid: string): Promise<string[] | null> {
  try {
    const raw = await probe.readFile(`/proc/${pid}/cmdline`);
    return raw ? raw.split('\0').filter((w, i, all) => w !== '' || i < all.length - 1) : null;
  } catch {
    return null; // the process ended, or belongs to someone we may not inspect
  }
}

export async function findDockerdProcess(probe: HostProbe, socketPath: string): Promise<DockerdProcess | null> {
  const wanted = canonicalSocket(socketPath);
  const entries = (await probe.readDir('/proc').catch(() => null)) ?? [];
  for (const pid of entries.filter((e) => /^\d+$/.test(e))) {
    const argv = await readCmdline(probe, pid);
    if (!argv || argv.length === 0) continue;
    const exe = posix.basename(argv[0]!);
    if (exe !== 'dockerd' && !(exe === 'docker' && argv[1] === 'daemon')) continue;
    if (!listenSockets(argv).includes(wanted)) continue;
    const cgroup = await probe.readFile(`/proc/${pid}/cgroup`).catch(() => null);
    return { pid: Number(pid), argv, startedByDockerService: /\/docker\.service\b/.test(cgroup ?? '') };
  }
  return null;
}

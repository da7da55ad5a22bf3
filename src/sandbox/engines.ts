import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool } from './preflight.js';

// Which Docker engines a sandbox can run: the host's own dockerd (Debian 12's docker.io
// 20.10), and the builds scripts/fetch-engines.sh unpacked from Debian's newer suites
// (trixie: 26.1 + containerd 1.7, sid: 28.5 + containerd 2.1). A fetched build runs with
// its own containerd and shim first on dockerd's PATH and the host's runc after them:
// its suite's runc needs a newer glibc than this host has.

export interface EngineBuild {
  /** 'host', or the Debian suite it came from ('trixie', 'sid'). */
  id: string;
  /** e.g. "docker.io 26.1.5+dfsg1-9+deb13u1+b1 + containerd 1.7.24~ds1-6+deb13u1 (trixie)" */
  label: string;
  dockerd: string;
  /** containerd binary for a containerd started beside dockerd (the packaged-host layout). */
  containerd: string;
  /** Put first on dockerd's and containerd's PATH: where their containerd and shims are. */
  binDirs: string[];
}

export interface SkippedEngine {
  id: string;
  why: string;
}

const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where scripts/fetch-engines.sh unpacks, unless DOCKWARDEN_ENGINES_DIR says otherwise. */
export function enginesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKWARDEN_ENGINES_DIR'] ?? join(PROJECT_ROOT, '.cache', 'engines');
}

/** The host's dockerd and containerd, as preflight finds them. */
export async function hostEngine(): Promise<EngineBuild | null> {
  const [dockerd, containerd] = await Promise.all([findTool('dockerd'), findTool('containerd')]);
  if (!dockerd) return null;
  return { id: 'host', label: `the host's dockerd (${dockerd})`, dockerd, containerd: containerd ?? 'containerd', binDirs: [] };
}

function envValue(text: string, key: string): string {
  return new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
}

/** The fetched builds, runnable or not (with the one-line reason fetch-engines recorded). */
export async function fetchedEngines(dir = enginesDir()): Promise<{ engines: EngineBuild[]; skipped: SkippedEngine[] }> {
  const engines: EngineBuild[] = [];
  const skipped: SkippedEngine[] = [];
  const suites = await readdir(dir).catch(() => [] as string[]);
  for (const suite of suites.sort()) {
    const text = await readFile(join(dir, suite, 'engine.env'), 'utf8').catch(() => null);
    if (text === null) continue;
    if (envValue(text, 'RUNNABLE') !== '1') {
      skipped.push({ id: suite, why: envValue(text, 'WHY') || `${suite}: no runnable engine was fetched` });
      continue;
    }
    const root = join(dir, suite, 'root');
    engines.push({
      id: suite,
      label: `docker.io ${envValue(text, 'DOCKER_VERSION')} + containerd ${envValue(text, 'CONTAINERD_VERSION')} (${suite})`,
      dockerd: join(root, 'usr/sbin/dockerd'),
      containerd: join(root, 'usr/bin/containerd'),
      binDirs: [join(root, 'usr/bin'), join(root, 'usr/sbin')],
    });
  }
  return { engines, skipped };
}

/** PATH for an engine's daemons: its own binaries first, then the caller's (runc, mount...). */
export function enginePath(engine: EngineBuild, base = process.env['PATH'] ?? ''): string {
  return [...engine.binDirs, base || '/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
}

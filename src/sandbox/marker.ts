import { readFile, rename, writeFile } from 'node:fs/promises';
import { isAlive, procInfo } from './proc.js';

// `<dir>/sandbox.env` says who owns a sandbox, so a later run (or
// scripts/sandbox-cleanup.sh, which reads the same KEY=value lines) can tell a sandbox
// left behind by a killed test run from one that another run is still using.
//
// OWNER_PID/OWNER_START name the process that must stop it; the start time guards against
// pid reuse. A detached sandbox (`scripts/sandbox start`) has no owner: it lives as long
// as its dockerd does.

export interface Marker {
  ownerPid: number | null;
  ownerStart: number | null;
}

export async function writeMarker(path: string, owner: Marker): Promise<void> {
  const text = ['# dockwarden sandbox; remove with scripts/sandbox-cleanup.sh', 'DW_SANDBOX=1', `OWNER_PID=${owner.ownerPid ?? ''}`, `OWNER_START=${owner.ownerStart ?? ''}`, ''].join('\n');
  // Written whole then renamed: a reader never sees half a marker.
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export async function currentProcessMarker(): Promise<Marker> {
  const self = await procInfo(process.pid);
  return { ownerPid: process.pid, ownerStart: self?.startTime ?? null };
}

export async function readMarker(path: string): Promise<Marker | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const value = (key: string): number | null => {
    const m = new RegExp(`^${key}=(\\d+)$`, 'm').exec(text);
    return m?.[1] ? Number(m[1]) : null;
  };
  if (!/^DW_SANDBOX=1$/m.test(text)) return null;
  return { ownerPid: value('OWNER_PID'), ownerStart: value('OWNER_START') };
}

/**
 * Whether a sandbox was abandoned: its owner died, or (detached) its dockerd is gone.
 * A directory without a marker is never touched: it may not be a sandbox at all.
 */
export async function isAbandoned(markerPath: string, dockerdAlive: () => Promise<boolean>): Promise<boolean> {
  const marker = await readMarker(markerPath);
  if (!marker) return false;
  if (marker.ownerPid !== null) return !(await isAlive(marker.ownerPid, marker.ownerStart ?? undefined));
  return !(await dockerdAlive());
}

import { errorCode, type HostProbe } from './host-probe.js';

// Where systemd finds a system unit and its drop-ins (systemd.unit(5), "Unit File Load
// Path"). The first directory holding `<name>` provides the unit, so a copy in
// /etc/systemd/system replaces the packaged one entirely. Drop-ins `<name>.d/*.conf` come
// from every directory; a same-named file in an earlier directory wins, and the survivors
// apply in filename order whatever their directory. A symlink to /dev/null masks.

export const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

export interface LoadedUnitFile {
  path: string;
  kind: 'unit' | 'drop-in';
  text: string;
}

export interface LoadedUnit {
  /** The unit file then its drop-ins, in the order systemd applies them. Empty when no unit exists. */
  files: LoadedUnitFile[];
  /** The unit path that is a symlink to /dev/null, when the unit is masked. */
  maskedBy: string | null;
}

async function isMask(probe: HostProbe, path: string): Promise<boolean> {
  return (await probe.readLink(path)) === '/dev/null';
}

/** The entries of a drop-in directory; none when it does not exist (the usual case), a gap when it cannot be listed. */
async function listDropIns(probe: HostProbe, dir: string, name: string, gaps: string[]): Promise<string[]> {
  try {
    return (await probe.readDir(dir)) ?? [];
  } catch (err) {
    gaps.push(`${dir} cannot be listed (${errorCode(err)}): the ${name} drop-ins in it, which may set the data root, are unknown; run dockwarden as root.`);
    return [];
  }
}

/** Reads `name` (e.g. docker.service) as systemd would load it. Unreadable files are reported in `gaps`. */
export async function loadSystemdUnit(probe: HostProbe, name: string, gaps: string[]): Promise<LoadedUnit> {
  const read = async (path: string): Promise<string | null> => {
    try {
      return await probe.readFile(path);
    } catch (err) {
      gaps.push(`${path} cannot be read (${errorCode(err)}): the ${name} settings in it are unknown; run dockwarden as root.`);
      return null;
    }
  };

  let main: LoadedUnitFile | null = null;
  for (const dir of UNIT_DIRS) {
    const path = `${dir}/${name}`;
    if (await isMask(probe, path)) return { files: [], maskedBy: path };
    const text = await read(path);
    if (text !== null) {
      main = { path, kind: 'unit', text };
      break;
    }
  }
  if (main === null) return { files: [], maskedBy: null };

  const byName = new Map<string, string>();
  for (const dir of UNIT_DIRS) {
    const names = await listDropIns(probe, `${dir}/${name}.d`, name, gaps);
    for (const entry of names) {
      if (entry.endsWith('.conf') && !byName.has(entry)) byName.set(entry, `${dir}/${name}.d/${entry}`);
    }
  }
  const files: LoadedUnitFile[] = [main];
  for (const entry of [...byName.keys()].sort()) {
    const path = byName.get(entry) as string;
    if (await isMask(probe, path)) continue;
    const text = await read(path);
    if (text !== null) files.push({ path, kind: 'drop-in', text });
  }
  return { files, maskedBy: null };
}

// /proc/self/mountinfo (proc(5)): one mount per line,
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2) (3)  (4)   (5)     (6)       (7)   (8) (9)   (10)       (11)
// The optional fields (7) are zero or more, ended by a lone "-". Paths escape space,
// tab, newline and backslash as octal (\040, \011, \012, \134), so a mount point with a
// space is still one field.

export interface MountEntry {
  mountId: number;
  parentId: number;
  /** major:minor of the filesystem (st_dev); the same for every bind mount of it. */
  deviceId: string;
  /** The directory of the filesystem that is mounted here (not `/` for bind mounts and btrfs subvolumes). */
  root: string;
  mountPoint: string;
  mountOptions: string[];
  optionalFields: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

export function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function options(field: string | undefined): string[] {
  return field ? field.split(',').filter((o) => o !== '') : [];
}

/** Parses every well-formed line; malformed lines are skipped (the kernel writes none). */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 10 || sep < 0 || sep + 2 >= fields.length) continue;
    const [mountId, parentId, deviceId, root, mountPoint, mountOptions] = fields;
    if (!/^\d+$/.test(mountId ?? '') || !/^\d+:\d+$/.test(deviceId ?? '')) continue;
    entries.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      deviceId: deviceId as string,
      root: unescapeMountinfo(root as string),
      mountPoint: unescapeMountinfo(mountPoint as string),
      mountOptions: options(mountOptions),
      optionalFields: fields.slice(6, sep),
      fsType: fields[sep + 1] as string,
      source: unescapeMountinfo(fields[sep + 2] as string),
      superOptions: options(fields[sep + 3]),
    });
  }
  return entries;
}

function contains(mountPoint: string, path: string): boolean {
  if (mountPoint === '/') return path.startsWith('/');
  return path === mountPoint || path.startsWith(`${mountPoint}/`);
}

/**
 * The mount that holds `path` (already resolved through symlinks): the longest mount
 * point that is a prefix of it. When two mounts share a mount point the later line wins,
 * because a later mount is stacked on top of the earlier one and hides it.
 */
export function findMountFor(mounts: MountEntry[], path: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    if (!contains(m.mountPoint, path)) continue;
    if (best === null || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/**
 * The mount that shows a filesystem where it is really mounted. dockerd bind-mounts its
 * data root onto itself (to control mount propagation), so the innermost mount of
 * /var/lib/docker is often that bind (root "/docker"), whose mount point and options are
 * not what an operator edits in fstab. Follow parents of the same device to the mount of
 * its top directory; a btrfs subvolume or a real bind from elsewhere has none and stays.
 */
export function filesystemMountOf(mounts: MountEntry[], mount: MountEntry): MountEntry {
  const byId = new Map(mounts.map((m) => [m.mountId, m]));
  for (let m: MountEntry | undefined = mount; m && m.deviceId === mount.deviceId; m = byId.get(m.parentId)) {
    if (m.root === '/') return m;
    if (m.parentId === m.mountId) break;
  }
  return mount;
}

// xfs_info prints the filesystem geometry; the `naming` line carries ftype, e.g.
//   naming   =version 2              bsize=4096   ascii-ci=0, ftype=1   (xfsprogs 4.x+)
//   naming   =version 2              bsize=4096   ascii-ci=0 ftype=0    (xfsprogs 3.2, CentOS 7)
// ftype=0 means the directory entries carry no file type (no d_type), which overlay2
// needs: Docker on such a filesystem hangs and corrupts (the CentOS 7 story in DESIGN.md).

/** The `ftype` of an XFS filesystem from xfs_info output; null when the output does not tell. */
export function parseXfsFtype(output: string): 0 | 1 | null {
  const naming = output.split('\n').find((line) => /^\s*naming\s*=/.test(line));
  const ftype = /\bftype=([01])\b/.exec(naming ?? '') ?? /\bftype=([01])\b/.exec(output);
  if (ftype) return ftype[1] === '1' ? 1 : 0;
  // xfsprogs older than 3.2 does not print ftype at all. A v5 (crc=1) filesystem always
  // has ftype=1, so that much can still be told; for a v4 one it stays unknown.
  if (/\bcrc=1\b/.test(output)) return 1;
  return null;
}

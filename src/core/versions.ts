// Version strings as engines and kernels print them, compared the way their changelogs
// state limits ("kernel 3.18 or newer", "removed in Engine 25").

/** Compares a kernel release such as "3.10.0-1160.el7.x86_64" with [major, minor]; undefined when it does not parse. */
export function kernelAtLeast(release: string, major: number, minor: number): boolean | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  if (!m) return undefined;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

/** The major version as a number (17.03.2-ce -> 17, 1.13.1 -> 1); undefined when it does not parse. */
export function majorVersion(version: string | null | undefined): number | undefined {
  const m = /^(\d+)\./.exec(version ?? '');
  return m ? Number(m[1]) : undefined;
}

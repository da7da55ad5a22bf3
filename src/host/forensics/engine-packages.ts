// The Debian/Ubuntu packages whose upgrade restarts the engine or changes what it runs on:
// Docker's own repository (docker-ce, docker-ce-cli, containerd.io), the distribution's
// (docker.io, containerd, runc), Microsoft's moby-* builds, the pre-2017 docker-engine,
// and kernels (a new kernel takes effect at the next reboot). Names without `:arch`.

const EXACT = new Set(['docker.io', 'docker-ce', 'docker-ce-cli', 'docker-engine', 'containerd', 'containerd.io', 'runc']);

/** Whether a package upgrade can restart docker or containerd, or change the kernel they run on. */
export function isEnginePackage(name: string): boolean {
  const bare = name.split(':')[0] as string;
  return EXACT.has(bare) || bare.startsWith('moby-') || bare.startsWith('linux-image-');
}

import { UsageError } from '../core/errors.js';
import { imageStoreKind } from '../core/image-store.js';
import type { PlanContext } from './plan-context.js';
import type { PlanKind } from './plan.js';
import { driverStatusEquals, shq } from './shell.js';

// A host on containerd's image store keeps its images in containerd's root. When dockerd
// runs its own containerd that root is `<data-root>/containerd/daemon`, so moving the data
// root (a copy of the whole tree) moves the images with it, and the snapshotter stays the
// same. A separate containerd (packaged hosts: containerd.io's service, root
// /var/lib/containerd) keeps its root wherever its config.toml says: moving the data
// root would leave every image behind, so plans refuse and say how to move that root.
// Only the overlay2 plan applies: pquota (overlay2.size), btrfs and zfs configure graph
// drivers, which containerd's store does not use.

export interface ContainerdStorePlan {
  /** The snapshotter, what `docker info` shows as Driver before and after (overlayfs). */
  snapshotter: string;
  /** containerd's root under the new data root. */
  newContainerdRoot: (newRoot: string) => string;
  verify: (newRoot: string) => string[];
  summary: (newRoot: string) => string;
}

/** null for a graph driver; for containerd's store, what the plan does about it, or a UsageError saying why it cannot. */
export function containerdStorePlan(ctx: PlanContext, kind: PlanKind): ContainerdStorePlan | null {
  const facts = ctx.host.facts;
  if (imageStoreKind(facts.engine.info) !== 'containerd') return null;
  const snapshotter = ctx.oldDriver ?? 'overlayfs';
  const store = `containerd's image store (${snapshotter} snapshotter)`;
  if (kind !== 'overlay2') {
    throw new UsageError(
      `This engine keeps its images in ${store}; \`plan ${kind}\` sets up a graph driver it does not use. Use \`dockwarden plan overlay2\`, which moves the data root and containerd's root under it.`,
    );
  }
  const containerd = facts.host?.containerd;
  if (!containerd) {
    throw new UsageError(`This engine keeps its images in ${store}, and where containerd's root is was not learned: make the plan on the engine's host, as root, against the live engine.`);
  }
  if (!containerd.managedByDockerd) {
    const config = containerd.configPath ?? '/etc/containerd/config.toml';
    throw new UsageError(
      `Images live in containerd's root ${containerd.root} (${containerd.rootSource}), not under the data root ${ctx.oldRoot}: moving the data root would leave every image behind. ` +
        `Move containerd's root instead: stop docker and containerd, copy ${containerd.root} to the new disk, set \`root\` in ${config}, start them (\`dockwarden doctor\` shows the commands when that root shares /).`,
    );
  }
  const newContainerdRoot = (newRoot: string) => `${newRoot}/containerd/daemon`;
  return {
    snapshotter,
    newContainerdRoot,
    verify: (newRoot) => [driverStatusEquals('driver-type', 'io.containerd.snapshotter.v1'), `[[ -d ${shq(`${newContainerdRoot(newRoot)}/io.containerd.content.v1.content`)} ]]`],
    summary: (newRoot) =>
      `Images live in ${store}, in containerd's root under the data root (${containerd.root}): it moves with the data root, to ${newContainerdRoot(newRoot)}; the snapshotter stays ${snapshotter}.`,
  };
}

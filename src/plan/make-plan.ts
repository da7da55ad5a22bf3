import { planContext, type PlanHost, type PlanRequest } from './plan-context.js';
import { planDirectLvm } from './plan-direct-lvm.js';
import { planBtrfs, planOverlay2, planPquota } from './plan-filesystem.js';
import type { Plan, PlanKind } from './plan.js';
import { planZfs } from './plan-zfs.js';
import { containerdStorePlan } from './image-store-plan.js';
import type { PlanContext } from './plan-context.js';

// One entry for every plan: request + host in, Plan out (or a UsageError saying why not).

const PLANNERS: Record<PlanKind, (ctx: PlanContext) => Plan> = {
  overlay2: planOverlay2,
  pquota: planPquota,
  btrfs: planBtrfs,
  zfs: planZfs,
  'direct-lvm': planDirectLvm,
};

export function makePlan(request: PlanRequest, host: PlanHost): Plan {
  const ctx = planContext(request, host);
  // The filesystem plans decide about containerd's image store themselves; direct-lvm is refused by engine version first.
  if (request.kind === 'zfs') containerdStorePlan(ctx, request.kind);
  return PLANNERS[request.kind](ctx);
}

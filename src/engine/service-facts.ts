import type { ServiceFacts } from './engine-facts.js';

// A swarm service as GET /services returns it, reduced to what storage and rollback
// checks need. PreviousSpec exists once a service has been updated: its image is what
// `docker service rollback` (or FailureAction=rollback) returns to.

interface RawUpdateConfig {
  Parallelism?: number;
  FailureAction?: string;
  Monitor?: number;
  Order?: string;
}

interface RawSpec {
  Name?: string;
  Mode?: Record<string, unknown>;
  TaskTemplate?: { ContainerSpec?: { Image?: string } };
  UpdateConfig?: RawUpdateConfig | null;
  RollbackConfig?: RawUpdateConfig | null;
}

export interface RawService {
  ID: string;
  Spec?: RawSpec;
  PreviousSpec?: RawSpec | null;
}

export function serviceFactsFromSpec(raw: RawService): ServiceFacts {
  const spec = raw.Spec ?? {};
  const update = spec.UpdateConfig;
  const rollback = spec.RollbackConfig;
  return {
    id: raw.ID,
    name: spec.Name ?? raw.ID,
    image: spec.TaskTemplate?.ContainerSpec?.Image ?? '',
    previousImage: raw.PreviousSpec?.TaskTemplate?.ContainerSpec?.Image ?? null,
    mode: Object.keys(spec.Mode ?? {})[0]?.toLowerCase() ?? 'replicated',
    updateConfig: update
      ? {
          failureAction: update.FailureAction ?? null,
          monitorNs: update.Monitor ?? null,
          parallelism: update.Parallelism ?? null,
          order: update.Order ?? null,
        }
      : null,
    rollbackConfig: rollback ? { failureAction: rollback.FailureAction ?? null, monitorNs: rollback.Monitor ?? null } : null,
  };
}

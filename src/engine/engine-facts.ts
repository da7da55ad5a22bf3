import { z } from 'zod';
import { dockerInfoSchema } from '../core/docker-info-schema.js';

// What the engine says about itself. Read from a live engine, or from pasted
// `docker info` output, in which case `version` and `services` are null.

export const serviceFactsSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  /** The image of the previous spec (what a rollback returns to), when there is one. */
  previousImage: z.string().nullable(),
  mode: z.string(),
  /** Spec.UpdateConfig as the engine returns it; null when the service has none. */
  updateConfig: z
    .object({
      failureAction: z.string().nullable(),
      monitorNs: z.number().nullable(),
      parallelism: z.number().nullable(),
      order: z.string().nullable(),
    })
    .nullable(),
  rollbackConfig: z.object({ failureAction: z.string().nullable(), monitorNs: z.number().nullable() }).nullable(),
});
export type ServiceFacts = z.infer<typeof serviceFactsSchema>;

export const versionFactsSchema = z.object({
  version: z.string(),
  apiVersion: z.string(),
  minApiVersion: z.string().nullable(),
  /** The API version dockwarden spoke after negotiation. */
  negotiatedApiVersion: z.string(),
  /** /version's Components; Podman lists "Podman Engine" there (engine-product.ts). Absent in older facts files. */
  components: z.array(z.object({ name: z.string(), version: z.string() })).optional(),
});
export type VersionFacts = z.infer<typeof versionFactsSchema>;

export const engineFactsSchema = z.object({
  /** How the engine was reached ("unix:///var/run/docker.sock"), or where the info came from. */
  endpoint: z.string(),
  info: dockerInfoSchema,
  version: versionFactsSchema.nullable(),
  /** Swarm services; null when this node is not a manager or the list could not be read. */
  services: z.array(serviceFactsSchema).nullable(),
});
export type EngineFacts = z.infer<typeof engineFactsSchema>;

import { z } from 'zod';

// The schema of the part of `docker info` (GET /info) that dockwarden reads, for what
// comes from outside as JSON (facts files, pastes). Loaded only where zod is: the live
// engine's answer is checked by asDockerInfo (docker-info.ts), off the hot path.
//
// The part of `docker info` (GET /info) that dockwarden reads. Every field is optional:
// engines from 1.12 to today differ, and people paste partial output into bug reports.
// Unknown fields pass through so a facts file keeps everything the engine said.
const driverStatusSchema = z.array(z.tuple([z.string(), z.string()]));

export const swarmInfoSchema = z.looseObject({
  NodeID: z.string().optional(),
  NodeAddr: z.string().optional(),
  /** "inactive", "pending", "active", "error", "locked" */
  LocalNodeState: z.string().optional(),
  ControlAvailable: z.boolean().optional(),
  Managers: z.number().optional(),
  Nodes: z.number().optional(),
});

export const dockerInfoSchema = z.looseObject({
  ID: z.string().optional(),
  Name: z.string().optional(),
  ServerVersion: z.string().optional(),
  Containers: z.number().optional(),
  ContainersRunning: z.number().optional(),
  ContainersPaused: z.number().optional(),
  ContainersStopped: z.number().optional(),
  Images: z.number().optional(),
  Driver: z.string().optional(),
  /** Pairs as the engine prints them, e.g. ["Data Space Available", "7.548GB"]. */
  DriverStatus: driverStatusSchema.nullable().optional(),
  DockerRootDir: z.string().optional(),
  LoggingDriver: z.string().optional(),
  CgroupDriver: z.string().optional(),
  CgroupVersion: z.string().optional(),
  LiveRestoreEnabled: z.boolean().optional(),
  KernelVersion: z.string().optional(),
  OperatingSystem: z.string().optional(),
  OSType: z.string().optional(),
  Architecture: z.string().optional(),
  NCPU: z.number().optional(),
  MemTotal: z.number().optional(),
  SecurityOptions: z.array(z.string()).nullable().optional(),
  Labels: z.array(z.string()).nullable().optional(),
  Swarm: swarmInfoSchema.optional(),
  /** The containerd dockerd talks to (API >= 1.46, Engine 27+); absent on older engines and in pastes. */
  Containerd: z
    .looseObject({
      Address: z.string().optional(),
      Namespaces: z.looseObject({ Containers: z.string().optional(), Plugins: z.string().optional() }).optional(),
    })
    .nullable()
    .optional(),
  /** Lines the engine prints as "WARNING: ..." (API >= 1.29 returns them in this field). */
  Warnings: z.array(z.string()).nullable().optional(),
});

export type DockerInfo = z.infer<typeof dockerInfoSchema>;
export type DriverStatus = z.infer<typeof driverStatusSchema>;

import type { DockerInfo } from './docker-info-schema.js';

// Reading `docker info`'s DriverStatus, for the engine's code and for doctor's checks alike.

/** Looks up a DriverStatus value by its label, e.g. "Backing Filesystem". */
export function driverStatusValue(info: DockerInfo, label: string): string | undefined {
  const wanted = label.toLowerCase();
  return info.DriverStatus?.find(([key]) => key.trim().toLowerCase() === wanted)?.[1].trim();
}

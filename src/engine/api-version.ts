import { EngineError } from '../core/errors.js';

// API version negotiation, as the docker CLI does it: speak the highest version both
// sides know. Debian 12's engine speaks 1.41; Docker 29 refuses anything below 1.44;
// Docker 1.12 (the oldest engine people still paste) speaks 1.24.
export const API_VERSION_MIN = '1.24';
export const API_VERSION_MAX = '1.51';

export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** The engine's oldest API is newer than the newest this dockwarden speaks. */
export function engineNeedsNewerApi(serverMin: string, endpoint: string, details: EngineError['details'] = {}): EngineError {
  return new EngineError(`The engine at ${endpoint} needs API ${serverMin} or newer; this dockwarden speaks up to ${API_VERSION_MAX}. Upgrade dockwarden.`, details);
}

/** The version to speak to an engine that reports `serverApi` (its highest) and `serverMin` (null: not known, as from /_ping). */
export function negotiateApiVersion(serverApi: string, serverMin: string | null, endpoint: string): string {
  if (compareApiVersions(serverApi, API_VERSION_MIN) < 0) {
    throw new EngineError(
      `The engine at ${endpoint} speaks API ${serverApi}; dockwarden needs at least ${API_VERSION_MIN} (Docker 1.12). Upgrade the engine, or diagnose it from a paste with --info.`,
    );
  }
  if (serverMin && compareApiVersions(serverMin, API_VERSION_MAX) > 0) throw engineNeedsNewerApi(serverMin, endpoint);
  return compareApiVersions(serverApi, API_VERSION_MAX) < 0 ? serverApi : API_VERSION_MAX;
}

import { driverStatusValue } from '../core/driver-status.js';
import type { EngineProduct } from '../core/engine-product.js';
import { imageStoreKind, type ImageStoreKind } from '../core/image-store.js';
import type { HostFacts } from '../facts.js';
import { usedPercent } from '../core/thresholds.js';
import type { FsFacts } from '../host/local-facts.js';
import { product } from './facts-view.js';
import type { CheckResult, Finding, NotChecked } from '../finding.js';

// The frozen `doctor --json` shape (DESIGN.md): findings plus a summary of the facts.
// `notChecked` and `gaps` are additions: what could not be decided, and why.

export interface FactsSummary {
  origin: HostFacts['origin'];
  endpoint: string;
  name: string | null;
  serverVersion: string | null;
  apiVersion: string | null;
  driver: string | null;
  backingFilesystem: string | null;
  dockerRootDir: string | null;
  loggingDriver: string | null;
  liveRestore: boolean | null;
  swarm: string | null;
  dataRootFs: FsSummary | null;
  /** Added with containerd's image store: where images live. `containerd`: content and snapshots in containerd's root. */
  imageStore: ImageStoreKind;
  /** containerd's root and its filesystem (containerd store, local engine); null otherwise. */
  containerdRoot: string | null;
  containerdRootFs: FsSummary | null;
  /** Added with Podman: which engine answers the API (Podman's `podman system service` speaks Docker's). */
  engine: EngineProduct;
}

export interface FsSummary {
  mountPoint: string;
  fsType: string;
  device: string;
  sizeBytes: number;
  availBytes: number;
  usedPct: number;
}

function fsSummary(fs: FsFacts | null | undefined): FsSummary | null {
  if (!fs) return null;
  return {
    mountPoint: fs.mountPoint,
    fsType: fs.fsType,
    device: fs.device,
    sizeBytes: fs.sizeBytes,
    availBytes: fs.availBytes,
    usedPct: Math.round(usedPercent(fs) * 10) / 10,
  };
}

export interface DoctorReport {
  findings: Finding[];
  facts: FactsSummary;
  notChecked: NotChecked[];
  gaps: string[];
}

export function summariseFacts(facts: HostFacts): FactsSummary {
  const info = facts.engine.info;
  const fs = facts.host?.dataRootFs ?? null;
  return {
    origin: facts.origin,
    endpoint: facts.engine.endpoint,
    name: info.Name ?? null,
    serverVersion: info.ServerVersion ?? facts.engine.version?.version ?? null,
    apiVersion: facts.engine.version?.negotiatedApiVersion ?? null,
    driver: info.Driver ?? null,
    backingFilesystem: driverStatusValue(info, 'Backing Filesystem') ?? fs?.fsType ?? null,
    dockerRootDir: info.DockerRootDir ?? null,
    loggingDriver: info.LoggingDriver ?? null,
    liveRestore: info.LiveRestoreEnabled ?? null,
    swarm: info.Swarm?.LocalNodeState ?? null,
    dataRootFs: fsSummary(fs),
    imageStore: imageStoreKind(info),
    containerdRoot: facts.host?.containerd?.root ?? null,
    containerdRootFs: fsSummary(facts.host?.containerd?.rootFs),
    engine: product(facts),
  };
}

export function doctorReport(facts: HostFacts, result: CheckResult): DoctorReport {
  return { findings: result.findings, facts: summariseFacts(facts), notChecked: result.notChecked, gaps: facts.gaps };
}

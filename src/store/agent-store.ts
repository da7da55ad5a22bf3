import type { Finding } from '../finding.js';

// What the agent remembers between runs and across daemon restarts: the contract between
// agent/ (which writes), web/ and `dockwarden status` (which read), and the SQLite
// implementation in sqlite-store.ts. Times are unix milliseconds.

export interface UsageSample {
  at: number;
  /** The data-root filesystem; null when it cannot be measured (remote engine). */
  fsSizeBytes: number | null;
  fsAvailBytes: number | null;
  inodesTotal: number | null;
  inodesFree: number | null;
  images: number;
  containers: number;
  containersRunning: number;
  /**
   * containerd's root filesystem, where images live with containerd's image store, when it
   * is not the data root's (packaged hosts: /var/lib/containerd on a disk of its own); null otherwise.
   */
  containerdFsSizeBytes: number | null;
  containerdFsAvailBytes: number | null;
  containerdInodesTotal: number | null;
  containerdInodesFree: number | null;
}

/** Who the engine was at one (re)connection: what the drift guard compares. */
export interface EngineIdentity {
  at: number;
  engineId: string;
  serverVersion: string;
  dockerRootDir: string;
  driver: string;
  /** `graph` (a graph driver) or `containerd` (containerd's image store): switching hides every image. */
  imageStore: 'graph' | 'containerd';
  images: number;
  containers: number;
}

export interface StoredEvent {
  /** unix ms */
  at: number;
  /** The engine's timeNano, as a decimal string: what `since` resumes from. */
  timeNano: string;
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
}

/**
 * What the last entry of an image's record was: a container using it ('use'), the image
 * arriving by a pull, load, import, tag, build or commit ('arrival'), or the agent only
 * finding it present ('seen'), which is no evidence of use.
 */
export type UseKind = 'use' | 'arrival' | 'seen';

export interface ImageUse {
  imageId: string;
  firstSeen: number;
  lastUsed: number;
  /** For people: e.g. `container start event`, `present when the agent looked`. */
  lastUseSource: string;
  /** For the code: what lastUsed stands for (lastUseSource says it in words). */
  kind: UseKind;
  /**
   * The last deletion of this id the agent saw, or null. When firstSeen is after it, the
   * image came back and firstSeen is its new arrival; when not, the record is of a copy
   * that left the engine, and says nothing about one there now.
   */
  goneAt: number | null;
}

export interface StoredFinding {
  finding: Finding;
  firstSeen: number;
  lastSeen: number;
  /** null while open. */
  resolvedAt: number | null;
}

export interface GcRunRecord {
  at: number;
  trigger: 'schedule' | 'pressure' | 'manual';
  dryRun: boolean;
  beforePct: number | null;
  afterPct: number | null;
  deleted: number;
  freedBytes: number;
  kept: number;
  failed: number;
  summary: string;
}

export interface AgentStore {
  readonly path: string;
  /** Set when the file was unreadable at open and was moved aside: the path it was moved to. */
  readonly recoveredFrom: string | null;

  addSample(sample: UsageSample): void;
  /**
   * Samples in [since, until], oldest first. When more than `maxPoints` would come back,
   * they are averaged into equal time buckets (what a chart needs); retention has
   * already downsampled old ones to 5-minute means.
   */
  samples(since: number, until: number, maxPoints?: number): UsageSample[];

  /** An image was used at `at` (container create/start/exec...): lastUsed = max, firstSeen = min (within one stay on the engine, see noteImageGone). */
  recordImageUse(imageId: string, at: number, source: string, kind: Exclude<UseKind, 'seen'>): void;
  /** Images present now: those never seen before get firstSeen = lastUsed = at, of kind 'seen'. */
  noteImagesPresent(imageIds: readonly string[], at: number, source: string): void;
  /**
   * The image left the engine at `at` (an image delete event): a later use or presence note
   * of the same id is a new arrival, with firstSeen from then; older ones are ignored.
   */
  noteImageGone(imageId: string, at: number): void;
  imageUses(): Map<string, ImageUse>;

  recordIdentity(identity: EngineIdentity): void;
  /** Newest first. */
  identities(limit: number): EngineIdentity[];

  addEvents(events: readonly StoredEvent[]): void;
  /** The newest stored event's timeNano, to resume /events after a reconnect; null when none. */
  lastEventTimeNano(): string | null;
  /** Newest first. */
  recentEvents(limit: number): StoredEvent[];

  /** Inserts or refreshes a finding by its id (lastSeen = at; a resolved one re-opens with firstSeen = at). */
  saveFinding(finding: Finding, at: number): void;
  resolveFinding(id: string, at: number): void;
  /** Open findings (resolvedAt null), most severe first. */
  openFindings(): StoredFinding[];
  /** Every finding, open and resolved, newest lastSeen first. */
  findingHistory(limit: number): StoredFinding[];

  addGcRun(run: GcRunRecord): void;
  /** Newest first. */
  gcRuns(limit: number): GcRunRecord[];

  /**
   * Keeps the file small: raw samples for 48 h, then 5-minute means up to 90 days;
   * events 7 days; resolved findings and gc runs 90 days; image uses of images not seen
   * for 90 days.
   */
  applyRetention(now: number): void;
  close(): void;
}

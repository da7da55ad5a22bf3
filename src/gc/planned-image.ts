import type { Evidence } from './image-times.js';
import type { KeepCode } from './protections.js';

// What a GC plan says about one image, and a usage level before or after it: the words
// the planner (plan-gc.ts), its summary, the report and the executor share.

export type DeleteCode = 'dangling' | 'unused' | 'max-age';

export interface PlannedImage {
  id: string;
  tags: string[];
  /** `repo@sha256:…` references; deleting an image may mean removing each. */
  digests: string[];
  /** Deleted: bytes the deletion is predicted to free (after those before it). Kept: bytes only it holds. */
  bytes: number;
  /** All its layers, shared ones included. */
  size: number;
  code: DeleteCode | KeepCode | 'not-needed';
  reason: string;
  lastUsed: Evidence;
  firstSeen: Evidence;
}

export interface UsageLevel {
  /** Filesystem mode: kubelet's 100 - available/capacity; null in budget mode. */
  usedPct: number | null;
  /** Budget mode: the images' total bytes; null in filesystem mode. */
  imageBytes: number | null;
}

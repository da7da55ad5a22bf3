import { formatBytes } from '../core/human-size.js';
import type { GcPolicy } from './gc-policy.js';
import type { PlannedImage, UsageLevel } from './planned-image.js';
import type { KeepCode } from './protections.js';

// The plan in a sentence or two, for the top of `dockwarden gc`'s output: where usage
// stands, what the deletions achieve, and — when they fall short — what holds the rest,
// so the operator knows whether to remove containers, roll a service forward, or look
// beyond images.

/** A noun phrase: "usage 91.2%", "image usage 4.1 GiB". */
export function describeLevel(level: UsageLevel): string {
  if (level.usedPct === null) return `image usage ${formatBytes(level.imageBytes ?? 0)}`;
  return `usage ${level.usedPct.toFixed(1)}%`;
}

const KEEP_WORDS: Record<KeepCode, [one: string, many: string]> = {
  'in-use': ['in use by a container', 'in use by containers'],
  service: ['image of a service', 'images of services'],
  'previous-spec': ['previous spec of a service', 'previous specs of services'],
  parent: ['parent of another image', 'parents of other images'],
  keep: ['matching --keep', 'matching --keep'],
  'min-age': ['younger than --min-age', 'younger than --min-age'],
};

function isKeepCode(code: PlannedImage['code']): code is KeepCode {
  return code in KEEP_WORDS;
}

/** "3 in use by containers (1.2 GiB), 1 previous spec of a service (40 MiB)" */
function whatStays(kept: readonly PlannedImage[]): string {
  const byCode = new Map<KeepCode, { count: number; bytes: number }>();
  for (const k of kept) {
    if (!isKeepCode(k.code)) continue;
    const c = byCode.get(k.code) ?? { count: 0, bytes: 0 };
    byCode.set(k.code, { count: c.count + 1, bytes: c.bytes + k.size });
  }
  return [...byCode].map(([code, c]) => `${c.count} ${KEEP_WORDS[code][c.count === 1 ? 0 : 1]} (${formatBytes(c.bytes)})`).join(', ');
}

export function summarizePlan(p: {
  policy: GcPolicy;
  /** A later round, collecting from --low on (see PlanInput.collecting). */
  collecting: boolean;
  need: number;
  freed: number;
  before: UsageLevel;
  after: UsageLevel;
  deleted: readonly PlannedImage[];
  kept: readonly PlannedImage[];
}): string {
  const budget = p.before.usedPct === null;
  const budgetText = `--budget ${formatBytes(p.policy.budgetBytes ?? 0)}`;
  const trigger = p.collecting ? `--low ${p.policy.lowPct}%` : `--high ${p.policy.highPct}%`;
  const n = p.deleted.length;
  const deleting = `deleting ${n} ${n === 1 ? 'image' : 'images'} frees about ${formatBytes(p.freed)}`;
  const now = describeLevel(p.before);
  const Now = now.charAt(0).toUpperCase() + now.slice(1);
  if (p.need === 0) {
    const head = `Nothing to free: ${now} is ${budget ? `within ${budgetText}` : `not above ${trigger}`}.`;
    return n === 0 ? head : `${head} Images unused for longer than --max-age go anyway: ${deleting}.`;
  }
  const target = budget ? budgetText : `--low ${p.policy.lowPct}%`;
  const head = `${Now} is ${budget ? `over ${budgetText}` : `above ${trigger}`}, ${formatBytes(p.need)} must go to reach ${target}`;
  const after = describeLevel(p.after);
  if (p.freed >= p.need) return `${head}: ${deleting}, to ${after}.`;
  const stays = whatStays(p.kept);
  const kept = stays ? `every other image must stay: ${stays}` : 'no image is left to delete';
  const rest = budget ? '' : '; the rest of the filesystem is not images (container layers, volumes, logs, other files)';
  return `${head}, but ${deleting}, to ${after}: ${kept}${rest}.`;
}

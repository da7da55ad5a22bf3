import type { UsageSample } from '../store/agent-store.js';
import { readingOf, type FsReading } from '../store/sampled-fs.js';

// When will a filesystem be full (the data root's unless told another)? A least-squares line through recent
// samples of available bytes, as Prometheus' predict_linear does: robust to one noisy
// sample, and honest that a disk being freed (or flat) never fills.

export const DEFAULT_FORECAST_WINDOW_MS = 6 * 3_600_000;
/** Fewer points than this, or a shorter span, is not a trend. */
const MIN_POINTS = 5;
const MIN_SPAN_MS = 5 * 60_000;
/**
 * Available space rising by more than this share of the filesystem from one sample to the
 * next is a freeing (GC, a prune, a truncated log), not noise: the trend starts again after
 * it. A line fitted across it would see the disk emptying and forecast nothing for hours.
 */
const FREED_SHARE = 0.01;

/** The data root's reading, the filesystem forecast unless told another. */
const dataRoot = (s: UsageSample): FsReading | null => readingOf(s, 'data-root');

/**
 * Seconds from `now` until available bytes reach zero at the fitted rate, over the samples
 * since the disk was last freed; null when there is no trend to speak of (too few samples,
 * too short a span, not filling).
 */
export function secondsUntilFull(
  samples: readonly UsageSample[],
  now: number,
  windowMs = DEFAULT_FORECAST_WINDOW_MS,
  /** Which filesystem to fit: the data root's unless told. */
  reading: (s: UsageSample) => FsReading | null = dataRoot,
): number | null {
  const read = samples.flatMap((s) => {
    const r = s.at >= now - windowMs && s.at <= now ? reading(s) : null;
    return r ? [{ at: s.at, ...r }] : [];
  });
  let from = 0;
  for (let i = 1; i < read.length; i++) {
    const [before, after] = [read[i - 1]!, read[i]!];
    if (after.availBytes - before.availBytes > FREED_SHARE * after.sizeBytes) from = i;
  }
  const points = read.slice(from);
  if (points.length < MIN_POINTS) return null;
  const span = points[points.length - 1]!.at - points[0]!.at;
  if (span < MIN_SPAN_MS) return null;
  // Centre x on its mean: keeps the sums small and the fit numerically stable.
  const xs = points.map((p) => (p.at - now) / 1000);
  const ys = points.map((p) => p.availBytes);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    sxy += dx * ((ys[i] as number) - my);
    sxx += dx * dx;
  }
  const slope = sxy / sxx; // bytes per second; negative while filling
  if (!(slope < 0)) return null;
  const availNow = my + slope * (0 - mx);
  if (availNow <= 0) return 0;
  return availNow / -slope;
}

// Defaults shared by doctor and gc, from kubelet's image GC: start collecting above 85%
// of the image filesystem and stop at 80%.
export const DEFAULT_HIGH_PCT = 85;
export const DEFAULT_LOW_PCT = 80;

/**
 * Usage the way kubelet measures it: 100 - available/capacity. Blocks reserved for root
 * (5% on ext4) count as used, because dockerd cannot rely on them either; `df` shows a
 * lower figure (used/(used+available)).
 */
export function usedPercent(fs: { sizeBytes: number; availBytes: number }): number {
  if (fs.sizeBytes <= 0) return 0;
  return 100 - (fs.availBytes * 100) / fs.sizeBytes;
}

/** usedPercent of a stored usage sample; null when its filesystem was not measured (a remote engine). */
export function sampleUsedPercent(s: { fsSizeBytes: number | null; fsAvailBytes: number | null }): number | null {
  return s.fsSizeBytes && s.fsAvailBytes !== null ? usedPercent({ sizeBytes: s.fsSizeBytes, availBytes: s.fsAvailBytes }) : null;
}

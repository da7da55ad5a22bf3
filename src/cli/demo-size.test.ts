import { describe, expect, it } from 'vitest';
import { parseDiskSize } from './demo-run.js';

describe('dockwarden demo --size', () => {
  it('reads G and M as binary units, as truncate(1) does, and a plain number as MiB', () => {
    expect(['1G', '2g', '1.5G', '1536M', '768MiB', '2GB', '600'].map(parseDiskSize)).toEqual([1024, 2048, 1536, 1536, 768, 2048, 600]);
  });

  it('refuses what is not a size, and disks too small or too large for the demo, in one sentence', () => {
    expect(() => parseDiskSize('big')).toThrow('--size "big" is not a disk size: use 1G, 1536M or a number of MiB.');
    expect(() => parseDiskSize('256M')).toThrow('--size 256M: the demo needs between 512M and 64G.');
    expect(() => parseDiskSize('1T')).toThrow('is not a disk size');
  });
});

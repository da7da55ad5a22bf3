import { errorCode, type HostProbe } from './host-probe.js';

// What a data root holds, counted without walking it: the image store keeps one config
// file per image under image/<driver>/imagedb/content/sha256, and each container has a
// directory under containers/. Enough to say "the old root still holds 120 images".

export interface LocationContents {
  /** Images of `driver` stored there; null when unreadable or absent. */
  images: number | null;
  /** Container directories there; null when unreadable or absent. */
  containers: number | null;
  /** Directories that exist but could not be listed, with why ("/var/lib/docker/containers: EACCES"): their count is unknown, not zero. */
  unreadable: string[];
}

export async function dataRootContents(probe: HostProbe, root: string, driver: string): Promise<LocationContents> {
  const unreadable: string[] = [];
  const count = async (dir: string): Promise<number | null> => {
    try {
      return (await probe.readDir(dir))?.length ?? null;
    } catch (err) {
      unreadable.push(`${dir}: ${errorCode(err)}`);
      return null;
    }
  };
  const [images, containers] = await Promise.all([count(`${root}/image/${driver}/imagedb/content/sha256`), count(`${root}/containers`)]);
  return { images, containers, unreadable: unreadable.sort() };
}

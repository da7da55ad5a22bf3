import type { InventoryContainer, InventoryImage } from '../engine/inventory.js';
import { StringIndex } from './string-index.js';

// The planner's view of which image is which and who uses it, built once per plan:
// hosts run tens of thousands of containers, and both the protections (who pins an
// image) and the last-use evidence (the newest container made from it) need it.

/** Image ids numbered in list order; an id listed twice (never from an engine) has one number. */
export interface ImageIndex {
  ids: StringIndex;
  /** The id number of the image at each position of the list. */
  numberOf: Int32Array;
}

export function imageIndex(images: readonly Pick<InventoryImage, 'id'>[]): ImageIndex {
  const ids = new StringIndex(images.length);
  const numberOf = new Int32Array(images.length);
  for (let i = 0; i < images.length; i++) numberOf[i] = ids.add(images[i]!.id);
  return { ids, numberOf };
}

/** Containers by image id number: positions in the container list, -1 for none. */
export interface ImageUsers {
  count: Int32Array;
  /** The first container listed: the one a reason names. */
  first: Int32Array;
  /** The most recently created (the first of equals). */
  newest: Int32Array;
}

export function usersByImage(index: ImageIndex, containers: readonly InventoryContainer[]): ImageUsers {
  const n = index.ids.size;
  const users: ImageUsers = { count: new Int32Array(n), first: new Int32Array(n).fill(-1), newest: new Int32Array(n).fill(-1) };
  for (let j = 0; j < containers.length; j++) {
    const c = containers[j]!;
    const num = index.ids.find(c.imageId);
    if (num < 0) continue;
    if (users.count[num]!++ === 0) users.first[num] = users.newest[num] = j;
    else if (c.created > containers[users.newest[num]!]!.created) users.newest[num] = j;
  }
  return users;
}

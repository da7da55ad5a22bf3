// Image ids as Docker writes them, "sha256:<64 hex>". Podman's compat API writes some of
// them bare — /system/df's Images[].Id and Containers[].ImageID, the "Deleted" entries of
// DELETE /images/{name} — while /images/json and /containers/json carry the prefix: ids
// from different calls compare equal only once written one way.

const BARE = /^[0-9a-f]{64}$/;

/** "sha256:<hex>" for a bare 64-hex id; anything else as it is. */
export function canonicalImageId(id: string): string {
  return BARE.test(id) ? `sha256:${id}` : id;
}

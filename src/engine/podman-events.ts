// Podman's /events (compat API) name some actions differently from dockerd's, and the
// rest of dockwarden speaks dockerd's: an image load is "loadfromarchive" (its actor is
// the uploaded tar, not the image), an image removal "remove" (dockerd: "delete") and a
// container removal "remove" (dockerd: "destroy"). Podman's own extras (init, cleanup,
// mount, prune...) pass through unchanged, as does every dockerd action.

const PODMAN_ACTIONS: Record<string, Record<string, string>> = {
  image: { loadfromarchive: 'load', remove: 'delete' },
  container: { remove: 'destroy' },
};

/** dockerd's name for an event action, given the event's type. */
export function dockerAction(type: string, action: string): string {
  return PODMAN_ACTIONS[type]?.[action] ?? action;
}

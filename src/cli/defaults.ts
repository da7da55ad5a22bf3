// Defaults the commands share, in a module of their own so that registering a command
// does not load another command's code.

/** The agent's store, which gc and status read when it exists. */
export const DEFAULT_DB = '/var/lib/dockwarden/dockwarden.db';

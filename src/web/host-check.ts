import { isLoopback, type ListenAddress } from './listen.js';

// DNS rebinding: a web page at evil.example makes its name resolve to 127.0.0.1, and the
// browser, which trusts the name and not the address, lets the page read what a
// tokenless agent on loopback answers. The one thing such a request cannot hide is the
// name it was sent to, in the Host header. An agent without a token therefore answers
// only requests addressed to a loopback name or to its own --listen address; with a
// token, the token keeps the page out whatever the name.

/** The name a Host header (`name[:port]`, `[v6][:port]`) addresses, lowercased and unbracketed; null when it is not one. */
export function hostName(header: string): string | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::\d*)?$/.exec(header.trim());
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').toLowerCase();
}

export type HostVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a tokenless agent listening at `listen` answers a request sent to `header`.
 * Loopback names (localhost, 127.0.0.0/8, [::1]) and the listen address itself pass;
 * the port is not compared, since a page cannot rebind a name to another port's server.
 */
export function checkHost(header: string | undefined, listen: ListenAddress | null): HostVerdict {
  const name = header === undefined ? null : hostName(header);
  if (name !== null && (isLoopback({ host: name, port: 0 }) || (listen?.host !== null && listen?.host === name))) return { ok: true };
  const allowed = ['localhost', '127.0.0.1', '[::1]', ...(listen?.host && !isLoopback(listen) ? [listen.host] : [])].join(', ');
  const given = header === undefined ? 'no Host header' : `Host ${JSON.stringify(header)}`;
  return {
    ok: false,
    reason: `This agent has no --token, so it answers only requests addressed to ${allowed} (this one had ${given}): other names could be a web page reading it by DNS rebinding. Use one of those names, or start the agent with --token.`,
  };
}

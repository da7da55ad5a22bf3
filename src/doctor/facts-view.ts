import type { ConfigSetting } from '../host/local-facts.js';
import { driverStatusValue } from '../core/driver-status.js';
import type { HostFacts } from '../facts.js';
import { majorVersion } from '../core/versions.js';
import { engineProduct, type EngineProduct } from '../core/engine-product.js';

// Small readers over HostFacts shared by the checks, so each check reads like the
// operator's reasoning rather than like JSON traversal.

export function driver(facts: HostFacts): string | undefined {
  return facts.engine.info.Driver?.trim() || undefined;
}

export function status(facts: HostFacts, label: string): string | undefined {
  return driverStatusValue(facts.engine.info, label);
}

/** Settings that dockerd actually receives for `key`, from every source. */
export function effectiveSettings(facts: HostFacts, key: string): ConfigSetting[] {
  return facts.host?.dockerConfig.settings.filter((s) => s.key === key && s.effective) ?? [];
}

export function allSettings(facts: HostFacts, key: string): ConfigSetting[] {
  return facts.host?.dockerConfig.settings.filter((s) => s.key === key) ?? [];
}

/** "daemon.json: \"data-root\": \"/data\"" — where a setting stands, for evidence lines. */
export function settingEvidence(s: ConfigSetting): string {
  return `${s.file}: ${s.text.trim()}`;
}

/** The kernel release: the host's own reading, else what the engine reported. */
export function kernelRelease(facts: HostFacts): string | undefined {
  return facts.host?.kernelRelease ?? facts.engine.info.KernelVersion ?? undefined;
}

/** The engine's major version as a number (17.03 -> 17, 1.13.1 -> 1), if it parses. */
export function engineMajor(facts: HostFacts): number | undefined {
  return majorVersion(facts.engine.info.ServerVersion);
}

/** dockerd's default; the facts of a pasted `docker info` cannot say whether --config-file moved it. */
const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';

/** The daemon.json the engine reads (--config-file may name another), for fixes that edit it. */
export function daemonJsonPath(facts: HostFacts): string {
  return facts.host?.dockerConfig.daemonJsonPath ?? DEFAULT_DAEMON_JSON;
}

export function dataRoot(facts: HostFacts): string | undefined {
  return facts.engine.info.DockerRootDir ?? facts.host?.dataRoot;
}

export function dockerWarnings(facts: HostFacts, pattern: RegExp): string[] {
  return (facts.engine.info.Warnings ?? []).filter((w) => pattern.test(w));
}

/** Docker or Podman (engine/engine-product.ts): from /version's components when known, else from /info. */
export function product(facts: HostFacts): EngineProduct {
  return engineProduct(facts.engine.info, facts.engine.version?.components);
}

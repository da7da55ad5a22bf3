import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { UsageError } from '../core/errors.js';
import { negotiateApiVersion } from './api-version.js';
import type { DockerInfo } from './docker-info.js';
import { asDockerInfo } from './docker-info.js';
import type { Endpoint, EndpointChoice, TlsSettings } from './endpoint.js';
import type { ContainerSummary, EngineApi, EngineEvent, HistoryEntry, ImageDetails, ImageSummary, PruneResult, RemovedImage, SystemDf } from './engine-api.js';
import type { ServiceFacts, VersionFacts } from './engine-facts.js';
import { toEngineError } from './engine-errors.js';
import { versionComponents } from './engine-product.js';
import { canonicalImageId } from './image-id.js';
import { dockerAction } from './podman-events.js';
import { serviceFactsFromSpec, type RawService } from './service-facts.js';
import { sshDialAgent } from './ssh-dial.js';
import { explainTlsFailure } from './tls-failure.js';

export interface ConnectOptions {
  /** SSH agent socket for ssh:// endpoints (SSH_AUTH_SOCK), passed in by the CLI. */
  sshAuthSock?: string;
  /** Who to log in as when an ssh:// URL names nobody (ssh's own default: the local user). */
  sshUser?: string;
  /** Per-request timeout; the events stream has none. */
  timeoutMs?: number;
}

function dockerodeOptions(endpoint: Endpoint, opts: ConnectOptions): Docker.DockerOptions {
  switch (endpoint.kind) {
    case 'unix':
      return { socketPath: endpoint.socketPath };
    case 'ssh':
      // ssh2 authenticates only through the agent here (no key files, no ~/.ssh/config):
      // without one it would fail later with "All configured authentication methods failed".
      if (!opts.sshAuthSock) {
        throw new UsageError(`${endpoint.url} needs an ssh-agent holding the key for ${endpoint.host} and SSH_AUTH_SOCK is unset: run \`eval "$(ssh-agent)"\` and \`ssh-add\`, then try again.`);
      }
      // Plain HTTP through an agent whose connections are ssh + dial-stdio (ssh-dial.ts),
      // rather than docker-modem's protocol 'ssh'.
      return {
        protocol: 'http',
        host: endpoint.host,
        port: endpoint.port,
        agent: sshDialAgent(
          { host: endpoint.host, port: endpoint.port, username: endpoint.username ?? opts.sshUser, agent: opts.sshAuthSock, readyTimeout: opts.timeoutMs ?? 30_000 },
          endpoint.url,
        ),
      } as Docker.DockerOptions;
    case 'tcp': {
      if (!endpoint.tls) return { protocol: 'http', host: endpoint.host, port: endpoint.port };
      const { ca, cert, key } = readTlsFiles(endpoint.url, endpoint.tls);
      return {
        protocol: 'https',
        host: endpoint.host,
        port: endpoint.port,
        ca,
        cert,
        key,
        // docker-modem passes no rejectUnauthorized of its own; an agent's options win.
        ...(endpoint.tls.verify ? {} : { agent: new HttpsAgent({ rejectUnauthorized: false }) }),
      } as Docker.DockerOptions;
    }
  }
}

/** ca.pem, cert.pem and key.pem from the TLS directory, as the docker CLI reads them. */
function readTlsFiles(url: string, tls: TlsSettings): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const fix = tls.from.startsWith('docker context ')
    ? `create the context again with \`docker context create NAME --docker host=${url},ca=…,cert=…,key=…\``
    : 'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem';
  const read = (name: string, required: boolean): Buffer | undefined => {
    const file = `${tls.certPath}/${name}`;
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !required) return undefined;
      throw new UsageError(`TLS is on for ${url} (${tls.from}) but ${file} cannot be read (${code}): ${fix}.`);
    }
  };
  const ca = read('ca.pem', tls.caRequired);
  const cert = read('cert.pem', false);
  const key = read('key.pem', false);
  if (Boolean(cert) !== Boolean(key)) {
    throw new UsageError(`TLS for ${url} (${tls.from}): ${tls.certPath} holds ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; a client certificate needs both: ${fix}.`);
  }
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

/**
 * docker-modem's constructor reads DOCKER_HOST (and with an ssh:// one, SSH_AUTH_SOCK),
 * DOCKER_CERT_PATH (its three files, synchronously: a missing cert.pem throws) and
 * DOCKER_CLIENT_TIMEOUT (as milliseconds: it would cut the events stream) from
 * process.env, and lets them override what it is given. The endpoint was already chosen
 * from the same variables: build the client with them out of sight.
 */
function dockerClient(options: Docker.DockerOptions): Docker {
  const hidden = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CLIENT_TIMEOUT', 'DOCKER_PATH_PREFIX'];
  const saved = hidden.map((name) => [name, process.env[name]] as const);
  for (const name of hidden) delete process.env[name];
  try {
    return new Docker(options);
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/** Connects and negotiates the API version; throws EngineError when the engine cannot be reached. */
export async function connectEngine(choice: EndpointChoice, opts: ConnectOptions = {}): Promise<EngineApi> {
  const { endpoint, attempts } = choice;
  const base = dockerodeOptions(endpoint, opts);
  const timeout = opts.timeoutMs ?? 30_000;
  // The first call goes without a version prefix: every engine answers /version that way.
  const probe = dockerClient({ ...base, timeout });
  let raw: Docker.DockerVersion;
  try {
    raw = await probe.version();
  } catch (err) {
    // The first request is where a TLS handshake fails: say which side refused what.
    throw toEngineError(explainTlsFailure(err, endpoint, Boolean(base.cert)), endpoint, attempts, '/version');
  }
  const components = versionComponents(raw);
  const negotiated = negotiateApiVersion(raw.ApiVersion, raw.MinAPIVersion ?? null, endpoint.url);
  const version: VersionFacts = {
    version: raw.Version,
    apiVersion: raw.ApiVersion,
    minApiVersion: raw.MinAPIVersion ?? null,
    negotiatedApiVersion: negotiated,
    // Podman names itself here ("Podman Engine"): engine-product.ts.
    ...(components ? { components } : {}),
  };
  // The events stream stays open for days: docker-modem's timeout would cut it every
  // `timeout` ms (it counts idle time on the socket), so streams get a client without one.
  const versioned = { ...base, version: `v${negotiated}` };
  return new DockerodeEngine(dockerClient({ ...versioned, timeout }), dockerClient(versioned), endpoint, attempts, version);
}

class DockerodeEngine implements EngineApi {
  readonly endpoint: string;

  constructor(
    private readonly docker: Docker,
    private readonly streams: Docker,
    private readonly target: Endpoint,
    private readonly attempts: string[],
    private readonly negotiated: VersionFacts,
  ) {
    this.endpoint = target.url;
  }

  private async call<T>(path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toEngineError(err, this.target, this.attempts, path);
    }
  }

  async version(): Promise<VersionFacts> {
    return this.negotiated;
  }

  async info(): Promise<DockerInfo> {
    const raw: unknown = await this.call('/info', () => this.docker.info());
    return asDockerInfo(raw);
  }

  async listImages(opts: { all?: boolean; danglingOnly?: boolean } = {}): Promise<ImageSummary[]> {
    const filters = opts.danglingOnly ? JSON.stringify({ dangling: ['true'] }) : undefined;
    const raw = await this.call('/images/json', () => this.docker.listImages({ all: opts.all ?? false, ...(filters ? { filters } : {}) }));
    return raw.map(imageSummary);
  }

  async listContainers(opts: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    const raw = await this.call('/containers/json', () => this.docker.listContainers({ all: opts.all ?? true }));
    return raw.map(containerSummary);
  }

  async listServices(): Promise<ServiceFacts[]> {
    const raw = (await this.call('/services', () => this.docker.listServices())) as unknown as RawService[];
    return raw.map(serviceFactsFromSpec);
  }

  async systemDf(): Promise<SystemDf> {
    const raw = (await this.call('/system/df', () => this.docker.df())) as RawSystemDf;
    const cache = raw.BuildCache ?? [];
    return {
      layersSize: raw.LayersSize ?? 0,
      images: (raw.Images ?? []).map(imageSummary),
      containers: (raw.Containers ?? []).map(containerSummary),
      volumes: (raw.Volumes ?? []).map((v) => ({ name: v.Name, size: v.UsageData?.Size ?? -1, refCount: v.UsageData?.RefCount ?? -1 })),
      buildCache: {
        count: cache.length,
        size: cache.reduce((sum, c) => sum + (c.Size ?? 0), 0),
        inUse: cache.filter((c) => c.InUse).length,
        reclaimable: cache.filter((c) => !c.InUse && !c.Shared).reduce((sum, c) => sum + (c.Size ?? 0), 0),
      },
    };
  }

  async *events(opts: { since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EngineEvent> {
    const query: Record<string, string> = {};
    if (opts.since) query['since'] = opts.since;
    if (opts.until) query['until'] = opts.until;
    const stream = (await this.call('/events', () => this.streams.getEvents(query))) as Readable;
    // Aborted while the request was on its way: the listener below would never fire.
    if (opts.signal?.aborted) {
      stream.destroy();
      return;
    }
    // The engine writes one JSON object per line and keeps the response open. Closing the
    // reader (not only the socket) is what ends the loop when the caller aborts.
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let streamError: unknown;
    stream.on('error', (err) => {
      streamError = err;
      lines.close();
    });
    const onAbort = () => lines.close();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const line of lines) {
        if (line.trim()) yield engineEvent(JSON.parse(line) as RawEvent);
      }
      if (streamError && !opts.signal?.aborted) throw toEngineError(streamError, this.target, this.attempts, '/events');
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      lines.close();
      stream.destroy();
    }
  }

  async removeImage(idOrRef: string): Promise<RemovedImage> {
    // Never force: a 409 means the engine knows of a user we did not, and it must win.
    const raw = (await this.call(`/images/${idOrRef}`, () => this.docker.getImage(idOrRef).remove({ force: false, noprune: false }))) as
      | { Untagged?: string; Deleted?: string }[]
      | undefined;
    const items = Array.isArray(raw) ? raw : [];
    return {
      untagged: items.flatMap((i) => (i.Untagged ? [i.Untagged] : [])),
      deleted: items.flatMap((i) => (i.Deleted ? [canonicalImageId(i.Deleted)] : [])),
    };
  }

  async tagImage(id: string, repoTag: string): Promise<void> {
    const at = repoTag.lastIndexOf(':');
    const hasTag = at > repoTag.lastIndexOf('/');
    const repo = hasTag ? repoTag.slice(0, at) : repoTag;
    const tag = hasTag ? repoTag.slice(at + 1) : 'latest';
    await this.call(`/images/${id}/tag`, () => this.docker.getImage(id).tag({ repo, tag }));
  }

  async inspectImage(id: string): Promise<ImageDetails> {
    const raw = (await this.call(`/images/${id}/json`, () => this.docker.getImage(id).inspect())) as unknown as RawImageInspect;
    // Go's zero time means "never tagged here".
    const tagged = raw.Metadata?.LastTagTime ? Date.parse(raw.Metadata.LastTagTime) : NaN;
    return {
      id: raw.Id,
      diffIds: raw.RootFS?.Layers ?? [],
      lastTagTime: Number.isFinite(tagged) && tagged > 0 ? tagged : null,
      size: raw.Size ?? 0,
    };
  }

  async imageHistory(id: string): Promise<HistoryEntry[]> {
    const raw = (await this.call(`/images/${id}/history`, () => this.docker.getImage(id).history())) as { CreatedBy?: string; Size?: number }[];
    return raw.map((h) => ({ createdBy: h.CreatedBy ?? '', size: h.Size ?? 0 }));
  }

  async pruneContainers(until: string): Promise<PruneResult> {
    const filters = JSON.stringify({ until: [until] });
    const raw = (await this.call('/containers/prune', () => this.docker.pruneContainers({ filters }))) as { ContainersDeleted?: string[] | null; SpaceReclaimed?: number };
    return { deleted: raw.ContainersDeleted ?? [], spaceReclaimed: raw.SpaceReclaimed ?? 0 };
  }

  async pruneBuildCache(): Promise<PruneResult> {
    const raw = (await this.call('/build/prune', () => this.docker.pruneBuilder())) as { CachesDeleted?: string[] | null; SpaceReclaimed?: number };
    return { deleted: raw.CachesDeleted ?? [], spaceReclaimed: raw.SpaceReclaimed ?? 0 };
  }
}

interface RawImageInspect {
  Id: string;
  Size?: number;
  RootFS?: { Layers?: string[] };
  Metadata?: { LastTagTime?: string };
}

interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Containers?: number;
  ParentId?: string;
  Labels?: Record<string, string> | null;
}

interface RawContainer {
  Id: string;
  Names?: string[];
  Image: string;
  ImageID: string;
  State: string;
  Created: number;
  Labels?: Record<string, string> | null;
  SizeRw?: number;
}

interface RawSystemDf {
  LayersSize?: number;
  Images?: RawImage[] | null;
  Containers?: RawContainer[] | null;
  Volumes?: { Name: string; UsageData?: { Size: number; RefCount: number } | null }[] | null;
  BuildCache?: { Size?: number; InUse?: boolean; Shared?: boolean }[] | null;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  id?: string;
  time?: number;
  timeNano?: number | string;
}

function imageSummary(i: RawImage | Docker.ImageInfo): ImageSummary {
  const r = i as RawImage;
  return {
    id: canonicalImageId(r.Id),
    // Untagged images come back as ["<none>:<none>"] from older engines and [] or null from newer.
    repoTags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    repoDigests: (r.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
    created: r.Created,
    size: r.Size,
    sharedSize: r.SharedSize ?? -1,
    containers: r.Containers ?? -1,
    parentId: r.ParentId ?? '',
    labels: r.Labels ?? {},
  };
}

function containerSummary(c: RawContainer | Docker.ContainerInfo): ContainerSummary {
  const r = c as RawContainer;
  return {
    id: r.Id,
    names: (r.Names ?? []).map((n) => n.replace(/^\//, '')),
    image: r.Image,
    imageId: canonicalImageId(r.ImageID),
    state: r.State,
    created: r.Created,
    labels: r.Labels ?? {},
    sizeRw: typeof r.SizeRw === 'number' ? r.SizeRw : null,
  };
}

function engineEvent(e: RawEvent): EngineEvent {
  const nano = e.timeNano !== undefined ? BigInt(e.timeNano) : BigInt(e.time ?? 0) * 1_000_000_000n;
  return {
    type: e.Type ?? 'container',
    action: dockerAction(e.Type ?? 'container', e.Action ?? e.status ?? ''),
    actorId: e.Actor?.ID ?? e.id ?? '',
    attributes: e.Actor?.Attributes ?? {},
    timeNano: nano,
  };
}

import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { apiRequest, apiStream, type Query } from './api-request.js';
import { negotiateApiVersion } from './api-version.js';
import type { DockerInfo } from './docker-info.js';
import { asDockerInfo } from './docker-info.js';
import type { EndpointChoice } from './endpoint.js';
import {
  containerList,
  engineEvent,
  imageDetails,
  imageHistory,
  imageList,
  imageReferences,
  pruneResult,
  removedImage,
  serviceList,
  systemDf,
  versionAnswer,
  type VersionAnswer,
} from './engine-answers.js';
import type { ContainerSummary, EngineApi, EngineEvent, HistoryEntry, ImageDetails, ImageReferences, ImageSummary, PruneResult, RemovedImage, SystemDf } from './engine-api.js';
import { toEngineError } from './engine-errors.js';
import type { ServiceFacts, VersionFacts } from './engine-facts.js';
import { productFromComponents } from '../core/engine-product.js';
import { openTransport, type Transport } from './engine-transport.js';
import { explainTlsFailure } from './tls-failure.js';
import { withTagsNotRestored } from './tags-not-restored.js';

/** Podman 4.0 introduced the libpod API in this form; 4.x serves any version up to its own. */
const LIBPOD_API_VERSION = '4.0.0';

// EngineApi over node:http: exactly the calls dockwarden makes, nothing loaded that it
// does not use. dockerode (with docker-modem) loaded ssh2, cpu-features and the
// gRPC/protobuf BuildKit client on import.
//
// Measured (2 cores, Debian 12, Node 20.20, a sandbox dockerd 20.10 on a unix socket,
// medians of 9 alternating runs, two runs on a quiet machine):
//   import:  dockerode-engine.js 176-203 ms, 70.5 MB max RSS; this file 23 ms, 45.5 MB
//            (bare node: 40 MB); undici 7.30 alone 108-114 ms, 61 MB
//   200 sequential GET /_ping, then 200 GET /images/{id}/json (parsed), one connection,
//   and the process's RSS after them:
//            this client    92-95 ms + 143-144 ms, 55 MB
//            undici Client 100-105 ms + 150-157 ms, 89-90 MB
//            undici Pool   110-111 ms + 146-150 ms, 93-95 MB
//            dockerode      100 ms + 143 ms, 73 MB
// The requests cost the engine's time whoever sends them. undici would add ~90 ms to
// every command's start and ~35 MB to the agent (its llhttp parser is WebAssembly), and
// still need the ssh transport (a connector per `ssh … dial-stdio` process) written by
// hand; docker-modem is what dockerode brought. So: node:http, ~600 lines of our own.

export interface ConnectOptions {
  /** Idle timeout of each request (the events stream has none); 30 s, as the docker CLI's default. */
  timeoutMs?: number;
}

/**
 * Connects and negotiates the API version as the docker CLI does: GET /_ping's Api-Version
 * header, capped at the highest version dockwarden speaks. Engines before API 1.25 send no
 * header: their /version says. Throws EngineError when the engine cannot be reached.
 */
export async function connectEngine(choice: EndpointChoice, opts: ConnectOptions = {}): Promise<EngineApi> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const transport = await openTransport(choice.endpoint, { timeoutMs });
  const fail = (err: unknown, path: string) => toEngineError(explainTlsFailure(err, choice.endpoint, transport.sentClientCert), choice.endpoint, choice.attempts, path);
  const get = async (path: string) => {
    try {
      return await apiRequest(transport, 'GET', path, { timeoutMs });
    } catch (err) {
      throw fail(err, path);
    }
  };
  try {
    let header: unknown;
    try {
      header = (await get('/_ping')).headers['api-version'];
    } catch (err) {
      // An engine that answers /_ping with an error status may still answer /version.
      if (!(err instanceof Error && (err as { details?: { status?: number } }).details?.status)) throw err;
    }
    // Docker and Podman (4.3.1: "1.41", with a Libpod-Api-Version beside it) write major.minor;
    // a patch level, should an engine add one, is dropped.
    const pinged = typeof header === 'string' ? /^(\d+\.\d+)(\.\d+)?$/.exec(header.trim())?.[1] : undefined;
    if (pinged) return new HttpEngine(transport, choice, timeoutMs, negotiateApiVersion(pinged, null, choice.endpoint.url), null);
    const raw = await get('/version');
    let answer: VersionAnswer;
    try {
      answer = versionAnswer(raw.body);
    } catch (err) {
      throw fail(err, '/version');
    }
    return new HttpEngine(transport, choice, timeoutMs, negotiateApiVersion(answer.apiVersion, answer.minApiVersion, choice.endpoint.url), answer);
  } catch (err) {
    transport.close();
    throw err;
  }
}

class HttpEngine implements EngineApi {
  readonly endpoint: string;
  private versionFacts: Promise<VersionFacts> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly choice: EndpointChoice,
    private readonly timeoutMs: number,
    private readonly apiVersion: string,
    /** /version as read for the negotiation (engines before API 1.25), else read when asked. */
    known: VersionAnswer | null,
  ) {
    this.endpoint = choice.endpoint.url;
    if (known) this.versionFacts = Promise.resolve(this.facts(known));
  }

  private fail(err: unknown, path: string) {
    return toEngineError(explainTlsFailure(err, this.choice.endpoint, this.transport.sentClientCert), this.choice.endpoint, this.choice.attempts, path);
  }

  /** One request to the versioned `path`, its JSON answer read by `read`; every failure an EngineError naming `path`. */
  private async call<T>(method: string, path: string, read: (body: unknown) => T, query?: Query): Promise<T> {
    try {
      const { body } = await apiRequest(this.transport, method, `/v${this.apiVersion}${path}`, { timeoutMs: this.timeoutMs, ...(query ? { query } : {}) });
      return read(body);
    } catch (err) {
      throw this.fail(err, path);
    }
  }

  private facts(v: VersionAnswer): VersionFacts {
    return {
      version: v.version,
      apiVersion: v.apiVersion,
      minApiVersion: v.minApiVersion,
      negotiatedApiVersion: this.apiVersion,
      // Podman names itself here ("Podman Engine"): engine-product.ts.
      ...(v.components ? { components: v.components } : {}),
    };
  }

  /** /version, read once, when first asked (gc never asks). */
  version(): Promise<VersionFacts> {
    this.versionFacts ??= this.call('GET', '/version', (body) => this.facts(versionAnswer(body))).catch((err: unknown) => {
      this.versionFacts = undefined;
      throw err;
    });
    return this.versionFacts;
  }

  info(): Promise<DockerInfo> {
    return this.call('GET', '/info', asDockerInfo);
  }

  listImages(opts: { all?: boolean; danglingOnly?: boolean } = {}): Promise<ImageSummary[]> {
    const query: Query = { all: opts.all ? '1' : undefined, filters: opts.danglingOnly ? JSON.stringify({ dangling: ['true'] }) : undefined };
    return this.call('GET', '/images/json', imageList, query);
  }

  listContainers(opts: { all?: boolean; ancestor?: string } = {}): Promise<ContainerSummary[]> {
    const filters = opts.ancestor ? JSON.stringify({ ancestor: [opts.ancestor] }) : undefined;
    return this.call('GET', '/containers/json', containerList, { all: (opts.all ?? true) ? '1' : undefined, filters });
  }

  listServices(): Promise<ServiceFacts[]> {
    return this.call('GET', '/services', serviceList);
  }

  systemDf(): Promise<SystemDf> {
    return this.call('GET', '/system/df', systemDf);
  }

  async *events(opts: { since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EngineEvent> {
    let res: IncomingMessage;
    try {
      res = await apiStream(this.transport, `/v${this.apiVersion}/events`, { query: { since: opts.since, until: opts.until }, ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw this.fail(err, '/events');
    }
    // The engine writes one JSON object per line and keeps the response open for days;
    // aborting destroys the request, which ends the loop below.
    const decoder = new StringDecoder('utf8');
    let pending = '';
    try {
      for await (const chunk of res) {
        pending += decoder.write(chunk as Buffer);
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) yield engineEvent(line);
        }
        if (opts.signal?.aborted) return;
      }
      const last = (pending + decoder.end()).trim();
      if (last && !opts.signal?.aborted) yield engineEvent(last);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw this.fail(err, '/events');
    } finally {
      res.destroy();
    }
  }

  removeImage(idOrRef: string): Promise<RemovedImage> {
    // Never force: a 409 means the engine knows of a user we did not, and it must win.
    return this.call('DELETE', `/images/${encodeURI(idOrRef)}`, removedImage);
  }

  async removeImageAndReferences(id: string): Promise<RemovedImage> {
    if (productFromComponents((await this.version()).components) !== 'podman') {
      // By id, `force` only passes the "referenced in multiple repositories" check: dockerd
      // still refuses a running container's image and a parent's (conflictHard).
      return this.call('DELETE', `/images/${encodeURI(id)}`, removedImage, { force: '1' });
    }
    const refs = await this.imageReferences(id);
    // libpod's untag without repo and tag takes every name off this one image.
    await this.libpod('POST', `/images/${encodeURI(id)}/untag`);
    try {
      const removed = await this.removeImage(id);
      return { untagged: [...refs.tags, ...refs.digests], deleted: removed.deleted };
    } catch (err) {
      const lost: { tag: string; err: unknown }[] = [];
      for (const tag of refs.tags) {
        try {
          await this.tagImage(id, tag);
        } catch (tagErr) {
          lost.push({ tag, err: tagErr });
        }
      }
      throw withTagsNotRestored(err, lost);
    }
  }

  imageReferences(id: string): Promise<ImageReferences> {
    return this.call('GET', `/images/${encodeURI(id)}/json`, imageReferences);
  }

  /** Podman's own API, which the compatible one does not cover; its versions are Podman's. */
  private async libpod(method: string, path: string): Promise<void> {
    try {
      await apiRequest(this.transport, method, `/v${LIBPOD_API_VERSION}/libpod${path}`, { timeoutMs: this.timeoutMs });
    } catch (err) {
      throw this.fail(err, `/libpod${path}`);
    }
  }

  async tagImage(id: string, repoTag: string): Promise<void> {
    const at = repoTag.lastIndexOf(':');
    const hasTag = at > repoTag.lastIndexOf('/');
    const repo = hasTag ? repoTag.slice(0, at) : repoTag;
    const tag = hasTag ? repoTag.slice(at + 1) : 'latest';
    await this.call('POST', `/images/${encodeURI(id)}/tag`, () => undefined, { repo, tag });
  }

  inspectImage(id: string): Promise<ImageDetails> {
    return this.call('GET', `/images/${encodeURI(id)}/json`, imageDetails);
  }

  imageHistory(id: string): Promise<HistoryEntry[]> {
    return this.call('GET', `/images/${encodeURI(id)}/history`, imageHistory);
  }

  pruneContainers(until: string): Promise<PruneResult> {
    return this.call('POST', '/containers/prune', (body) => pruneResult(body, '/containers/prune', 'ContainersDeleted'), { filters: JSON.stringify({ until: [until] }) });
  }

  pruneBuildCache(): Promise<PruneResult> {
    return this.call('POST', '/build/prune', (body) => pruneResult(body, '/build/prune', 'CachesDeleted'));
  }
}

import { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

// ssh:// the way the docker CLI does it: log in and run `docker system dial-stdio`, whose
// stdin and stdout are a connection to the remote engine's socket, and speak HTTP over
// that channel. docker-modem has its own, but it builds a request URL Node calls invalid
// (a deprecation warning on stderr), hands http a channel without setTimeout (any request
// timeout then crashes the process) and opens one SSH connection per request: gc's
// parallel deletions then meet sshd's MaxStartups (10 unauthenticated connections) and
// are dropped "before handshake". Here one SSH connection carries a channel per HTTP
// connection and is closed once no channel has been open for a moment, so a CLI run can
// exit. At most MAX_CHANNELS at once: sshd allows 10 sessions per connection
// (MaxSessions) and counts a closed channel until its close has gone both ways, and
// http.Agent's maxSockets does not count connections an agent is still creating.

const MAX_CHANNELS = 4;
const IDLE_CLOSE_MS = 200;

/** An http.Agent whose every connection is `docker system dial-stdio` on the ssh host. */
export function sshDialAgent(config: ConnectConfig, where: string): Agent {
  const agent = new Agent({ keepAlive: false });
  let session: Promise<Client> | null = null;
  let open = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const waiting: (() => void)[] = [];
  const slot = (): Promise<void> => {
    if (open < MAX_CHANNELS) {
      open += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };

  const connect = (): Promise<Client> => {
    clearTimeout(idleTimer);
    if (session) return session;
    const client = new Client();
    const ready = new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client));
      client.on('error', (err) => reject(sshFailure(err, config)));
    });
    // A dropped or ended connection is not reused: the next request logs in again.
    client.once('close', () => {
      if (session === ready) session = null;
    });
    ready.catch(() => {
      if (session === ready) session = null;
    });
    client.connect(config);
    session = ready;
    return ready;
  };

  const release = () => {
    // A freed channel goes straight to the next waiting request.
    const next = waiting.shift();
    if (next) return next();
    open -= 1;
    if (open > 0) return;
    clearTimeout(idleTimer);
    const current = session;
    // Unref'd: a finished CLI run exits when the connection closes, not a timer later.
    idleTimer = setTimeout(() => {
      if (open === 0 && session === current) {
        session = null;
        void current?.then((c) => c.end(), () => undefined);
      }
    }, IDLE_CLOSE_MS).unref();
  };

  agent.createConnection = (_options, callback) => {
    slot().then(connect).then(
      (client) =>
        client.exec('docker system dial-stdio', (err, channel) => {
          if (err) {
            release();
            return callback?.(sshFailure(err, config), null as unknown as Duplex);
          }
          channel.once('close', release);
          callback?.(null, new DialStdioSocket(channel, where));
        }),
      (err: Error) => {
        release();
        callback?.(err, null as unknown as Duplex);
      },
    );
    return undefined;
  };
  return agent;
}

/**
 * An error whose message names ssh and carries no socket code: the engine's error mapping
 * would otherwise read ECONNREFUSED or ENOENT as a dockerd that is not running.
 */
function sshFailure(err: Error & { level?: string; code?: string }, config: ConnectConfig): Error {
  const at = `${config.host}:${config.port}`;
  if (err.level === 'client-authentication') return new Error(`the ssh server at ${at} accepted none of the keys the ssh-agent offered for ${config.username} (${err.message})`);
  if (err.level === 'agent') return new Error(`the ssh-agent at ${String(config.agent)} cannot be used (${err.message})`);
  if (err.code === 'ECONNREFUSED') return new Error(`no ssh server listens at ${at} (ECONNREFUSED)`);
  if (err.level === 'client-timeout') return new Error(`the ssh server at ${at} did not finish the handshake in time`);
  return new Error(`ssh to ${at} failed (${err.message})`);
}

/**
 * The channel as http wants a socket: a stream with setTimeout (an idle timer),
 * setNoDelay, setKeepAlive and ref/unref. dial-stdio that cannot reach the engine (or a
 * host without docker) says why on stderr and exits, and its stdout ends before the exit
 * status arrives: the end is held back until the channel closes, so that the request
 * fails with that sentence rather than "socket hang up".
 */
class DialStdioSocket extends Duplex {
  private idleMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: ClientChannel,
    where: string,
  ) {
    super();
    let stderr = '';
    let exitCode: number | null = null;
    channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    channel.on('data', (d: Buffer) => {
      this.arm();
      if (!this.push(d)) channel.pause();
    });
    channel.on('error', (err: Error) => this.destroy(err));
    channel.once('exit', (code: number | null) => (exitCode = code));
    channel.once('close', () => {
      clearTimeout(this.timer);
      if (exitCode) this.destroy(new Error(`\`docker system dial-stdio\` on the ssh host ${where} exited ${exitCode}: ${stderr.trim() || 'no message'}`));
      else this.push(null);
    });
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.arm();
    this.channel.write(chunk, encoding, done);
  }

  override _final(done: () => void): void {
    this.channel.end();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.timer);
    this.channel.close();
    done(err);
  }

  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms;
    if (onTimeout) this.once('timeout', onTimeout);
    this.arm();
    return this;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.idleMs > 0) this.timer = setTimeout(() => this.emit('timeout'), this.idleMs);
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

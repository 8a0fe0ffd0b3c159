// Spawn the real collector (`node bin/otelcol-ts.js ...`) for end-to-end tests: writes YAML configs to a temp
// dir, captures stdout/stderr, waits until ready (health_check URL, else TCP ports accepting), stops it with
// SIGTERM and reports the exit code. Every process started here is killed when the test ends (t.after) and
// when the test process exits, so no collector outlives its test.

import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, REPO_ROOT } from './paths';

/** The subset of node:test's TestContext we use (so helpers work with t or a suite context). */
export interface TestLike {
  after(fn: () => unknown): void;
  diagnostic?(msg: string): void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close). */
/**
 * A port that is free now. Picked at random below the kernel's ephemeral range (32768+ on Linux): a port from
 * listen(0) is an ephemeral one, which any outgoing connection of a test running alongside may take as its source
 * port before the collector binds it (seen as a rare EADDRINUSE flake). Falls back to listen(0).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canBind(port)) return port;
  }
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Several distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/** true when something accepts TCP connections on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** true when we can bind host:port ourselves right now (the port is free). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A temp dir removed when the test ends. */
export function tempDir(t: TestLike, prefix = 'otelcol-ts-e2e-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Write `content` to `dir/name` and return the absolute path. */
export function writeFile(dir: string, name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** GET a URL; resolves with status and body (never rejects on HTTP errors; rejects on network errors). */
export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

export interface ReadyCheck {
  /** Poll this URL until it answers 200 (a health_check endpoint). */
  healthUrl?: string;
  /** Wait until each of these 127.0.0.1 ports accepts a TCP connection. */
  tcpPorts?: number[];
}

export interface CollectorOptions {
  /** YAML config text: written to a temp file and passed as `--config <file>`. */
  config?: string;
  /** Several YAML config texts: each written to its own file and passed as its own `--config <file>`. */
  configs?: string[];
  /** Extra arguments appended after the --config flags (e.g. `--set=processors.batch.timeout=1s`). */
  args?: string[];
  /** Use exactly these arguments (no --config added). */
  rawArgs?: string[];
  /** Extra environment variables for the child (undefined deletes a variable). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How to tell the collector is ready; false: do not wait. */
  ready: ReadyCheck | false;
  /** Bound for the readiness wait (default 15 s). */
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Collector {
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private exitInfo: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;

  constructor(
    readonly proc: ChildProcess,
    readonly args: string[],
  ) {
    proc.stdout!.on('data', (c: Buffer) => this.out.push(c));
    proc.stderr!.on('data', (c: Buffer) => this.err.push(c));
    this.exited = new Promise<ExitInfo>((resolve) => {
      // 'close' fires after stdio is drained, so stdout()/stderr() are complete once exited resolves.
      proc.once('close', (code, signal) => {
        live.delete(proc);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }
  stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }
  stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }
  /** stdout + stderr, for assertions on log lines and for failure messages. */
  output(): string {
    return `--- stdout ---\n${this.stdout()}\n--- stderr ---\n${this.stderr()}`;
  }
  /** Still running? */
  alive(): boolean {
    return this.exitInfo === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }
  exitInfoNow(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Resolves once `re` matches stdout+stderr; rejects after timeoutMs or when the process exits first. */
  async waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = (this.stdout() + '\n' + this.stderr()).match(re);
      if (m) return m;
      if (!this.alive()) throw new Error(`collector exited before printing ${re}\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re}\n${this.output()}`);
      await sleep(50);
    }
  }

  /** Waits for the process to end by itself (bounded). */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`collector still running after ${timeoutMs} ms\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Send SIGTERM and resolve with the exit code once the process ended. If it is still running after
   * `timeoutMs` it is killed (SIGKILL) and the promise rejects: a collector must shut down in bounded time.
   */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.exitInfo) return this.exitInfo.code;
    this.proc.kill('SIGTERM');
    try {
      const info = await this.waitForExit(timeoutMs);
      return info.code;
    } catch (e) {
      this.kill();
      await this.exited;
      throw new Error(`collector did not exit within ${timeoutMs} ms of SIGTERM (killed)\n${this.output()}`, { cause: e });
    }
  }

  /** SIGKILL now (cleanup). */
  kill(): void {
    if (this.alive()) {
      try {
        this.proc.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** Wait until ready (health URL answers 200 / ports accept connections); throws with the output if it exits first. */
  async waitReady(check: ReadyCheck, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive()) {
        const info = await this.exited;
        throw new Error(`collector exited (code ${info.code}, signal ${info.signal}) before becoming ready; args: ${this.args.join(' ')}\n${this.output()}`);
      }
      let ok = true;
      if (check.healthUrl) {
        try {
          ok = (await httpGet(check.healthUrl, 500)).status === 200;
        } catch {
          ok = false;
        }
      }
      for (const p of check.tcpPorts ?? []) {
        if (!ok) break;
        ok = await canConnect(p);
      }
      if (ok) return;
      if (Date.now() > deadline) {
        this.kill();
        await this.exited;
        throw new Error(`collector not ready after ${timeoutMs} ms (${JSON.stringify(check)}); args: ${this.args.join(' ')}\n${this.output()}`);
      }
      await sleep(50);
    }
  }
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Keep the child's own SDK/diagnostic variables out of the way.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT; // node --test sets it; the child is not a test
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Spawn `node BIN <args>` (no waiting); killed when the test ends. */
export function spawnCli(t: TestLike, args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Collector {
  installExitHook();
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  const c = new Collector(proc, args);
  t.after(async () => {
    if (c.alive()) {
      c.kill();
      await c.exited;
    }
  });
  return c;
}

/** Start a collector from YAML config text(s) and wait until it is ready. */
export async function startCollector(t: TestLike, opts: CollectorOptions): Promise<Collector> {
  let args: string[];
  if (opts.rawArgs) {
    args = [...opts.rawArgs];
  } else {
    const dir = tempDir(t);
    const texts = opts.configs ?? (opts.config !== undefined ? [opts.config] : []);
    args = [];
    texts.forEach((text, i) => args.push('--config', writeFile(dir, `config-${i}.yaml`, text)));
    args.push(...(opts.args ?? []));
  }
  const c = spawnCli(t, args, { env: opts.env, cwd: opts.cwd });
  if (opts.ready) await c.waitReady(opts.ready, opts.readyTimeoutMs ?? 15_000);
  return c;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a short CLI command (validate, components) to completion, bounded by timeoutMs. */
export async function runCli(t: TestLike, args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const c = spawnCli(t, args, opts);
  const info = await c.waitForExit(opts.timeoutMs ?? 15_000).catch(async (e) => {
    c.kill();
    await c.exited;
    throw e;
  });
  return { ...info, stdout: c.stdout(), stderr: c.stderr() };
}

/** Indent a multi-line YAML fragment (for composing configs from template literals). */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? l : pad + l))
    .join('\n');
}

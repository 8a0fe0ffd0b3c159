// The otelcol-ts command line (bin/otelcol-ts.js calls main()).
//
//   otelcol-ts [--config F]... [--set k=v]...   run until SIGTERM/SIGINT (exit 0 after a graceful shutdown;
//                                               a second signal forces exit 1); with no --config, runs the
//                                               embedded configs/default.yaml
//   otelcol-ts validate --config F...           print every problem (one per line, with its YAML path), exit 1;
//                                               or exit 0 when the config is valid
//   otelcol-ts components [--json]              list the components and their stability per signal
//   --version, --help; a usage error exits 2.
//
// A configuration error is printed without a stack trace; a failure at start exits 1 with its message.

import { tableMemory } from '../pdata/layout';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyFactory, Logger } from '../component/types';
import { ConfigError, isOtelTsError } from '../errors';
import { loadConfig } from '../config/config';
import { Registry } from '../service/registry';
import { Service } from '../service/service';
import { SERVICE_NAME, type BuildInfo } from '../service/telemetry';
import { factories } from '../components';
import { nopLogger } from '../telemetry/logger';
import { MetricRegistry } from '../telemetry/metrics';
import { USAGE, UsageError, parseArgs, type ParsedArgs } from './args';
import { componentsJson, componentsMarkdown, componentsTable } from './components-list';

export interface MainIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function defaultIO(): MainIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The package root (where package.json names otelcol-ts), whatever dist folder this file was compiled into. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    try {
      if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'otelcol-ts') return dir;
    } catch {
      /* keep looking */
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '..', '..', '..');
    dir = up;
  }
}

export function defaultConfigPath(): string {
  return path.join(packageRoot(), 'configs', 'default.yaml');
}

export function buildInfo(): BuildInfo {
  let version = '0.0.0';
  try {
    version = String(JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version ?? version);
  } catch {
    /* keep the placeholder */
  }
  return { command: SERVICE_NAME, version };
}

/** Text for an error shown to the user: ConfigError issues one per line; no stack trace for our own errors. */
export function formatError(e: unknown): string {
  if (e instanceof ConfigError) {
    const lines = e.issues.map((i) => (i.path ? `  ${i.path}: ${i.message}` : `  ${i.message}`));
    const n = e.issues.length;
    return `Error: invalid configuration (${n} problem${n === 1 ? '' : 's'}):\n${lines.join('\n')}\n`;
  }
  if (isOtelTsError(e)) return `Error: ${e.message}\n`;
  if (e instanceof Error) return `Error: ${e.stack ?? e.message}\n`;
  return `Error: ${String(e)}\n`;
}

function configSources(args: ParsedArgs): string[] {
  return args.configs.length ? args.configs : [defaultConfigPath()];
}

/**
 * Run the CLI; resolves with the exit code. `io` and `componentFactories` are injectable for in-process tests
 * (default: the process's stdio/env/cwd and the real component list of src/components.ts).
 */
export async function main(argv: string[], io: MainIO = defaultIO(), componentFactories: readonly AnyFactory[] = factories): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`Error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const build = buildInfo();
  if (args.command === 'version') {
    io.stdout(`${build.command} version ${build.version}\n`);
    return 0;
  }
  let registry: Registry;
  try {
    registry = new Registry(componentFactories);
  } catch (e) {
    io.stderr(formatError(e));
    return 1;
  }
  if (args.command === 'components') {
    io.stdout(args.json ? componentsJson(registry) : args.markdown ? componentsMarkdown(registry) : componentsTable(registry));
    return 0;
  }
  if (args.featureGates.length) io.stderr(`warning: --feature-gates is accepted for compatibility and ignored (${args.featureGates.join(', ')})\n`);

  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(configSources(args), args.sets, registry, { env: io.env, cwd: io.cwd });
  } catch (e) {
    io.stderr(formatError(e));
    return 1;
  }
  if (args.command === 'validate') {
    // Dry run, as Go's validate: build every component of the graph (factories check what only they can,
    // e.g. attributes actions), start nothing, then release what was built.
    try {
      const dry = new Service({ config: loaded.config, logger: nopLogger, metrics: new MetricRegistry() });
      await dry.shutdown().catch(() => undefined);
    } catch (e) {
      io.stderr(formatError(e));
      return 1;
    }
    for (const w of loaded.warnings) io.stderr(`warning: ${w}\n`);
    return 0;
  }
  // Worker threads rebuild the pipelines from the built-in components: injected factories (tests) run single-threaded.
  return run(loaded.config, loaded.warnings, build, io, componentFactories === factories ? 'pool' : 'single');
}

async function run(
  config: ReturnType<typeof loadConfig>['config'], warnings: string[], build: BuildInfo, io: MainIO, mode: 'pool' | 'single',
): Promise<number> {
  let service: Service;
  try {
    service = new Service({ config, warnings, buildInfo: build, mode });
    // Single-threaded: no batch crosses a thread, so decoded tables can be plain ArrayBuffers (layout.ts).
    if (!service.pool) tableMemory.shared = false;
  } catch (e) {
    io.stderr(formatError(e));
    return 1;
  }
  const logger: Logger = service.logger;

  let exitCode = 0;
  let signalled = false;
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((r) => (resolveStop = r));
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      logger.warn('Received a second signal: forcing exit', { signal: sig });
      process.exit(1);
    }
    signalled = true;
    logger.info('Received signal from OS', { signal: sig });
    resolveStop();
  };
  const onHup = () => logger.warn('Received SIGHUP: configuration reload is not supported yet; ignoring it');
  const onRejection = (reason: unknown) => {
    logger.error('Unhandled promise rejection', { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  };
  const onException = (err: Error) => {
    logger.error('Uncaught exception: shutting down', { error: err.stack ?? err.message });
    exitCode = 1;
    if (signalled) process.exit(1);
    signalled = true;
    resolveStop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHup);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const cleanup = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onHup);
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };

  // Keep the process alive while running even if no component holds a handle (e.g. only in-process pipelines).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await service.start();
  } catch (e) {
    clearInterval(keepAlive);
    io.stderr(formatError(e));
    await service.shutdown().catch(() => undefined);
    cleanup();
    return 1;
  }

  await stopRequested;
  try {
    await service.shutdown();
  } catch (e) {
    io.stderr(formatError(e));
    exitCode = 1;
  }
  clearInterval(keepAlive);
  cleanup();
  // A component that leaked a handle (socket, timer) must not keep a stopped collector alive.
  if (require.main && /otelcol-ts(\.js)?$/.test(require.main.filename)) {
    setTimeout(() => process.exit(exitCode), 2000).unref();
  }
  return exitCode;
}

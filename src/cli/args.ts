// Command-line parsing for otelcol-ts (the Go collector's flags: repeated --config and --set, `validate` and
// `components` subcommands, --version, --help).

export type Command = 'run' | 'validate' | 'components' | 'help' | 'version';

export interface ParsedArgs {
  command: Command;
  configs: string[];
  sets: string[];
  json: boolean;
  /** components: print the README's Markdown table. */
  markdown: boolean;
  featureGates: string[];
}

export class UsageError extends Error {}

export const USAGE = `Usage:
  otelcol-ts [--config <uri>]... [--set <key.path=value>]...     run the collector
  otelcol-ts validate [--config <uri>]... [--set ...]...         check a configuration and exit
  otelcol-ts components [--json|--markdown]                      list the available components

Flags:
  --config <uri>     a configuration source; repeat to merge several (later ones win, maps are merged):
                     a file path, file:<path>, env:<VAR> (YAML in a variable), or yaml:<inline YAML>
                     (e.g. 'yaml:processors::batch::timeout: 2s'). Without --config, the embedded
                     configs/default.yaml is used.
  --set <k=v>        override one setting after every --config (e.g. --set=processors.batch.timeout=2s)
  --json             (components) print JSON instead of a table
  --markdown         (components) print the README's Markdown table
  --feature-gates    accepted for compatibility with the Go collector and ignored
  -v, --version      print the version
  -h, --help         print this help
`;

const SUBCOMMANDS: Record<string, Command> = {
  validate: 'validate',
  components: 'components',
  help: 'help',
};

/** Parse argv (without node and the script). Throws UsageError for anything unknown. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: 'run', configs: [], sets: [], json: false, markdown: false, featureGates: [] };
  let sub: Command | undefined;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument ${JSON.stringify(argv[i + 1])}`);
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      const value = (): string => {
        if (inline !== undefined) return inline;
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`flag needs an argument: ${name}`);
        i++;
        return v;
      };
      switch (name) {
        case '--config':
        case '-config':
          out.configs.push(value());
          break;
        case '--set':
        case '-set':
          out.sets.push(value());
          break;
        case '--feature-gates':
          out.featureGates.push(value());
          break;
        case '--json':
          if (inline !== undefined) throw new UsageError(`flag ${name} takes no value`);
          out.json = true;
          break;
        case '--markdown':
          if (inline !== undefined) throw new UsageError(`flag ${name} takes no value`);
          out.markdown = true;
          break;
        case '-h':
        case '--help':
          help = true;
          break;
        case '-v':
        case '--version':
          version = true;
          break;
        default:
          throw new UsageError(`unknown flag: ${name}`);
      }
      continue;
    }
    if (sub === undefined && a in SUBCOMMANDS) {
      sub = SUBCOMMANDS[a]!;
      continue;
    }
    throw new UsageError(sub === undefined ? `unknown command ${JSON.stringify(a)}` : `unexpected argument ${JSON.stringify(a)}`);
  }
  if (help || sub === 'help') out.command = 'help';
  else if (version) out.command = 'version';
  else out.command = sub ?? 'run';
  if (out.json && out.command !== 'components') throw new UsageError('--json is only valid with "components"');
  if (out.markdown && out.command !== 'components') throw new UsageError('--markdown is only valid with "components"');
  if (out.command === 'components' && (out.configs.length || out.sets.length)) {
    throw new UsageError('"components" takes no --config or --set');
  }
  return out;
}

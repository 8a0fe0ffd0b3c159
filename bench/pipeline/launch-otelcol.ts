// Starts otelcol-ts exactly as bin/otelcol-ts.js does, but from the CLI compiled beside this file
// (<outDir>/src/cli/main.js), so the benchmark measures the build it was compiled with (dist/ under
// `npm run bench`, another out dir during development).
//
//   node <outDir>/bench/pipeline/launch-otelcol.js --config file.yaml

import * as path from 'node:path';

export const CLI_MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const cli = require(CLI_MAIN) as { main(argv: string[]): Promise<number | void> };
  cli.main(process.argv.slice(2)).then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(String((err as Error)?.stack ?? err) + '\n');
      process.exitCode = 1;
    },
  );
}

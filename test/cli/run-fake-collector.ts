// Child process for bin-like tests of the run command with fake components: `node run-fake-collector.js <args>`.
// Prints every lifecycle event on stdout as `EVENT <text>` so the parent can follow start and shutdown.

import { main } from '../../src/cli/main';
import { FakeWorld } from '../service/fakes';

const world = new FakeWorld();
const push = world.events.push.bind(world.events);
world.events.push = (...items: string[]) => {
  for (const i of items) process.stdout.write(`EVENT ${i}\n`);
  return push(...items);
};
main(process.argv.slice(2), undefined, world.factories).then(
  (code) => {
    process.stdout.write(`EXIT ${code}\n`);
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(String(e && e.stack) + '\n');
    process.exitCode = 99;
  },
);

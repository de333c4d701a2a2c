// The CLI as a function: argv in, exit code out, every error turned into one sentence (output.ts) — main.ts is
// the process around it, and tests call it in-process.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { useBackend, type BackendName } from '../node/backends';
import { workerCount } from '../node/instanceThreads';
import { OPTIONS, usage, type Values } from './args';
import { gallery, groundtruth, merge, run, sweep } from './commands';
import { findingsCommand } from './findings';
import { probeCommand } from './probe';
import { describeError, EXIT, exitCodeOf, printable, say } from './output';
import { stopped } from './signals';

const COMMANDS = ['run', 'groundtruth', 'merge', 'sweep', 'findings', 'gallery', 'probe'];
const BACKENDS = ['wasm', 'cpu', 'webgpu'];

async function dispatch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const v = values as Values;
  const cmd = positionals[0];
  if (v.help) {
    process.stdout.write(usage());
    return EXIT.ok;
  }
  if (cmd === undefined) {
    process.stderr.write(usage());
    return EXIT.usage;
  }
  if (!COMMANDS.includes(cmd)) {
    say(`unknown command '${printable(cmd, 40)}' (commands: ${COMMANDS.join(', ')}; see --help)`);
    return EXIT.usage;
  }
  if (cmd !== 'merge' && positionals.length > 1)
    throw new Error(`${cmd} takes options only; unexpected '${printable(positionals[1], 40)}' (see --help)`);
  workerCount(v.workers);
  const backend = v.backend ?? 'wasm';
  if (!BACKENDS.includes(backend))
    throw new Error(`--backend must be wasm, cpu or webgpu, not '${printable(backend, 40)}'`);
  const device = await useBackend(backend as BackendName);
  say(`backend: ${device}; tfjs ${tf.version.tfjs}`);
  switch (cmd) {
    case 'run':
      return run(v, stopped);
    case 'groundtruth':
      return groundtruth(v, stopped);
    case 'merge':
      return merge(v, positionals.slice(1));
    case 'sweep':
      return sweep(v, stopped);
    case 'gallery':
      return gallery(v, stopped);
    case 'probe':
      return probeCommand(v, stopped);
    default:
      return findingsCommand(v, stopped);
  }
}

/** Runs one CLI invocation; never throws: an error is printed as one sentence and becomes the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.SUPERNET_DEBUG === '1';
  try {
    return await dispatch(argv);
  } catch (e) {
    say(`error: ${describeError(e, debug)}`);
    return exitCodeOf(e);
  }
}

// Reads CIFAR-10 from a path the way the CLI does (node/data.ts) in a process of its own and prints, as JSON, the
// message it ended with and the process's peak resident memory: tests/cifar10.test.ts runs it on bombs and sparse
// folders. Usage: node --import tsx tests/peakRss.ts <path>
import { loadCifarFrom } from '../src/node/data';

const path = process.argv[2];
const before = process.resourceUsage().maxRSS / 1024;
let message: string;
try {
  const s = loadCifarFrom(path);
  message = `read ${s.train.n} train, ${s.val.n} test images`;
} catch (e) {
  message = `${(e as Error).name}: ${(e as Error).message}`;
}
process.stdout.write(JSON.stringify({ message, beforeMB: before, peakMB: process.resourceUsage().maxRSS / 1024 }));

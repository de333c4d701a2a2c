// npm run data:cifar10 — downloads the official CIFAR-10 binary tarball into data/cifar10 (needs
// internet; everything else in the project works offline on the synthetic dataset), then checks it.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CIFAR_DIR, loadCifarFrom, MAX_ARCHIVE_BYTES } from '../node/data';
import { writeAtomic } from '../node/files';
import { describeError } from './output';

const URL_ = process.env.CIFAR10_URL ?? 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
const dest = join(DEFAULT_CIFAR_DIR, 'cifar-10-binary.tar.gz');

async function main() {
  mkdirSync(DEFAULT_CIFAR_DIR, { recursive: true });
  if (!existsSync(dest)) {
    process.stderr.write(`downloading ${URL_} …\n`);
    const res = await fetch(URL_);
    if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    if (total > MAX_ARCHIVE_BYTES) throw new Error(`the download is ${total} bytes, more than CIFAR-10 (170 MB)`);
    const chunks: Uint8Array[] = [];
    let got = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (got > MAX_ARCHIVE_BYTES) throw new Error(`the download passed ${MAX_ARCHIVE_BYTES} bytes: not CIFAR-10`);
      if (process.stderr.isTTY)
        process.stderr.write(`\r${(got / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`);
    }
    writeAtomic(dest, Buffer.concat(chunks), 'the CIFAR-10 archive');
    process.stderr.write('\n');
  }
  const s = loadCifarFrom(dest);
  process.stdout.write(`CIFAR-10 ready in ${DEFAULT_CIFAR_DIR}: ${s.train.n} training and ${s.val.n} test images\n`);
}

main().catch((e) => {
  process.stderr.write(`error: ${describeError(e, process.env.SUPERNET_DEBUG === '1')}\n`);
  process.exit(1);
});

// npm run data:cifar10 — downloads the official CIFAR-10 binary tarball into data/cifar10 (needs
// internet; everything else in the project works offline on the synthetic dataset), then checks it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitsFromTarGz } from '../engine/data/cifar10';
import { DEFAULT_CIFAR_DIR } from '../node/data';

const URL_ = process.env.CIFAR10_URL ?? 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
const dest = join(DEFAULT_CIFAR_DIR, 'cifar-10-binary.tar.gz');

async function main() {
  mkdirSync(DEFAULT_CIFAR_DIR, { recursive: true });
  if (!existsSync(dest)) {
    process.stderr.write(`downloading ${URL_} …\n`);
    const res = await fetch(URL_);
    if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    const chunks: Uint8Array[] = [];
    let got = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (process.stderr.isTTY)
        process.stderr.write(`\r${(got / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`);
    }
    writeFileSync(dest, Buffer.concat(chunks));
    process.stderr.write('\n');
  }
  const s = splitsFromTarGz(new Uint8Array(readFileSync(dest)), dest);
  process.stdout.write(`CIFAR-10 ready in ${DEFAULT_CIFAR_DIR}: ${s.train.n} training and ${s.val.n} test images\n`);
}

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(1);
});

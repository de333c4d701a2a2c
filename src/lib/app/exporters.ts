// Exports: the run record (JSON), a per-child CSV, and SVG / PNG of a chart.
import { bestFirstRanks } from '../../engine/metrics';
import type { RunRecord } from '../../engine/record';
import { CHILD_NAMES } from '../../engine/searchSpace';
import { finalRow } from '../../engine/summary';

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export const recordJson = (r: RunRecord) => new Blob([JSON.stringify(r)], { type: 'application/json' });

export function perChildCsv(r: RunRecord): string {
  const gt = r.groundTruth;
  const gtRank = gt ? bestFirstRanks(gt.mean) : undefined;
  const finals = r.instances.map(finalRow).filter(Boolean);
  const ranks = finals.map((f) => bestFirstRanks(f));
  const head = ['child', 'gt_mean', 'gt_std', 'gt_rank', ...finals.map((_, i) => `acc_instance${i}`), ...finals.map((_, i) => `rank_instance${i}`)];
  const rows = CHILD_NAMES.map((name, c) => [name, gt?.mean[c] ?? '', gt?.std[c] ?? '', gtRank?.[c] ?? '', ...finals.map((f) => f[c]), ...ranks.map((rk) => rk[c])].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

export function svgString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = 'text{font:11px system-ui,sans-serif;fill:#222}.axis path,.axis line{stroke:#888}';
  clone.prepend(style);
  return new XMLSerializer().serializeToString(clone);
}

export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgString(svg))}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

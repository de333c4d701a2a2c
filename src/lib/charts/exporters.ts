// Exports: the run record (JSON), a per-child CSV, and SVG / PNG of a chart with its title,
// legend and caption, styled like the screen.
import { bestFirstRanks } from '../../engine/core/metrics';
import { recordToJson, type RunRecord } from '../../engine/schema/record';
import { finalRow } from '../../engine/schema/summary';

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export const recordBlob = (r: RunRecord) => new Blob([recordToJson(r)], { type: 'application/json' });

export function perChildCsv(r: RunRecord): string {
  const gt = r.groundTruth;
  const gtRank = gt ? bestFirstRanks(gt.mean) : undefined;
  const finals = r.instances.map(finalRow).filter(Boolean);
  const ranks = finals.map((f) => bestFirstRanks(f));
  const head = [
    'child',
    'gt_mean',
    'gt_std',
    'gt_rank',
    ...finals.map((_, i) => `acc_instance${i}`),
    ...finals.map((_, i) => `rank_instance${i}`),
  ];
  const rows = r.childNames.map((name, c) =>
    [
      name,
      gt?.mean[c] ?? '',
      gt?.std[c] ?? '',
      gtRank?.[c] ?? '',
      ...finals.map((f) => f[c]),
      ...ranks.map((rk) => rk[c]),
    ].join(','),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** The page's chart style, inlined into exports so they look like the screen. */
const STYLE =
  `text{font:13px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#1d232a}.axis ` +
  `text{fill:#3d3d3d}.title{font-size:16px;font-weight:600}.note{font-size:12px;fill:#3d3d3d}`;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Wraps text into lines of about `chars` characters. */
function wrap(s: string, chars: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(/\s+/)) {
    if ((line + ' ' + w).trim().length > chars && line) {
      out.push(line);
      line = w;
    } else line = (line + ' ' + w).trim();
  }
  if (line) out.push(line);
  return out;
}

/** A standalone SVG: the title above the chart, legend and caption below, the page's style inlined. */
export function exportSvg(
  svg: SVGSVGElement,
  t: { title: string; caption: string; legend: string; description: string },
): string {
  const vb = svg.viewBox.baseVal;
  const w = vb && vb.width ? vb.width : svg.clientWidth;
  const h = vb && vb.height ? vb.height : svg.clientHeight;
  const chars = Math.max(40, Math.floor(w / 7));
  const notes = [...(t.legend ? wrap(t.legend, chars) : []), ...(t.caption ? wrap(t.caption, chars) : [])];
  const top = 30;
  const bottom = 10 + notes.length * 17;
  const inner = new XMLSerializer()
    .serializeToString(svg)
    .replace(/^<svg[^>]*>/, '')
    .replace(/<\/svg>$/, '');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h + top + bottom}" width="${w}" ` +
      `height="${h + top + bottom}" role="img" aria-label="${esc(t.title)}">`,
    `<title>${esc(t.title)}</title>${t.description ? `<desc>${esc(t.description)}</desc>` : ''}<style>${STYLE}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="title" x="8" y="21">${esc(t.title)}</text>`,
    `<g transform="translate(0,${top})">${inner}</g>`,
    ...notes.map((line, i) => `<text class="note" x="8" y="${top + h + 18 + i * 17}">${esc(line)}</text>`),
    `</svg>`,
  ].join('');
}

export async function svgToPng(svgText: string, like: SVGSVGElement, scale = 2): Promise<Blob> {
  const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svgText);
  const width = m ? Number(m[1]) : like.clientWidth;
  const height = m ? Number(m[2]) : like.clientHeight;
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
}

// Text with glossary terms marked `[[id]]` or `[[id|shown text]]` (the findings registry's article and card texts),
// split into plain parts and terms for the page to render with <Term>.
import { GLOSSARY, type TermId } from './glossary';

export type RichPart = { text: string; term?: TermId };

export function richParts(s: string): RichPart[] {
  const out: RichPart[] = [];
  let at = 0;
  for (const m of s.matchAll(/\[\[([A-Za-z0-9]+)(?:\|([^\]]+))?\]\]/g)) {
    if (m.index > at) out.push({ text: s.slice(at, m.index) });
    const id = m[1] as TermId;
    // An unknown id is shown as its text: a typo in a registry text must not break the page.
    out.push(Object.hasOwn(GLOSSARY, id) ? { text: m[2] ?? GLOSSARY[id].term, term: id } : { text: m[2] ?? m[1] });
    at = m.index + m[0].length;
  }
  if (at < s.length) out.push({ text: s.slice(at) });
  return out;
}

/** The same text without markers (for places that show plain text, e.g. an export). */
export const plainText = (s: string) =>
  richParts(s)
    .map((p) => p.text)
    .join('');

/** Terms recognised in plain texts (statistic names, targets), longest first; each links its glossary entry. */
const AUTO_TERMS: [RegExp, TermId][] = [
  [/Kendall\(rank at i, i\+\d+\) − Kendall\(i, i\+\d+\)/, 'lag'],
  [/GT-Tau-Mean-\d+|Mean-\d+/, 'meanK'],
  [/(?:GT-Tau-)?Std-\d+/, 'stdK'],
  [/GT-Tau/, 'gtTau'],
  [/S-Tau/, 'sTau'],
  [/\bT1R\b/, 't1r'],
  [/\bT3R\b/, 't3r'],
  [/\blag(?:-\d+)?\b/, 'lag'],
  [/\bsharpness\b/, 'sharpness'],
  [/\bKendall(?: tau)?/, 'kendall'],
  [/\bsign test\b/, 'signTest'],
  [/\bground truth\b|\bGT\b(?!-)/, 'groundTruth'],
  [/\bspread of child means\b/, 'spread'],
  [/\bchild just trained\b/, 'interference'],
  [/\bnoise floor\b/, 'noiseFloor'],
  [/\bfine-tune\b/, 'finetune'],
  [/\binstances?\b/, 'instance'],
  [/\bperiod\b/, 'period'],
];

/**
 * A plain text with its glossary terms marked (the first occurrence of each), for RichText: statistic names and
 * targets explain themselves on hover and tap like the card's prose. Text already marked is left as it is.
 */
export function glossify(s: string): string {
  if (s.includes('[[')) return s;
  let out = s;
  for (const [re, id] of AUTO_TERMS) {
    // Only in the parts not marked yet (a later, shorter term must not match inside an earlier mark).
    const parts = out.split(/(\[\[[^\]]+\]\])/);
    let done = false;
    out = parts
      .map((p) => {
        if (done || p.startsWith('[[')) return p;
        const m = re.exec(p);
        if (!m) return p;
        done = true;
        return `${p.slice(0, m.index)}[[${id}|${m[0]}]]${p.slice(m.index + m[0].length)}`;
      })
      .join('');
  }
  return out;
}

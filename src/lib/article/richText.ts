// Text with glossary terms marked `[[id]]` or `[[id|shown text]]` (the findings registry's article and card texts),
// split into plain parts and terms for the page to render with <Term>.
import { GLOSSARY, type TermId } from './glossary';

export type RichPart = { text: string; term?: TermId };

export function richParts(s: string): RichPart[] {
  const out: RichPart[] = [];
  let at = 0;
  for (const m of s.matchAll(/\[\[([A-Za-z]+)(?:\|([^\]]+))?\]\]/g)) {
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

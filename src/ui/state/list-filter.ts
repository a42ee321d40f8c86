import { type ContainerRecord, CONTAINER_STATUSES, InvalidFilterError, PS_FILTER_KEYS, emptyPsFilter, matchesFilter, parsePsFilters, type ImageMatcher, type PsFilter, type ImageSummary } from '../../core/index.js';

/**
 * What the user typed after `/`: words are free text (every word must occur in the name,
 * image or short ID, case-insensitively), `key=value` words are `ps --filter` filters
 * (status=exited, name=^web, id=, ancestor=, label=, exited=). A status value being typed
 * (`status=exi`) matches the statuses it begins, so the list narrows as you type.
 */
export interface ContainerQuery {
  words: string[];
  filter: PsFilter;
  /** Partial status values. */
  statusPrefixes: string[];
  /** Words that are not valid filters, for the filter bar. */
  errors: string[];
}

export function parseContainerQuery(text: string): ContainerQuery {
  const q: ContainerQuery = { words: [], filter: emptyPsFilter(), statusPrefixes: [], errors: [] };
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const filterArgs: string[] = [];
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    const key = eq > 0 ? tok.slice(0, eq).toLowerCase() : '';
    if (!(PS_FILTER_KEYS as readonly string[]).includes(key)) {
      q.words.push(tok.toLowerCase());
      continue;
    }
    try {
      parsePsFilters([tok]);
      filterArgs.push(tok);
    } catch (err) {
      if (!(err instanceof InvalidFilterError)) throw err;
      const value = tok.slice(eq + 1);
      if (key === 'status' && CONTAINER_STATUSES.some((s) => s.startsWith(value))) q.statusPrefixes.push(value);
      else if (value !== '') q.errors.push(tok);
    }
  }
  q.filter = parsePsFilters(filterArgs);
  return q;
}

export function matchesContainerQuery(q: ContainerQuery, rec: ContainerRecord, imageMatches: ImageMatcher): boolean {
  if (!matchesFilter(rec, q.filter, imageMatches)) return false;
  if (q.statusPrefixes.length > 0 && !q.statusPrefixes.some((p) => rec.state.status.startsWith(p))) return false;
  if (q.words.length > 0) {
    const hay = `${rec.name} ${rec.request.image} ${rec.id.slice(0, 12)}`.toLowerCase();
    if (!q.words.every((w) => hay.includes(w))) return false;
  }
  return true;
}

/** `ancestor=` as ps does it, over the image rows the UI already holds. */
export function imageMatcherFor(images: readonly ImageSummary[]): ImageMatcher {
  return (ancestor, rec) => {
    const bare = ancestor.replace(/^sha256:/, '');
    if (rec.imageId.slice(7).startsWith(bare) || rec.request.image === ancestor) return true;
    const withTag = ancestor.includes(':') ? ancestor : `${ancestor}:latest`;
    return images.some((i) => i.id === rec.imageId && (`${i.repository}:${i.tag}` === withTag || i.repository === ancestor));
  };
}

/** Images: every word must occur in `repository:tag` or the ID. */
export function matchesImageQuery(text: string, image: ImageSummary): boolean {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = `${image.repository}:${image.tag} ${image.id.slice(7, 19)}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

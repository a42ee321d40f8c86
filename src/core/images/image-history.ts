import type { ImageConfig } from './image-config.js';
import type { ImageRecord } from './image-record.js';

export interface HistoryRow {
  /** Image ID on the newest row, `<missing>` below it (layers pulled have no image of their own). */
  id: string;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
}

/** Newest first, each history entry matched to its layer's size (empty layers are 0). */
export function imageHistory(image: ImageRecord, config: ImageConfig, layerSizes: number[]): HistoryRow[] {
  const entries = config.history?.length ? config.history : image.layers.map(() => ({ created_by: '' }));
  let layer = 0;
  const rows = entries.map((h) => {
    const empty = 'empty_layer' in h && h.empty_layer === true;
    const size = empty ? 0 : (layerSizes[layer++] ?? 0);
    return { id: '<missing>', created: 'created' in h ? h.created : undefined, createdBy: h.created_by ?? '', size, comment: 'comment' in h ? (h.comment ?? '') : '' };
  });
  rows.reverse();
  if (rows[0]) rows[0].id = image.id;
  return rows;
}

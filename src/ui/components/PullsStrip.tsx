import { Box, Text } from 'ink';
import { humanSize, shortId } from '../../core/index.js';
import { pullBytes, type LayerProgress, type PullView } from '../state/pulls.js';
import { fit } from './columns.js';

/** `[=====>    ]` of `width` characters. */
export function bar(current: number, total: number, width: number): string {
  if (width < 3) return '';
  const inner = width - 2;
  const filled = total > 0 ? Math.min(inner, Math.floor((current / total) * inner)) : 0;
  return `[${filled >= inner ? '='.repeat(inner) : `${'='.repeat(filled)}>${' '.repeat(inner - filled - 1)}`}]`;
}

const PHASES: Record<LayerProgress['phase'], string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying',
  extracting: 'Extracting',
  complete: 'Pull complete',
};

/** One layer: its short digest, a bar and exact bytes, its phase. */
export function layerLine(l: LayerProgress, width: number): string {
  const id = shortId(l.digest);
  if (l.phase === 'exists') return fit(`  ${id} ${PHASES.exists}`, width);
  const bytes = `${humanSize(l.current, 4)}/${humanSize(l.total, 4)}`;
  const barWidth = Math.max(0, Math.min(32, width - id.length - bytes.length - 20));
  return fit(`  ${id} ${bar(l.current, l.total, barWidth)} ${bytes} ${PHASES[l.phase]}`, width);
}

export function pullTitle(p: PullView): string {
  const { current, total } = pullBytes(p);
  const done = p.layers.filter((l) => l.phase === 'complete' || l.phase === 'exists').length;
  switch (p.status) {
    case 'resolving':
      return `⇣ ${p.reference}: resolving…`;
    case 'pulling':
      return `⇣ ${p.reference}: ${done}/${p.layers.length} layers, ${humanSize(current, 4)}/${humanSize(total, 4)}`;
    case 'done':
      return `✓ ${p.reference}: ${p.upToDate ? 'image is up to date' : `pulled, ${humanSize(total, 4)} in ${p.layers.length} layers`}`;
    case 'failed':
      return `✗ ${p.reference}: ${p.error ?? 'failed'}`;
  }
}

export interface PullsStripProps {
  pulls: readonly PullView[];
  width: number;
  /** Rows it may take (see pullStripRows). */
  height: number;
}

/**
 * Pulls in the background, under the panes: a line per pull and one per layer with its bytes,
 * as far as the rows go (the pull's own line always shows).
 */
export function PullsStrip({ pulls, width, height }: PullsStripProps) {
  const lines: { key: string; text: string; color?: string }[] = [];
  let room = height - pulls.length;
  for (const p of pulls) {
    lines.push({ key: `p${p.id}`, text: fit(pullTitle(p), width), color: p.status === 'failed' ? 'red' : p.status === 'done' ? 'green' : 'cyan' });
    const layers = p.status === 'pulling' || p.status === 'done' ? p.layers : [];
    const shown = layers.slice(0, Math.max(0, room));
    room -= shown.length;
    for (const l of shown) lines.push({ key: `p${p.id}-${l.digest}`, text: layerLine(l, width) });
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height).map((l) => (
        <Text key={l.key} color={l.color} wrap="truncate">
          {l.text}
        </Text>
      ))}
    </Box>
  );
}

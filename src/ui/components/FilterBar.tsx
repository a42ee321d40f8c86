import { Text } from 'ink';
import { showField } from '../state/text-prompt.js';
import { fit } from './columns.js';

export interface FilterBarProps {
  filter: string;
  editing: boolean;
  /** Where the cursor is while editing (code points; default: at the end). */
  cursor?: number;
  errors: readonly string[];
  width: number;
}

/** The filter line under a list: the prompt while typing, the active filter after. */
export function FilterBar({ filter, editing, cursor, errors, width }: FilterBarProps) {
  const problems = errors.length > 0 ? `  not a filter: ${errors.join(' ')}` : '';
  if (editing) {
    return (
      <Text color={errors.length > 0 ? 'red' : 'cyan'} wrap="truncate">
        {fit(`/${showField(filter, cursor)}${problems}   enter: keep  esc: clear`, width)}
      </Text>
    );
  }
  return (
    <Text color="cyan" wrap="truncate">
      {fit(`filter: ${filter}${problems}   / edit  esc clear`, width)}
    </Text>
  );
}

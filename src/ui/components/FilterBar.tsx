import { Text } from 'ink';
import { fit } from './columns.js';

export interface FilterBarProps {
  filter: string;
  editing: boolean;
  errors: readonly string[];
  width: number;
}

/** The filter line under a list: the prompt while typing, the active filter after. */
export function FilterBar({ filter, editing, errors, width }: FilterBarProps) {
  const problems = errors.length > 0 ? `  not a filter: ${errors.join(' ')}` : '';
  if (editing) {
    return (
      <Text color={errors.length > 0 ? 'red' : 'cyan'} wrap="truncate">
        {fit(`/${filter}▏${problems}   enter: keep  esc: clear`, width)}
      </Text>
    );
  }
  return (
    <Text color="cyan" wrap="truncate">
      {fit(`filter: ${filter}${problems}   / edit  esc clear`, width)}
    </Text>
  );
}

import { Box, Text } from 'ink';
import { RUN_FIELDS, RUN_FIELD_HINTS, RUN_FIELD_LABELS, type RunForm } from '../state/run-form.js';
import { showField } from '../state/text-prompt.js';
import { fit } from './columns.js';

export interface RunFormDialogProps {
  form: RunForm;
  width: number;
  height: number;
}

const LABEL_WIDTH = 9;

/** `run -d` as a form: one line per field, its problem under it, the engine's answer at the bottom. */
export function RunFormDialog({ form, width, height }: RunFormDialogProps) {
  const valueWidth = Math.max(4, width - LABEL_WIDTH - 2);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{fit(`Run a container from ${form.image} (detached)`, width)}</Text>
      <Text> </Text>
      {RUN_FIELDS.map((field, i) => {
        const focused = i === form.focus;
        const value = form.values[field];
        const error = form.errors[field];
        return (
          <Box key={field} flexDirection="column">
            <Text wrap="truncate">
              <Text bold={focused} color={focused ? 'cyan' : undefined}>{`${focused ? '›' : ' '}${RUN_FIELD_LABELS[field].padEnd(LABEL_WIDTH)}`}</Text>
              {value === '' && !focused ? <Text dimColor>{fit(RUN_FIELD_HINTS[field], valueWidth)}</Text> : <Text inverse={focused}>{fit(focused ? showField(value, form.cursor) : value, valueWidth)}</Text>}
            </Text>
            {error ? <Text color="red" wrap="truncate">{fit(`${' '.repeat(LABEL_WIDTH + 1)}${error}`, width)}</Text> : null}
          </Box>
        );
      })}
      <Text> </Text>
      {form.submitting ? <Text color="yellow" wrap="truncate">{fit('creating and starting…', width)}</Text> : null}
      {form.errors.form ? <Text color="red" wrap="wrap">{form.errors.form}</Text> : null}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">{fit('tab/up/down field  enter run  esc cancel', width)}</Text>
    </Box>
  );
}

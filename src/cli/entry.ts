import { trace } from '../core/index.js';
import { main } from './main.js';

// Set the exit code rather than calling process.exit(): pending stdout writes still flush.
trace('entry');
main(process.argv.slice(2)).then((code) => {
  trace('done');
  process.exitCode = code;
});

import { main } from './main.js';

// Set the exit code rather than calling process.exit(): pending stdout writes still flush.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../server/logger.ts';
import { TEST_LOG_FILE_ENV } from './test-env.ts';

/**
 * A real logger (same redaction as production) that appends to the suite's log file, so a test at
 * the end of the run can prove no token or secret was ever logged. Quiet on the console.
 */
export function createTestLogger(): Logger {
  const file = process.env[TEST_LOG_FILE_ENV];
  return createLogger({
    level: 'debug',
    destination: { write: (line: string) => (file === undefined ? undefined : appendFileSync(file, line)) },
  });
}

/** The production logger writing into memory, so a test reads exactly what would have been logged. */
export function createCapturingLogger(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), text: () => lines.join('') };
}

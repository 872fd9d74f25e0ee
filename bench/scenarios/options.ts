/** What every scenario is given by the runner (bench/run.ts). */
export interface ScenarioOptions {
  /** Seconds, not minutes: proves the harness works (counts add up), says nothing about speed. */
  smoke: boolean;
  /** Where the child processes' logs go (git-ignored). */
  logDir: string;
}

import { ConfigError, type LoadOptions, loadConfig } from '../../src/config/index.ts';

/** The problems loadConfig reports for a configuration; none when it loads. */
export function problemsOf(options: LoadOptions): string[] {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

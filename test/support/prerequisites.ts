// Suites that need something this repository cannot install itself (a browser, a toolchain, a
// Debian package): on a laptop without it they skip, loudly; under CI=true its absence is a
// failure, never a skip.

/**
 * `problem` says what is missing and how to get it, or is undefined when nothing is. Returns
 * true when the suite must skip; throws under CI=true instead.
 */
export function mustSkip(suite: string, problem: string | undefined): boolean {
  if (problem === undefined) return false;
  if (process.env.CI === 'true') throw new Error(problem);
  console.warn(`\n*** SKIPPING ${suite.toUpperCase()}: ${problem} ***\n`);
  return true;
}

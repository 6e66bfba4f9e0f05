import type { Reporter, TestCase } from 'vitest/node';

/**
 * Lists every skipped test by name at the end of a run, so that the reason each one's name carries
 * (`[skipped: …]`) reaches the CI log, where the default reporter prints only a count.
 */
export default class SkippedReporter implements Reporter {
  private readonly skipped: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === 'skipped') {
      this.skipped.push(`${testCase.module.relativeModuleId} > ${testCase.fullName}`);
    }
  }

  onTestRunEnd(): void {
    if (this.skipped.length === 0) return;
    console.log(`\nSkipped (${this.skipped.length}):`);
    for (const name of this.skipped.sort()) console.log(`  ↓ ${name}`);
  }
}

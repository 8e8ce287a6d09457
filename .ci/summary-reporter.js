// After jest's own summary: the time and counts per workspace (jest project), then the plain closing
// line CI reads ("tests: N passed, N failed, N skipped"), which stays the last line, after the Node
// the tests ran on.
// A workspace's time is the sum of its test files' times; files of several workspaces run side by
// side (--maxWorkers), so the times add up to more than the run's wall-clock time, printed last.
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const byProject = new Map();
    for (const file of results.testResults) {
      const name = file.displayName?.name ?? '(no project)';
      const row = byProject.get(name) ?? { files: 0, passed: 0, failed: 0, skipped: 0, ms: 0 };
      row.files += 1;
      row.passed += file.numPassingTests;
      row.failed += file.numFailingTests + (file.testExecError ? 1 : 0);
      row.skipped += file.numPendingTests + file.numTodoTests;
      row.ms += Math.max(0, (file.perfStats?.end ?? 0) - (file.perfStats?.start ?? 0));
      byProject.set(name, row);
    }
    if (byProject.size > 0) {
      const width = Math.max(...[...byProject.keys()].map((n) => n.length));
      console.log('\ntime per workspace (sum of its test files):');
      for (const [name, r] of [...byProject].sort((a, b) => b[1].ms - a[1].ms)) {
        const counts = `${r.files} files, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
        console.log(`  ${name.padEnd(width)}  ${seconds(r.ms).padStart(8)}  ${counts}`);
      }
      console.log(`jest: ${seconds(Date.now() - results.startTime)} wall-clock`);
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    // The Node the tests ran on (the repo's, from npm), which the machine's may not be.
    console.log(`\nnode: ${process.version} (${process.execPath})`);
    console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
  }
}

// Prints the plain closing line CI reads ("N passed, N failed"), after jest's own summary, and the
// Node the tests ran on.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // The Node the tests ran on (the repo's, from npm), which the machine's may not be.
    console.log(`\nnode: ${process.version} (${process.execPath})`);
    console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
  }
}

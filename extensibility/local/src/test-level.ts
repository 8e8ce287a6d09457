// Unit tests run without a local cloud or Java (`npm run test:unit`, and every unit test file of
// `npm test`, set PRESSO_TEST_LEVEL=unit): a test that starts one is an integration test filed as a
// unit test, and fails here saying so rather than quietly slowing the unit run.
export function refuseInUnitTests(what: string): void {
  if (process.env.PRESSO_TEST_LEVEL !== 'unit') return;
  throw new Error(
    `${what} refused: this is a unit test (PRESSO_TEST_LEVEL=unit), and unit tests run without a local cloud, ` +
      'DynamoDB Local (Java) or a browser. A test that needs one is an integration test: see "Test levels" in the README.',
  );
}

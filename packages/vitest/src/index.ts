/**
 * `@ociman/vitest`: the vitest kit for code that runs containers with ociman.
 *
 * - `describeRuntimes(name, (it, runtime) => …)`: one block per runtime (Docker, Podman), with the
 *   required-backends policy (`OCIMAN_TEST_BACKENDS`);
 * - `globalSetup({ services })` and `sharedService(name, schema, start)`: services started once per
 *   vitest run, shared by every test file, released at teardown (a global setup file imports them
 *   from `@ociman/vitest/services`, which does not load vitest);
 * - reuse across runs is `Container.start(definition, { reuse: true })` in `ociman` itself.
 *
 * @since 0.1.0
 * @module @ociman/vitest
 */

export {
  /** @since 0.1.0 */
  describeRuntimes,
  /** @since 0.1.0 */
  type DescribeOptions,
  /** @since 0.1.0 */
  type Runtime,
  /** @since 0.1.0 */
  type Services
} from "./Runtimes.js"

export * from "./services.js"

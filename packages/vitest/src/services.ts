/**
 * `@ociman/vitest/services`: what a vitest global setup file imports (`globalSetup`,
 * `sharedService`). It never loads vitest, which cannot be imported where the global setup runs;
 * `@ociman/vitest` re-exports all of it for the test files.
 *
 * @since 0.1.0
 * @module @ociman/vitest/services
 */

export {
  /** @since 0.1.0 */
  type Plan,
  /** @since 0.1.0 */
  PlanSchema,
  /** @since 0.1.0 */
  planRuntimes
} from "./Plans.js"

export {
  /** @since 0.1.0 */
  globalSetup,
  /** @since 0.1.0 */
  type GlobalSetupOptions,
  /** @since 0.1.0 */
  type SharedService,
  /** @since 0.1.0 */
  sharedService,
  /** @since 0.1.0 */
  SharedServiceUnavailable,
  /** @since 0.1.0 */
  type Startable
} from "./SharedService.js"

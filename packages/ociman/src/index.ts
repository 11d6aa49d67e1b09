/**
 * ociman: one typed Effect API over the Docker and Podman CLIs.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as CliError from "./CliError.js"

/** @since 0.1.0 */
export * as ContainerRuntime from "./ContainerRuntime.js"

/** @since 0.1.0 */
export * as RuntimeError from "./RuntimeError.js"

/** @since 0.1.0 */
export * as Version from "./Version.js"

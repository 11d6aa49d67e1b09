/**
 * ociman: one typed Effect API over the Docker and Podman CLIs.
 *
 * @since 0.1.0
 * @module ociman
 */

/** @since 0.1.0 */
export * as CliError from "./CliError.js"

/** @since 0.1.0 */
export * as ContainerRuntime from "./ContainerRuntime.js"

/** @since 0.1.0 */
export * as RuntimeError from "./RuntimeError.js"

/** @since 0.1.0 */
export * as Version from "./Version.js"

/** @since 0.1.0 */
export * as BuildArg from "./BuildArg.js"

/** @since 0.1.0 */
export * as ContainerName from "./ContainerName.js"

/** @since 0.1.0 */
export * as EnvVar from "./EnvVar.js"

/** @since 0.1.0 */
export * as ImageReference from "./ImageReference.js"

/** @since 0.1.0 */
export * as Label from "./Label.js"

/** @since 0.1.0 */
export * as Mount from "./Mount.js"

/** @since 0.1.0 */
export * as Port from "./Port.js"

/** @since 0.1.0 */
export * as Container from "./Container.js"

/** @since 0.1.0 */
export * as ContainerDefinition from "./ContainerDefinition.js"

/** @since 0.1.0 */
export * as ContainerError from "./ContainerError.js"

/** @since 0.1.0 */
export * as ContainerInspect from "./ContainerInspect.js"

/** @since 0.1.0 */
export * as ContentHash from "./ContentHash.js"

/** @since 0.1.0 */
export * as Image from "./Image.js"

/** @since 0.1.0 */
export * as BuildDefinition from "./BuildDefinition.js"

/** @since 0.1.0 */
export * as ImageError from "./ImageError.js"

/** @since 0.1.0 */
export * as Network from "./Network.js"

/** @since 0.1.0 */
export * as NetworkError from "./NetworkError.js"

/** @since 0.1.0 */
export * as Volume from "./Volume.js"

/** @since 0.1.0 */
export * as VolumeError from "./VolumeError.js"

/** @since 0.1.0 */
export * as Wait from "./Wait.js"

/** @since 0.1.0 */
export * as WaitError from "./WaitError.js"

/** @since 0.1.0 */
export * as TestRuntime from "./TestRuntime.js"

/** @since 0.1.0 */
export * as Testing from "./Testing.js"

/** @since 0.1.0 */
export * as Sweeper from "./Sweeper.js"

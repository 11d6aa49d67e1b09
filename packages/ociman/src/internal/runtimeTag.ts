/**
 * The `ContainerRuntime` service tag, apart from the layers in `ContainerRuntime.ts`, which import
 * the wings. The modules that only read the service (`Image`, `Container`, `Network`, `Volume`,
 * `Sweeper`, the waits) take the tag from here: code split by file, as the `ociman` command's
 * bundle is, then loads no wing with them (`ociman hash` reaches `Image` without the runtime).
 * Public only as `ContainerRuntime.ContainerRuntime`.
 */
import { Context } from "effect"
import type { Service } from "../ContainerRuntime.js"

/**
 * The service tag.
 * @since 0.1.0
 * @category tags
 */
export class ContainerRuntime extends Context.Tag("ociman/ContainerRuntime")<ContainerRuntime, Service>() {}

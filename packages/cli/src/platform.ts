/**
 * The Node platform the actions run on, only the parts they use (no HTTP client, no workers). The
 * runtime layer built on it is in `runtimeLayer.ts`.
 */
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Layer } from "effect"

/** Files and paths: what hashing a build context needs. */
export const filesLayer = Layer.merge(NodeFileSystem.layer, NodePath.layer)

/** Files, paths and processes: what resolving and driving a runtime needs. */
export const platformLayer = Layer.provideMerge(NodeCommandExecutor.layer, filesLayer)

/** The dialect of a runtime kind: the one place that maps a kind to its differences. */
import type { Kind } from "../kind.js"
import type { Dialect } from "./Dialect.js"
import { docker } from "./docker.js"
import { podman } from "./podman.js"

export type { Dialect } from "./Dialect.js"

const DIALECTS: Readonly<Record<Kind, Dialect>> = { docker, podman }

export const dialectOf = (kind: Kind): Dialect => DIALECTS[kind]

/**
 * The facts only the in-memory runtime needs about each runtime (how Docker 20.10 and Podman 4.3
 * store names, print ids and inspect output, which networks they bring, what counts as in use),
 * one record per runtime. The in-memory wing reads these fields instead of branching on the kind;
 * the texts it prints are in `messages.ts`.
 */
import type { Kind } from "../kind.js"

/** A network the runtime has from the start (`subnet` `undefined`: `host`, `none`). */
export interface BuiltinNetwork {
  readonly name: string
  readonly subnet: string | undefined
  readonly gateway: string
}

export interface MemoryDialect {
  /** Where a short image name (no registry) is stored: Podman under `localhost/`, Docker on Docker Hub. */
  readonly shortNamePrefix: string | undefined
  /** Whether image names are printed in their familiar form (`busybox:1`, not `docker.io/library/busybox:1`). */
  readonly familiarNames: boolean
  /** What an image id is printed with (`sha256:` or nothing). */
  readonly imageIdPrefix: string
  /** The runtime's own networks, which cannot be removed; the first is the default bridge. */
  readonly builtinNetworks: ReadonlyArray<BuiltinNetwork>
  /** The subnet and gateway of the `n`th network created (from 0). */
  readonly userNetwork: (n: number) => { readonly subnet: string; readonly gateway: string }
  /** Whether a stopped container keeps its network in use (Podman), or only running ones do (Docker). */
  readonly stoppedContainersUseNetworks: boolean
  /** The addresses a port published without one is bound on (each with its own host port). */
  readonly anyAddress: ReadonlyArray<string>
  /** Whether an image removed by force takes its containers with it (Podman), or leaves them (Docker). */
  readonly forcedImageRemovalRemovesContainers: boolean
  /** Labels the builder adds to every image it builds (buildah's version). */
  readonly buildLabels: ReadonlyArray<readonly [string, string]>
  /** `container inspect` */
  readonly inspect: {
    /** `Name` with a leading `/`. */
    readonly slashedName: boolean
    /** A `Health` object even without a health check (empty). */
    readonly alwaysHealth: boolean
    /** `Aliases` on a builtin network: `null`, or the short id. */
    readonly builtinAliasesNull: boolean
    /** Whether a stopped container still reports its port bindings. */
    readonly portsAfterStop: boolean
    /** Whether `host` and `none` appear under `Networks`. */
    readonly addresslessNetworks: boolean
    /** `State.Running` of a paused container: `true` on Docker, `false` on Podman. */
    readonly pausedRunning: boolean
  }
}

/** The label Podman's builder (buildah) adds to every image it builds. */
export const BUILDAH_LABEL = "io.buildah.version"
export const BUILDAH_VERSION = "1.28.2"

const docker: MemoryDialect = {
  shortNamePrefix: undefined,
  familiarNames: true,
  imageIdPrefix: "sha256:",
  builtinNetworks: [
    { name: "bridge", subnet: "172.17.0.0/16", gateway: "172.17.0.1" },
    { name: "host", subnet: undefined, gateway: "" },
    { name: "none", subnet: undefined, gateway: "" }
  ],
  userNetwork: (n) => ({ subnet: `172.${18 + n}.0.0/16`, gateway: `172.${18 + n}.0.1` }),
  stoppedContainersUseNetworks: false,
  anyAddress: ["0.0.0.0", "::"],
  forcedImageRemovalRemovesContainers: false,
  buildLabels: [],
  inspect: {
    slashedName: true,
    alwaysHealth: false,
    builtinAliasesNull: true,
    portsAfterStop: false,
    addresslessNetworks: true,
    pausedRunning: true
  }
}

const podman: MemoryDialect = {
  shortNamePrefix: "localhost/",
  familiarNames: false,
  imageIdPrefix: "",
  builtinNetworks: [{ name: "podman", subnet: "10.88.0.0/16", gateway: "10.88.0.1" }],
  userNetwork: (n) => ({ subnet: `10.89.${n}.0/24`, gateway: `10.89.${n}.1` }),
  stoppedContainersUseNetworks: true,
  anyAddress: [""],
  forcedImageRemovalRemovesContainers: true,
  buildLabels: [[BUILDAH_LABEL, BUILDAH_VERSION]],
  inspect: {
    slashedName: false,
    alwaysHealth: true,
    builtinAliasesNull: false,
    portsAfterStop: true,
    addresslessNetworks: false,
    pausedRunning: false
  }
}

const MEMORY_DIALECTS: Readonly<Record<Kind, MemoryDialect>> = { docker, podman }

/** The in-memory facts of a runtime kind. */
export const memoryDialectOf = (kind: Kind): MemoryDialect => MEMORY_DIALECTS[kind]

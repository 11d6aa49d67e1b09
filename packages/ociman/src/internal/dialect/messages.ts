/**
 * What the in-memory runtime prints where a real runtime prints it: the error messages (and the
 * exit codes that go with them) of Docker 20.10 and Podman 4.3, one record per runtime. The
 * in-memory wing reads these fields and never words a runtime's message itself, so its failures
 * are classified into the same typed errors as the real ones.
 */
import type { Kind } from "../kind.js"

/** A failed command as the CLI ends it: what it prints on stderr, and its exit code. */
export interface Failure {
  readonly stderr: string
  readonly exitCode: number
}

/** What a Dockerfile instruction needs as arguments (checked only when it has none). */
export type Arity = "atLeastOne" | "exactlyOne" | "sourceAndDestination" | "oneOrThree"

/**
 * How a builder rejects an instruction without arguments, and when: `parse` before any step
 * (nothing of the build printed), `resolve` when the step is reached (before its header), `step`
 * once its header is printed.
 */
export interface MissingArgument extends Failure {
  readonly at: "parse" | "resolve" | "step"
}

export interface MemoryMessages {
  // containers
  readonly nameInUse: (name: string, holderId: string) => string
  readonly runNetworkNotFound: (network: string) => string
  /** A fixed host port another container holds (`hostIp` `""`: every address). */
  readonly portAllocated: (hostIp: string, hostPort: number) => string
  /** A run under the `never` pull policy, of an image that is not stored. */
  readonly runImageNotKnown: (image: string) => string
  /** A run whose image is neither stored nor pullable (`normalized`: the fully qualified name). */
  readonly runPullDenied: (image: string, normalized: string) => string
  /** An exec in a stopped container: a result with this output, not a missing container. */
  readonly execNotRunning: (containerId: string) => Failure
  readonly removeRunning: (containerId: string) => Failure
  readonly commitInvalidReference: (reference: string, detail: string) => Failure
  // lifecycle (issue #17): what a refused restart, pause, unpause, kill or exec prints
  readonly execPaused: (containerId: string) => string
  /** A pause of a container already paused, or not running (`state`: `exited`). */
  readonly pauseRefused: (containerId: string, state: "paused" | "exited") => string
  readonly unpauseNotPaused: (containerId: string) => string
  readonly killNotRunning: (containerId: string) => string
  /** A restart of a paused container: refused with this (Podman), or `undefined`: restarted (Docker). */
  readonly restartPaused: ((containerId: string) => string) | undefined
  // networks
  readonly networkNameInUse: (name: string) => string
  readonly networkPredefined: (name: string) => Failure
  readonly networkInUse: (name: string, id: string) => string
  /** A `network connect` of a running container to a network it is on already. */
  readonly networkAlreadyConnected: (containerId: string, containerName: string, network: string) => Failure
  /** A `network disconnect` of a container that is not on the network. */
  readonly networkNotConnected: (containerId: string, network: string) => Failure
  readonly volumeNameInUse: (name: string) => string
  readonly volumeInUse: (name: string, containerIds: ReadonlyArray<string>) => string
  // images
  /** `image rm` and `image inspect` of an image that is not stored. */
  readonly imageNotFound: (image: string) => string
  readonly tagSourceNotFound: (image: string) => string
  readonly imageInUse: (image: string, containerId: string, imageId: string) => string
  readonly pullNotFound: (reference: string, normalized: string) => Failure
  /** What a successful pull prints, line by line (both streams, in order), for the progress events. */
  readonly pullOutput: (reference: string, normalized: string, id: string) => ReadonlyArray<string>
  readonly pushNotFound: (reference: string) => Failure
  // builds
  /** A Dockerfile with nothing in it at all. */
  readonly emptyDockerfile: Failure
  /** A Dockerfile with only comments and blank lines. */
  readonly noInstructions: Failure
  readonly unknownInstruction: (line: number, keyword: string, text: string) => Failure
  readonly noBuildStage: Failure
  readonly targetNotFound: (target: string) => Failure
  readonly invalidFrom: (detail: string) => Failure
  readonly fromPullDenied: (from: string) => Failure
  /** An instruction (`keyword`, as written: `text`) given no argument. */
  readonly missingArgument: (keyword: string, arity: Arity, line: number, text: string) => MissingArgument
  /** A `RUN` step that exited `code` (`text`: the instruction as written). */
  readonly runFailed: (command: ReadonlyArray<string>, text: string, code: number) => Failure
  readonly stepHeader: (step: number, total: number, text: string) => string
  /** What the builder prints when a `RUN` step starts, and when a step is committed. */
  readonly runStarted: (containerId: string) => ReadonlyArray<string>
  readonly stepCommitted: (imageId: string) => ReadonlyArray<string>
  /** The last lines of a build (`shown`: the tag as the runtime prints it). */
  readonly built: (imageId: string, shown: string) => ReadonlyArray<string>
}

const short = (id: string): string => id.slice(0, 12)

const address = (hostIp: string): string => (hostIp === "" ? "0.0.0.0" : hostIp)

const docker: MemoryMessages = {
  execPaused: (id) => `Error response from daemon: Container ${id} is paused, unpause the container before exec`,
  pauseRefused: (id, state) =>
    state === "paused"
      ? `Error response from daemon: Container ${id} is already paused`
      : `Error response from daemon: Container ${id} is not running`,
  unpauseNotPaused: (id) => `Error response from daemon: Container ${id} is not paused`,
  killNotRunning: (id) => `Error response from daemon: Cannot kill container: ${id}: Container ${id} is not running`,
  restartPaused: undefined,
  nameInUse: (name, holderId) =>
    `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`,
  runNetworkNotFound: (network) => `docker: Error response from daemon: network ${network} not found.`,
  portAllocated: (hostIp, hostPort) =>
    `Error response from daemon: driver failed programming external connectivity: Bind for ${address(hostIp)}:${hostPort} failed: port is already allocated`,
  runImageNotKnown: (image) => `docker: Error response from daemon: No such image: ${image}.`,
  runPullDenied: (image) =>
    `Unable to find image '${image}' locally\ndocker: Error response from daemon: pull access denied for ${image}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied.`,
  execNotRunning: (containerId) => ({
    stderr: `Error response from daemon: Container ${containerId} is not running`,
    exitCode: 1
  }),
  removeRunning: (containerId) => ({
    stderr: `Error response from daemon: You cannot remove a running container ${containerId}. Stop the container before attempting removal or force remove\n`,
    exitCode: 1
  }),
  commitInvalidReference: (reference) => ({
    stderr: `Error parsing reference: "${reference}" is not a valid repository/tag: invalid reference format\n`,
    exitCode: 1
  }),
  networkNameInUse: (name) => `Error response from daemon: network with name ${name} already exists`,
  networkPredefined: (name) => ({
    stderr: `Error response from daemon: ${name} is a pre-defined network and cannot be removed\n`,
    exitCode: 1
  }),
  networkInUse: (name, id) =>
    `Error response from daemon: error while removing network: network ${name} id ${id} has active endpoints`,
  networkNotConnected: (containerId, network) => ({
    stderr: `Error response from daemon: container ${containerId} is not connected to the network ${network}\n`,
    exitCode: 1
  }),
  networkAlreadyConnected: (_containerId, containerName, network) => ({
    stderr: `Error response from daemon: endpoint with name ${containerName} already exists in network ${network}\n`,
    exitCode: 1
  }),
  // Docker's own create says yes to an existing name: the CLI wing's lookup says this
  volumeNameInUse: (name) => `volume ${name} exists`,
  volumeInUse: (name, ids) => `Error response from daemon: remove ${name}: volume is in use - [${ids.join(", ")}]`,
  imageNotFound: (image) => `Error: No such image: ${image}`,
  tagSourceNotFound: (image) => `Error response from daemon: No such image: ${image}`,
  imageInUse: (image, containerId, imageId) =>
    `Error response from daemon: conflict: unable to remove repository reference "${image}" (must force) - container ${short(containerId)} is using its referenced image ${short(imageId)}`,
  pullNotFound: (reference) => ({
    stderr: `Error response from daemon: manifest for ${reference} not found: manifest unknown: manifest unknown`,
    exitCode: 1
  }),
  pullOutput: (reference, _normalized, id) => [
    `${reference.split(":").at(-1) ?? "latest"}: Pulling from ${reference}`,
    `${id.slice(0, 12)}: Pull complete`,
    `Digest: sha256:${id}`,
    `Status: Downloaded newer image for ${reference}`,
    reference
  ],
  pushNotFound: (reference) => ({
    stderr: `An image does not exist locally with the tag: ${reference}`,
    exitCode: 1
  }),
  // The classic builder names the file sent on stdin `Dockerfile`.
  emptyDockerfile: { stderr: "Error response from daemon: the Dockerfile (Dockerfile) cannot be empty", exitCode: 1 },
  noInstructions: {
    stderr: "Error response from daemon: failed to parse Dockerfile: file with no instructions",
    exitCode: 1
  },
  unknownInstruction: (line, keyword) => ({
    stderr: `Error response from daemon: dockerfile parse error line ${line}: unknown instruction: ${keyword}`,
    exitCode: 1
  }),
  noBuildStage: { stderr: "Error response from daemon: No build stage in current context", exitCode: 1 },
  targetNotFound: (target) => ({ stderr: `failed to reach build target ${target} in Dockerfile`, exitCode: 1 }),
  invalidFrom: (detail) => ({ stderr: `invalid reference format: ${detail}`, exitCode: 1 }),
  fromPullDenied: (from) => ({
    stderr: `pull access denied for ${from}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    exitCode: 1
  }),
  missingArgument: (keyword, arity, line) => {
    const requirement = {
      atLeastOne: "requires at least one argument",
      exactlyOne: "requires exactly one argument",
      sourceAndDestination:
        "requires at least two arguments, but only one was provided. Destination could not be determined",
      oneOrThree: "requires either one or three arguments"
    }[arity]
    return {
      stderr: `Error response from daemon: dockerfile parse error line ${line}: ${keyword} ${requirement}`,
      exitCode: 1,
      at: "parse"
    }
  },
  runFailed: (command, _text, code) => ({
    stderr: `The command '${command.join(" ")}' returned a non-zero code: ${code}`,
    exitCode: code
  }),
  stepHeader: (step, total, text) => `Step ${step}/${total} : ${text}`,
  runStarted: (containerId) => [` ---> Running in ${short(containerId)}`],
  stepCommitted: (imageId) => [` ---> ${short(imageId)}`],
  built: (imageId, shown) => [`Successfully built ${short(imageId)}`, `Successfully tagged ${shown}`]
}

/** Buildah names a step by its keyword and arguments, with a space even when there are none. */
const podmanStep = (text: string): string => (/\s/.test(text) ? text : `${text} `)

const podman: MemoryMessages = {
  execPaused: () => "Error: can only create exec sessions on running containers: container state improper",
  pauseRefused: (id, state) =>
    state === "paused"
      ? `Error: "${id}" is already paused: container state improper`
      : `Error: "exited" is not running, can't pause: container state improper`,
  unpauseNotPaused: (id) => `Error: "${id}" is not paused, can't unpause: container state improper`,
  killNotRunning: (id) => `Error: can only kill running containers. ${id} is in state exited: container state improper`,
  restartPaused: () => "Error: unable to restart a container in a paused or unknown state: container state improper",
  nameInUse: (name, holderId) =>
    `Error: creating container storage: the container name "${name}" is already in use by ${holderId}. You have to remove that container to be able to reuse that name: that name is already in use`,
  runNetworkNotFound: (network) => `Error: unable to find network with name or ID ${network}: network not found`,
  portAllocated: (hostIp, hostPort) =>
    `Error: rootlessport listen tcp ${address(hostIp)}:${hostPort}: bind: address already in use`,
  runImageNotKnown: (image) => `Error: ${image}: image not known`,
  runPullDenied: (_image, normalized) =>
    `Error: initializing source docker://${normalized}: reading manifest: manifest unknown`,
  execNotRunning: () => ({
    stderr: "Error: can only create exec sessions on running containers: container state improper",
    exitCode: 255
  }),
  removeRunning: (containerId) => ({
    stderr: `Error: cannot remove container ${containerId} as it is running - running or paused containers cannot be removed without force: container state improper\n`,
    exitCode: 2
  }),
  commitInvalidReference: (reference, detail) => ({
    stderr: `Error: invalid image name "${reference}": ${detail}\n`,
    exitCode: 125
  }),
  networkNameInUse: (name) => `Error: network name ${name} already used: network already exists`,
  networkPredefined: (name) => ({ stderr: `Error: default network ${name} cannot be removed\n`, exitCode: 125 }),
  networkInUse: (name) =>
    `Error: "${name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`,
  networkNotConnected: (containerId, network) => ({
    stderr: `Error: container ${containerId} is not connected to network ${network}\n`,
    exitCode: 125
  }),
  networkAlreadyConnected: (containerId, _containerName, network) => ({
    stderr: `Error: container ${containerId} is already connected to network "${network}": network is already connected\n`,
    exitCode: 125
  }),
  volumeNameInUse: (name) => `Error: volume with name ${name} already exists: volume already exists`,
  volumeInUse: (name, ids) =>
    `Error: volume ${name} is being used by the following container(s): ${ids.join(", ")}: volume is being used`,
  imageNotFound: (image) => `Error: ${image}: image not known`,
  tagSourceNotFound: (image) => `Error: ${image}: image not known`,
  imageInUse: (_image, containerId) =>
    `Error: image used by ${containerId}: image is in use by a container: consider listing external containers and force-removing image`,
  pullNotFound: (_reference, normalized) => ({
    stderr: `Error: initializing source docker://${normalized}: reading manifest: manifest unknown`,
    exitCode: 125
  }),
  pullOutput: (_reference, normalized, id) => [
    `Trying to pull ${normalized}...`,
    "Getting image source signatures",
    `Copying blob sha256:${id} done`,
    `Copying config sha256:${id} done`,
    "Writing manifest to image destination",
    id
  ],
  pushNotFound: (reference) => ({ stderr: `Error: ${reference}: image not known`, exitCode: 125 }),
  // `podman build -` writes stdin to a temporary Dockerfile, and writes none when stdin is empty.
  emptyDockerfile: {
    stderr: "Error: stat /var/tmp/buildah0/Dockerfile: no such file or directory",
    exitCode: 125
  },
  noInstructions: { stderr: "Error: building: no stages to build", exitCode: 125 },
  unknownInstruction: (_line, keyword, text) => ({
    stderr: `Error: building at STEP "${text}": unknown instruction: "${keyword}"`,
    exitCode: 125
  }),
  noBuildStage: { stderr: "Error: no FROM statement found", exitCode: 125 },
  targetNotFound: (target) => ({
    stderr: `Error: the target "${target}" was not found in the provided Dockerfile`,
    exitCode: 125
  }),
  invalidFrom: (detail) => ({ stderr: `invalid reference format: ${detail}`, exitCode: 125 }),
  fromPullDenied: (from) => ({
    stderr: `Error: creating build container: initializing source docker://${from}: reading manifest: manifest unknown`,
    exitCode: 125
  }),
  missingArgument: (keyword, arity, line, text) => {
    switch (arity) {
      case "oneOrThree":
        return {
          stderr: "Error: FROM requires either one argument, or three: FROM <source> [as <name>]",
          exitCode: 125,
          at: "parse"
        }
      case "exactlyOne":
        return {
          stderr: `Error: building at STEP "${podmanStep(text)}": ${keyword} requires exactly one argument`,
          exitCode: 125,
          at: "step"
        }
      case "atLeastOne":
      case "sourceAndDestination":
        // Buildah 1.28 crashes on an empty ARG, and resolves ONBUILD before the step starts.
        return keyword === "ARG"
          ? {
              stderr: "panic: runtime error: invalid memory address or nil pointer dereference",
              exitCode: 2,
              at: "parse"
            }
          : keyword === "ONBUILD"
            ? {
                stderr: `Error: resolving step {Value:onbuild Next:<nil> Children:[] Attributes:map[] Original:${text} Flags:[] StartLine:${line} EndLine:${line}}: ONBUILD requires at least one argument`,
                exitCode: 125,
                at: "resolve"
              }
            : {
                stderr: `Error: building at STEP "${podmanStep(text)}": ${keyword} requires at least one argument`,
                exitCode: 125,
                at: "step"
              }
    }
  },
  runFailed: (_command, text, code) => ({
    stderr: `Error: building at STEP "${podmanStep(text)}": while running runtime: exit status ${code}`,
    exitCode: code
  }),
  stepHeader: (step, total, text) => `STEP ${step}/${total}: ${text}`,
  runStarted: () => [],
  stepCommitted: () => [],
  built: (imageId, shown) => [`COMMIT ${shown}`, `--> ${short(imageId)}`, `Successfully tagged ${shown}`, imageId]
}

const MESSAGES: Readonly<Record<Kind, MemoryMessages>> = { docker, podman }

/** The messages of a runtime kind, as the in-memory runtime prints them. */
export const messagesOf = (kind: Kind): MemoryMessages => MESSAGES[kind]

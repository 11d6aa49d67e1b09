/**
 * Image names in the in-memory runtime, as each runtime stores and prints them: Docker normalizes
 * (`busybox` is `docker.io/library/busybox:latest`), Podman stores a short name under `localhost/`
 * (see `memoryDialectOf(kind)`).
 */
import { Either } from "effect"
import * as ImageReference from "../../ImageReference.js"
import { memoryDialectOf } from "../dialect/memory.js"
import type { Kind } from "../kind.js"
import type { ImageRecord, State } from "./state.js"

type Ref = ImageReference.ImageReference

/** `ref` with the `latest` tag when it has neither tag nor digest. */
export const withDefaultTag = (ref: Ref): Ref =>
  ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: "latest" } : ref

const tagOnly = (ref: Ref): Ref => ({ ...withDefaultTag(ref), digest: undefined })

/**
 * The name an image is stored under when tagged `ref`: Docker normalizes (`busybox` is
 * `docker.io/library/busybox:latest`); Podman puts a name without registry under `localhost/`.
 */
export const storedName = (kind: Kind, ref: Ref): string => {
  const tagged = tagOnly(ref)
  const prefix = memoryDialectOf(kind).shortNamePrefix
  return prefix !== undefined && tagged.domain === undefined
    ? `${prefix}${ImageReference.format(tagged)}`
    : ImageReference.normalize(tagged)
}

/** The stored names `ref` may mean: Podman looks a short name up under `localhost/`, then Docker Hub. */
export const candidates = (kind: Kind, ref: Ref): ReadonlyArray<string> => {
  const tagged = tagOnly(ref)
  const prefix = memoryDialectOf(kind).shortNamePrefix
  return prefix !== undefined && tagged.domain === undefined
    ? [`${prefix}${ImageReference.format(tagged)}`, ImageReference.normalize(tagged)]
    : [ImageReference.normalize(tagged)]
}

/** A stored name without its tag. */
export const nameOf = (stored: string): string => stored.replace(/:[^:/]+$/, "")

/** `name@digest` keys for a reference with a digest. */
const digestCandidates = (kind: Kind, ref: Ref): ReadonlyArray<string> =>
  ref.digest === undefined ? [] : candidates(kind, ref).map((stored) => `${nameOf(stored)}@${ref.digest}`)

/** The image id `ref` names, if it is stored (by digest when it has one). */
export const lookupImage = (kind: Kind, state: State, ref: Ref): string | undefined => {
  if (ref.digest !== undefined) {
    for (const key of digestCandidates(kind, ref)) {
      const id = state.digests.get(key)
      if (id !== undefined) return id
    }
    return undefined
  }
  for (const key of candidates(kind, ref)) {
    const id = state.tags.get(key)
    if (id !== undefined) return id
  }
  return undefined
}

/** The image the simulated registry has under `ref` (by digest when it has one), if any. */
export const lookupRegistry = (kind: Kind, state: State, ref: Ref): ImageRecord | undefined => {
  const keys = ref.digest === undefined ? candidates(kind, ref) : digestCandidates(kind, ref)
  for (const key of keys) {
    const image = state.registry.get(key)
    if (image !== undefined) return image
  }
  return undefined
}

/** Registry keys for a seeded image: its stored name, and `name@digest` when it has a digest. */
export const registryKeys = (kind: Kind, ref: Ref): ReadonlyArray<string> =>
  ref.digest === undefined
    ? [storedName(kind, ref)]
    : ref.tag === undefined
      ? digestCandidates(kind, ref).slice(0, 1)
      : [storedName(kind, ref), ...digestCandidates(kind, ref).slice(0, 1)]

/** How the runtime prints a stored name (`RepoTags`, `image list`): Docker in its familiar form. */
export const displayName = (kind: Kind, stored: string): string =>
  memoryDialectOf(kind).familiarNames
    ? Either.match(ImageReference.parse(stored), { onLeft: () => stored, onRight: ImageReference.familiar })
    : stored

/** The image ID as the runtime prints it: Docker with `sha256:`, Podman without. */
export const printedImageId = (kind: Kind, id: string): string => `${memoryDialectOf(kind).imageIdPrefix}${id}`

/** Stored names of an image, sorted. */
export const namesOf = (state: State, imageId: string): ReadonlyArray<string> =>
  Array.from(state.tags)
    .filter(([, id]) => id === imageId)
    .map(([name]) => name)
    .sort()

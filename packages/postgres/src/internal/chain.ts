/**
 * The seed chain's content-addressed keys and cache references. A seed's key hashes the previous
 * key (the first one: the image's id and the options that shape the data directory) with the
 * seed's kind and content, so a changed seed changes its own key and every key after it.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { createHash } from "node:crypto" // not in @effect/platform; Node, Bun and Deno all provide it
import { ImageReference } from "ociman"
import { CacheFailed, SeedFileUnreadable } from "../PostgresError.js"
import type { Seed } from "../Seed.js"
import { DATA_DIRECTORY, type Resolved } from "./options.js"

/** Bump when what a cache image holds changes shape: older images then miss. */
const FORMAT = "ociman-postgres cache v1"

/** A seed with what it runs (files read) and its key. */
export interface Link {
  readonly seed: Seed
  readonly index: number
  /** SQL or script text (files read); undefined for a custom seed. */
  readonly text: string | undefined
  readonly key: string
}

const hash = (parts: ReadonlyArray<string | Uint8Array>): string => {
  const digest = createHash("sha256")
  for (const part of parts) {
    digest.update(String(typeof part === "string" ? Buffer.byteLength(part) : part.byteLength))
    digest.update(":")
    digest.update(part)
  }
  return digest.digest("hex")
}

/** The key everything starts from: the image itself and what initdb is given. */
export const baseKey = (options: Resolved, imageId: string): string =>
  hash([FORMAT, imageId, options.username, options.database, DATA_DIRECTORY, ...options.initdbArgs])

const read = (seed: Seed, path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFile(path)).pipe(
    Effect.mapError((error) => new SeedFileUnreadable({ seed: seed.name, path, detail: error.message }))
  )

/** What the seed runs and the bytes its key hashes. */
const content = (
  seed: Seed
): Effect.Effect<
  { readonly text: string | undefined; readonly bytes: string | Uint8Array },
  SeedFileUnreadable,
  FileSystem.FileSystem
> => {
  switch (seed._tag) {
    case "Sql":
    case "Script":
      return Effect.succeed({ text: seed.text, bytes: seed.text })
    case "SqlFile":
    case "ScriptFile":
      return Effect.map(read(seed, seed.path), (bytes) => ({ text: new TextDecoder().decode(bytes), bytes }))
    case "Custom":
      return Effect.succeed({ text: undefined, bytes: seed.key })
  }
}

/** Reads the seeds' files and chains their keys from `base`. */
export const links = (
  seeds: ReadonlyArray<Seed>,
  base: string
): Effect.Effect<ReadonlyArray<Link>, SeedFileUnreadable, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const chain: Array<Link> = []
    let previous = base
    for (const [index, seed] of seeds.entries()) {
      const { bytes, text } = yield* content(seed)
      // SQL and SQL files with the same bytes are the same seed; so are scripts and script files
      const kind = seed._tag === "SqlFile" ? "Sql" : seed._tag === "ScriptFile" ? "Script" : seed._tag
      previous = hash([previous, kind, bytes])
      chain.push({ seed, index, text, key: previous })
    }
    return chain
  })

/** `localhost/ociman-postgres/<name>`: the repository of one cache. */
export const repository = (name: string) =>
  Either.mapLeft(
    ImageReference.parse(`localhost/ociman-postgres/${name}`),
    (error) => new CacheFailed({ operation: `name the cache ${name}`, detail: error.message })
  )

/** `localhost/ociman-postgres/<name>:<key>`. */
export const reference = (name: string, key: string) =>
  Either.mapLeft(
    ImageReference.parse(`localhost/ociman-postgres/${name}:${key}`),
    (error) => new CacheFailed({ operation: `name the cache image of ${key}`, detail: error.message })
  )

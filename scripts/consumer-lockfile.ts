/**
 * The lockfile of a fresh project that installs the packed workspace packages, so `npm ci
 * --offline` can install it from the npm cache alone.
 *
 * Why a lockfile: resolving a range (`effect@^3.22.4`) needs the package's registry document,
 * which `npm ci` never fetches (it installs what the lockfile names), so a plain `npm install`
 * cannot work offline from the cache `npm ci` filled. With a lockfile that names every package's
 * exact version, tarball URL and integrity, `npm ci` needs only the tarballs, which are cached.
 *
 * The project's tree is the repository's (same versions, same nesting), cut down to what the
 * packed packages and the project's own dependencies reach through `dependencies`,
 * `optionalDependencies` and required `peerDependencies`: never a dev dependency of a package,
 * so one that a package needs at run time is missing there, as it would be for a user.
 */
import { Schema } from "effect"

const Ranges = Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))

/** One entry of the `packages` map of a lockfile (v3). */
const LockEntry = Schema.Struct(
  {
    name: Schema.optional(Schema.String),
    version: Schema.optional(Schema.String),
    resolved: Schema.optional(Schema.String),
    integrity: Schema.optional(Schema.String),
    link: Schema.optional(Schema.Boolean),
    dependencies: Ranges,
    optionalDependencies: Ranges,
    peerDependencies: Ranges,
    peerDependenciesMeta: Schema.optional(
      Schema.Record({ key: Schema.String, value: Schema.Struct({ optional: Schema.optional(Schema.Boolean) }) })
    )
  },
  // every other field (license, engines, bin, os, cpu, …) is kept as it is
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
type LockEntry = typeof LockEntry.Type

/** A lockfile (v3): the `packages` map is all `npm ci` reads. */
export const Lockfile = Schema.parseJson(
  Schema.Struct({ packages: Schema.Record({ key: Schema.String, value: LockEntry }) })
)
export type Lockfile = typeof Lockfile.Type

/** The dependency fields of a package.json, as published. */
export interface PublishedDependencies {
  readonly dependencies?: Readonly<Record<string, string>> | undefined
  readonly optionalDependencies?: Readonly<Record<string, string>> | undefined
  readonly peerDependencies?: Readonly<Record<string, string>> | undefined
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean | undefined }>> | undefined
}

/**
 * A workspace package as packed: where its tarball is (relative to the project), its integrity,
 * and the dependencies its package.json declares (they, not the repository's lockfile, say what
 * the package gets when installed).
 */
export interface Packed {
  readonly name: string
  readonly workspace: string
  readonly tarball: string
  readonly integrity: string
  readonly manifest: PublishedDependencies
}

/** The default registry's tarball URL of `name@version` (what `npm ci` would download). */
const tarballUrl = (name: string, version: string): string =>
  `https://registry.npmjs.org/${name}/-/${name.slice(name.lastIndexOf("/") + 1)}-${version}.tgz`

/** The lockfile key of the directory a lockfile key's package lives in, one level up (`""` is the root). */
const parentOf = (key: string): string => {
  const at = key.lastIndexOf("/node_modules/")
  return at < 0 ? "" : key.slice(0, at)
}

/** Where `name`, required by the package at `from`, resolves: Node's walk up the node_modules folders. */
const resolveKey = (lock: Lockfile, from: string, name: string): string | undefined => {
  for (let dir = from; ; dir = parentOf(dir)) {
    const key = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`
    if (lock.packages[key] !== undefined) return key
    if (dir === "") return undefined
  }
}

const DEV_FLAGS: ReadonlySet<string> = new Set(["dev", "devOptional", "peer"])

/**
 * The project's lockfile: its own dependencies (`dependencies`, names to ranges or `file:` tarballs)
 * and what they reach in the repository's tree. Also returns the names a package asks for that the
 * repository's tree does not have (left for npm to report).
 */
export const consumerLockfile = (
  repository: Lockfile,
  packed: ReadonlyArray<Packed>,
  project: { readonly name: string; readonly dependencies: Readonly<Record<string, string>> }
): { readonly lockfile: unknown; readonly unresolved: ReadonlyArray<string> } => {
  // The workspace packages: in the repository, `node_modules/<name>` links to `packages/<dir>`.
  const byWorkspace = new Map(packed.map((p) => [p.workspace, p]))
  /** The project's key for a repository key: a workspace's folder becomes `node_modules/<name>`. */
  const projectKey = (key: string): string => {
    for (const [workspace, p] of byWorkspace) {
      if (key === workspace || key.startsWith(`${workspace}/`))
        return `node_modules/${p.name}${key.slice(workspace.length)}`
    }
    return key
  }
  const target = (key: string): string => {
    const entry = repository.packages[key]
    return entry?.link === true && entry.resolved !== undefined ? entry.resolved : key
  }

  const entries = new Map<string, Record<string, unknown>>()
  const unresolved: Array<string> = []
  const queue: Array<string> = []
  const want = (from: string, name: string) => {
    const found = resolveKey(repository, from, name)
    if (found === undefined) return void unresolved.push(`${name} (for ${from === "" ? "the project" : from})`)
    const key = target(found)
    if (!entries.has(key)) {
      entries.set(key, {})
      queue.push(key)
    }
  }
  for (const name of Object.keys(project.dependencies)) want("", name)
  while (queue.length > 0) {
    const key = queue.shift() ?? ""
    const entry: LockEntry | undefined = repository.packages[key]
    if (entry === undefined) continue
    const kept: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(entry)) if (!DEV_FLAGS.has(field)) kept[field] = value
    const workspace = byWorkspace.get(key)
    const declared: PublishedDependencies = workspace?.manifest ?? entry
    if (workspace !== undefined) {
      // A packed package: installed from its tarball, with its published dependencies only.
      delete kept["devDependencies"]
      for (const field of [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "peerDependenciesMeta"
      ] as const) {
        delete kept[field]
        const value = workspace.manifest[field]
        if (value !== undefined) kept[field] = value
      }
      kept["resolved"] = `file:${workspace.tarball}`
      kept["integrity"] = workspace.integrity
    } else if (entry.resolved === undefined && entry.version !== undefined) {
      kept["resolved"] = tarballUrl(key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length), entry.version)
    }
    entries.set(key, kept)
    const required = [
      ...Object.keys(declared.dependencies ?? {}),
      ...Object.keys(declared.optionalDependencies ?? {}).filter(
        (name) => resolveKey(repository, key, name) !== undefined
      ),
      ...Object.keys(declared.peerDependencies ?? {}).filter(
        (name) => declared.peerDependenciesMeta?.[name]?.optional !== true
      )
    ]
    for (const name of required) want(key, name)
  }

  const packages: Record<string, unknown> = {
    "": { name: project.name, dependencies: project.dependencies }
  }
  for (const [key, entry] of [...entries].sort(([a], [b]) => projectKey(a).localeCompare(projectKey(b)))) {
    packages[projectKey(key)] = entry
  }
  return { lockfile: { name: project.name, lockfileVersion: 3, requires: true, packages }, unresolved }
}

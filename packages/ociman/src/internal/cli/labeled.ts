/**
 * Listing containers, networks, volumes and images by label *with* their labels, on the Docker and Podman
 * CLIs: one `ls --quiet` with the label filters, then one `inspect --format` of every match (what
 * each resource kind needs, `LabeledKind`, and both argv are in `dialect/labeled.ts`). The `ls`
 * formats cannot print labels exactly on both runtimes (Docker joins them with `,`, which label
 * values may contain), while `{{json …Labels}}` in an inspect template is exact on both.
 *
 * A resource removed between the two calls is skipped, not an error: the inspect is then redone
 * one resource at a time, and "no such …" answers are dropped. The wings hand in a `cli` that
 * asks again when Podman failed a call because another image was removed meanwhile
 * (`./storageRace.ts`).
 */
import { Effect, Either, Schema } from "effect"
import { type CliError, UnexpectedOutput } from "../../CliError.js"
import type { CliResult, Service } from "../../ContainerRuntime.js"
import type * as Label from "../../Label.js"
import { compareUtf8 } from "../bytes.js"
import { type LabeledKind, labeledInspectArgs, labeledListArgs } from "../dialect/labeled.js"
import { decodeText, failure } from "./process.js"

type Cli = Service["cli"]

const LIST_TIMEOUT = "30 seconds"
const INSPECT_TIMEOUT = "60 seconds"
/** How many times a listing that raced a removal is asked again. */
const LIST_RETRIES = 3
/** How many single inspects run at once after a batch hit a vanished resource. */
const RETRY_CONCURRENCY = 4

const JsonLabels = Schema.parseJson(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.String })))
const decodeLabels = Schema.decodeUnknownEither(JsonLabels)

const lines = (text: string): ReadonlyArray<string> =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)

/** `ls --quiet` output: one id (or, for Podman networks, name) per line, each once. */
export const parseIds = (
  argv: ReadonlyArray<string>,
  stdout: string
): Either.Either<ReadonlyArray<string>, UnexpectedOutput> => {
  const all = lines(stdout)
  const bad = all.find((line) => /\s/.test(line))
  return bad === undefined
    ? Either.right(Array.from(new Set(all)))
    : Either.left(new UnexpectedOutput({ argv, expected: "one id per line", output: bad }))
}

/** One inspect line per resource: tab-separated fields, the labels last as JSON. */
export const parseInspectLines = <A>(
  kind: LabeledKind<A>,
  argv: ReadonlyArray<string>,
  stdout: string
): Either.Either<ReadonlyArray<A>, UnexpectedOutput> =>
  Either.all(
    lines(stdout).map((line) => {
      const fields = line.split("\t")
      const unexpected = (detail: string) =>
        new UnexpectedOutput({ argv, expected: `${kind.template} (${detail})`, output: line })
      const labels = decodeLabels(fields.at(-1) ?? "")
      if (fields.length < 2 || Either.isLeft(labels)) return Either.left(unexpected("labels as a JSON object"))
      const sorted = new Map(Object.entries(labels.right ?? {}).sort(([a], [b]) => compareUtf8(a, b)))
      return Either.mapLeft(kind.parse(fields.slice(0, -1), sorted), unexpected)
    })
  )

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> => either

/** Lists the resources matching every filter, each with its labels. */
export const listLabeled = <A>(
  cli: Cli,
  kind: LabeledKind<A>,
  filters: ReadonlyArray<Label.Filter>
): Effect.Effect<ReadonlyArray<A>, CliError | UnexpectedOutput> =>
  Effect.gen(function* () {
    const list = Effect.flatMap(cli(labeledListArgs(kind, filters), { timeout: LIST_TIMEOUT }), (result) =>
      result.exitCode === 0 ? Effect.succeed(result) : Effect.fail(failure(result))
    )
    // Podman's `image ls` fails ("image not known") when an image it listed is removed before it
    // reads it: ask again.
    const listed = yield* Effect.retry(list, {
      times: LIST_RETRIES,
      while: (error) => error._tag === "CommandFailed" && kind.notFound.test(error.stderr)
    })
    const ids = yield* fromEither(parseIds(listed.argv, decodeText(listed.stdout)))
    if (ids.length === 0) return []
    const inspected = yield* cli(labeledInspectArgs(kind, ids), { timeout: INSPECT_TIMEOUT })
    if (inspected.exitCode === 0)
      return yield* fromEither(parseInspectLines(kind, inspected.argv, decodeText(inspected.stdout)))
    if (!kind.notFound.test(decodeText(inspected.stderr))) return yield* Effect.fail(failure(inspected))
    // Something went away between the two calls: ask about each one alone.
    const each = yield* Effect.forEach(ids, (id) => inspectOne(cli, kind, id), { concurrency: RETRY_CONCURRENCY })
    return each.flat()
  })

const inspectOne = <A>(cli: Cli, kind: LabeledKind<A>, id: string) =>
  Effect.flatMap(
    cli(labeledInspectArgs(kind, [id]), { timeout: INSPECT_TIMEOUT }),
    (result: CliResult): Effect.Effect<ReadonlyArray<A>, CliError | UnexpectedOutput> =>
      result.exitCode === 0
        ? fromEither(parseInspectLines(kind, result.argv, decodeText(result.stdout)))
        : kind.notFound.test(decodeText(result.stderr))
          ? Effect.succeed([])
          : Effect.fail(failure(result))
  )

/**
 * Listing containers, networks, volumes and images by label with their labels: one `ls --quiet` with the
 * label filters, then one `inspect --format` of every match (the `ls` formats cannot print labels
 * exactly on both runtimes: Docker joins them with `,`, which label values may contain, while
 * `{{json …Labels}}` in an inspect template is exact on both). What each resource kind needs, and
 * the argv of both calls.
 */
import type { Either } from "effect"
import type * as Label from "../../Label.js"
import { labelFilterArg } from "./values.js"

/** What a listed resource kind needs: its `ls` and `inspect` words, template, and line parser. */
export interface LabeledKind<A> {
  /** e.g. `["container", "list", "--all"]`; `--quiet --no-trunc` and the filters are appended. */
  readonly list: ReadonlyArray<string>
  /** e.g. `["container", "inspect"]`; `--format TEMPLATE` and the ids are appended. */
  readonly inspect: ReadonlyArray<string>
  /** Tab-separated fields, the last one `{{json …Labels}}` (JSON escapes tabs, so splitting is safe). */
  readonly template: string
  /** Builds the value from the fields before the labels, or says what was wrong. */
  readonly parse: (fields: ReadonlyArray<string>, labels: ReadonlyMap<string, string>) => Either.Either<A, string>
  /** stderr of an inspect of something that is gone. */
  readonly notFound: RegExp
  /** `false` where `ls` has no `--no-trunc` (volumes: their names are never shortened). */
  readonly noTrunc?: boolean | undefined
}

/** `<ls words> --quiet --no-trunc [--filter label=…]…` (no `--no-trunc` where the kind says so). */
export const labeledListArgs = <A>(
  kind: LabeledKind<A>,
  filters: ReadonlyArray<Label.Filter>
): ReadonlyArray<string> => [
  ...kind.list,
  "--quiet",
  ...(kind.noTrunc === false ? [] : ["--no-trunc"]),
  ...filters.flatMap((filter) => ["--filter", labelFilterArg(filter)])
]

/** `<inspect words> --format TEMPLATE -- <ids…>`. */
export const labeledInspectArgs = <A>(kind: LabeledKind<A>, ids: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...kind.inspect,
  "--format",
  kind.template,
  "--",
  ...ids
]

/**
 * Volume names as values (`Volume` re-exports the public ones); here, below the seam, so that the
 * seam's volume operations can name them without importing `Volume`.
 */
import { Brand, Either, Schema } from "effect"
import { InvalidVolumeName } from "../VolumeError.js"

/** Docker's rule (at least two characters), which Podman also accepts; the same as `Mount.volume`'s. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/

export const NameFromString = Schema.String.pipe(
  Schema.filter((input) => (NAME.test(input) ? undefined : new InvalidVolumeName({ input }).message)),
  Schema.brand("VolumeName")
)

/**
 * A valid volume name (public as `Volume.VolumeName`).
 * @since 0.1.0
 * @category models
 */
export type VolumeName = typeof NameFromString.Type

export const brandName = Brand.nominal<VolumeName>()

export const name = (input: string): Either.Either<VolumeName, InvalidVolumeName> =>
  NAME.test(input) ? Either.right(brandName(input)) : Either.left(new InvalidVolumeName({ input }))

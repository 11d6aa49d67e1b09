/**
 * Network names and ids as values (`Network` re-exports the public ones); here, below the seam,
 * so that the seam's network operations can name them without importing `Network`.
 */
import { Brand, Either, Schema } from "effect"
import { InvalidNetworkName } from "../NetworkError.js"

/** Podman's rule (`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`); Docker accepts every name it accepts. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

export const NameFromString = Schema.String.pipe(
  Schema.filter((input) => (NAME.test(input) ? undefined : new InvalidNetworkName({ input }).message)),
  Schema.brand("NetworkName")
)

/**
 * A valid network name (public as `Network.NetworkName`).
 * @since 0.1.0
 * @category models
 */
export type NetworkName = typeof NameFromString.Type

export const brandName = Brand.nominal<NetworkName>()

export const name = (input: string): Either.Either<NetworkName, InvalidNetworkName> =>
  NAME.test(input) ? Either.right(brandName(input)) : Either.left(new InvalidNetworkName({ input }))

/**
 * A network id as the runtime reports it, hexadecimal (public as `Network.NetworkId`).
 * @since 0.1.0
 * @category models
 */
export type NetworkId = Brand.Branded<string, "NetworkId">

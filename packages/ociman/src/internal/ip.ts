/**
 * IP addresses and CIDRs as the runtimes print them.
 */
import { isIP } from "node:net" // @effect/platform has no address parser; Node, Bun and Deno all provide node:net
import { Brand, Either, Schema } from "effect"
import { InvalidCidr } from "../NetworkError.js"

/** 4 or 6 for an IPv4 / IPv6 address (an IPv6 zone such as `%eth0` is accepted), 0 otherwise. */
export const ipFamily = (input: string): 0 | 4 | 6 => {
  const family = isIP(input)
  return family === 4 ? 4 : family === 6 ? 6 : 0
}

const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/

const isCidr = (input: string): boolean => {
  const slash = input.lastIndexOf("/")
  if (slash <= 0) return false
  const address = input.slice(0, slash)
  const prefix = input.slice(slash + 1)
  const family = address.includes("%") ? 0 : ipFamily(address)
  if (family === 0 || !PREFIX.test(prefix)) return false
  return Number(prefix) <= (family === 4 ? 32 : 128)
}

/** A CIDR string that decodes to the `Cidr` brand (host bits may be set, as ociman's `IpNet` allows). */
export const CidrFromString = Schema.String.pipe(
  Schema.filter((input) => (isCidr(input) ? undefined : new InvalidCidr({ input }).message)),
  Schema.brand("Cidr")
)

export type Cidr = typeof CidrFromString.Type

const brandCidr = Brand.nominal<Cidr>()

export const cidr = (input: string): Either.Either<Cidr, InvalidCidr> =>
  isCidr(input) ? Either.right(brandCidr(input)) : Either.left(new InvalidCidr({ input }))

export const prefixLength = (value: Cidr): number => Number(value.slice(value.lastIndexOf("/") + 1))

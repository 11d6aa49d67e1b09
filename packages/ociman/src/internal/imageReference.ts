/**
 * Hand-written scanner for image references (distribution/reference grammar, Docker's domain rule).
 * Every loop only moves forward, so any input is scanned in linear time: no regex backtracking.
 */
import { Either } from "effect"
import type { InvalidImageReferenceReason as Reason } from "../ImageReference.js"

export interface Parts {
  readonly domain: string | undefined
  readonly path: string
  readonly tag: string | undefined
  readonly digest: string | undefined
}

export interface Failure {
  readonly reason: Reason
  /** UTF-16 index into the input where scanning failed, when one place is to blame. */
  readonly position: number | undefined
  readonly detail: string
}

/** distribution/reference `RepositoryNameTotalLengthMax`: counts the path only, never the domain. */
export const MAX_PATH_LENGTH = 255
/** Longest tag the grammar allows (`[\w][\w.-]{0,127}`). */
export const MAX_TAG_LENGTH = 128
export const DOCKER_HUB = "docker.io"
export const LEGACY_DOCKER_HUB = "index.docker.io"
export const OFFICIAL_PREFIX = "library/"
/** Hex length of each digest algorithm go-digest knows; any other algorithm is unsupported. */
export const DIGEST_HEX_LENGTH: ReadonlyMap<string, number> = new Map([
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128]
])
const MIN_DIGEST_HEX = 32

const SLASH = 0x2f
const COLON = 0x3a
const AT = 0x40
const DOT = 0x2e
const DASH = 0x2d
const UNDERSCORE = 0x5f
const PLUS = 0x2b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

// charCodeAt past the end is NaN, for which every predicate is false: loops stop at the end.
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a
const isLetter = (c: number): boolean => isLower(c) || isUpper(c)
const isLowerAlnum = (c: number): boolean => isLower(c) || isDigit(c)
const isAlnum = (c: number): boolean => isLetter(c) || isDigit(c)
const isWord = (c: number): boolean => isAlnum(c) || c === UNDERSCORE
const isTagChar = (c: number): boolean => isWord(c) || c === DOT || c === DASH
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
const isLowerHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66)

/** Names the character at `i` for a message (whole code point, escaped like JSON). */
const describeAt = (s: string, i: number): string => {
  const code = s.codePointAt(i)
  return code === undefined ? "the end" : JSON.stringify(String.fromCodePoint(code))
}

const fail = (reason: Reason, position: number | undefined, detail: string): Either.Either<never, Failure> =>
  Either.left({ reason, position, detail })

const unexpected = (s: string, i: number, expected: string): Either.Either<never, Failure> =>
  fail("InvalidFormat", i, `found ${describeAt(s, i)} where ${expected} was expected`)

const upperCaseInPath = (i: number): Either.Either<never, Failure> =>
  fail("UpperCaseInPath", i, "repository names must be lowercase (only the domain and the tag may use upper case)")

/**
 * Scans `remote-name := component ('/' component)*`, `component := [a-z0-9]+ (sep [a-z0-9]+)*`,
 * `sep := '.' | '_' | '__' | '-'+`, from `start`; returns the index just past the path.
 */
const scanPath = (s: string, start: number): Either.Either<number, Failure> => {
  let i = start
  let after: "start" | "slash" | "separator" = "start"
  for (;;) {
    const c = s.charCodeAt(i)
    if (!isLowerAlnum(c)) {
      if (isUpper(c)) return upperCaseInPath(i)
      if (after === "separator") {
        return unexpected(s, i, "a lowercase letter or digit after a separator ('.', '_', '__' or '-')")
      }
      if (after === "slash") {
        return unexpected(s, i, "a path component (a lowercase letter or digit) after '/'")
      }
      return unexpected(s, i, "a repository name starting with a lowercase letter or digit")
    }
    i++
    while (isLowerAlnum(s.charCodeAt(i))) i++
    const d = s.charCodeAt(i)
    if (d === DOT) {
      i++
      after = "separator"
    } else if (d === UNDERSCORE) {
      i++
      if (s.charCodeAt(i) === UNDERSCORE) i++
      after = "separator"
    } else if (d === DASH) {
      while (s.charCodeAt(i) === DASH) i++
      after = "separator"
    } else if (d === SLASH) {
      i++
      after = "slash"
    } else {
      return isUpper(d) ? upperCaseInPath(i) : Either.right(i)
    }
  }
}

/**
 * Does `s[0, end)` match `domainAndPort` (`host (':' [0-9]+)?`, host a domain name or `[` hex/colons `]`)?
 * Returns the index of the first offending character otherwise.
 */
const scanDomain = (s: string, end: number): Either.Either<void, Failure> => {
  let i = 0
  if (s.charCodeAt(0) === OPEN_BRACKET) {
    i = 1
    while (i < end && (isHex(s.charCodeAt(i)) || s.charCodeAt(i) === COLON)) i++
    if (i === 1 || s.charCodeAt(i) !== CLOSE_BRACKET) {
      return fail(
        "InvalidFormat",
        i,
        `found ${describeAt(s, i)} in an IPv6 host, which may contain only hex digits and ':' between '[' and ']'`
      )
    }
    i++
  } else {
    for (;;) {
      if (!isAlnum(s.charCodeAt(i))) {
        return fail(
          "InvalidFormat",
          i,
          `found ${describeAt(s, i)} where a domain component (letter or digit) was expected`
        )
      }
      i++
      while (i < end && (isAlnum(s.charCodeAt(i)) || s.charCodeAt(i) === DASH)) i++
      if (s.charCodeAt(i - 1) === DASH) {
        return fail("InvalidFormat", i - 1, "a domain component must not end with '-'")
      }
      if (i < end && s.charCodeAt(i) === DOT) {
        i++
        continue
      }
      break
    }
  }
  if (i < end && s.charCodeAt(i) === COLON) {
    i++
    const portStart = i
    while (i < end && isDigit(s.charCodeAt(i))) i++
    if (i === portStart) {
      return fail("InvalidFormat", i, `found ${describeAt(s, i)} where a port number (digits) was expected`)
    }
  }
  if (i !== end) {
    return fail("InvalidFormat", i, `found ${describeAt(s, i)} in the domain, where ':port' or '/' was expected`)
  }
  return Either.right(undefined)
}

interface Suffix {
  readonly tag: string | undefined
  readonly digest: string | undefined
  /** Index of the digest in the input, for digest errors found later. */
  readonly digestStart: number
}

/** Scans `[':' tag] ['@' digest] END` from `i` (the index just past the name); checks the digest grammar only. */
const scanSuffix = (s: string, start: number): Either.Either<Suffix, Failure> => {
  let i = start
  let tag: string | undefined
  if (s.charCodeAt(i) === COLON) {
    const tagStart = i + 1
    if (!isWord(s.charCodeAt(tagStart))) {
      return unexpected(s, tagStart, "a tag starting with a letter, digit or '_'")
    }
    i = tagStart + 1
    while (isTagChar(s.charCodeAt(i))) i++
    if (i - tagStart > MAX_TAG_LENGTH) {
      return fail("InvalidFormat", tagStart + MAX_TAG_LENGTH, `a tag is at most ${MAX_TAG_LENGTH} characters long`)
    }
    tag = s.slice(tagStart, i)
  }
  if (i === s.length) return Either.right({ tag, digest: undefined, digestStart: i })
  if (s.charCodeAt(i) !== AT) {
    return fail(
      "InvalidFormat",
      i,
      tag === undefined
        ? `found ${describeAt(s, i)} after the repository name, where ':tag', '@digest' or the end was expected`
        : `found ${describeAt(s, i)} in the tag, which may contain only letters, digits, '_', '.' and '-'`
    )
  }
  const digestStart = i + 1
  // digest-algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.] [A-Za-z][A-Za-z0-9]*)*
  i = digestStart
  for (;;) {
    if (!isLetter(s.charCodeAt(i))) {
      return fail(
        "InvalidDigest",
        i,
        `found ${describeAt(s, i)} where a digest algorithm (such as "sha256", starting with a letter) was expected`
      )
    }
    i++
    while (isAlnum(s.charCodeAt(i))) i++
    const c = s.charCodeAt(i)
    if (c === DASH || c === UNDERSCORE || c === PLUS || c === DOT) {
      i++
      continue
    }
    break
  }
  if (s.charCodeAt(i) !== COLON) {
    return fail(
      "InvalidDigest",
      i,
      `found ${describeAt(s, i)} where ':' between the digest algorithm and its hex was expected`
    )
  }
  i++
  const hexStart = i
  while (isHex(s.charCodeAt(i))) i++
  if (i !== s.length) {
    return fail("InvalidDigest", i, `found ${describeAt(s, i)} in the digest, which must end in hexadecimal digits`)
  }
  if (i - hexStart < MIN_DIGEST_HEX) {
    return fail(
      "InvalidDigest",
      hexStart,
      `a digest needs at least ${MIN_DIGEST_HEX} hex digits, found ${i - hexStart}`
    )
  }
  return Either.right({ tag, digest: s.slice(digestStart), digestStart })
}

/** go-digest `Validate` with sha256, sha384 and sha512 registered (the grammar was checked already). */
const checkDigest = (digest: string, offset: number): Either.Either<void, Failure> => {
  const colon = digest.indexOf(":")
  const algorithm = digest.slice(0, colon)
  const hex = digest.slice(colon + 1)
  const expected = DIGEST_HEX_LENGTH.get(algorithm)
  if (expected === undefined) {
    const hint = DIGEST_HEX_LENGTH.has(algorithm.toLowerCase())
      ? `; algorithms are lowercase: use "${algorithm.toLowerCase()}"`
      : ""
    return fail(
      "InvalidDigest",
      offset,
      `unsupported digest algorithm ${JSON.stringify(algorithm)} (supported: sha256, sha384, sha512)${hint}`
    )
  }
  if (hex.length !== expected) {
    return fail(
      "InvalidDigest",
      offset + colon + 1,
      `a ${algorithm} digest has exactly ${expected} hex digits, found ${hex.length}`
    )
  }
  for (let i = 0; i < hex.length; i++) {
    if (!isLowerHex(hex.charCodeAt(i))) {
      return fail("InvalidDigest", offset + colon + 1 + i, "digest hex digits must be lowercase")
    }
  }
  return Either.right(undefined)
}

const isImageId = (s: string): boolean => {
  if (s.length !== 64) return false
  for (let i = 0; i < 64; i++) if (!isLowerHex(s.charCodeAt(i))) return false
  return true
}

/**
 * splitDockerDomain's test for "the first segment is a registry": `localhost`, anything with '.' or
 * ':' (host name, IP, port), or anything with upper case (namespaces are lowercase).
 */
export const looksLikeDomain = (segment: string): boolean =>
  segment === "localhost" || segment.includes(".") || segment.includes(":") || segment.toLowerCase() !== segment

/** Does Docker put `library/` in front of this path when normalizing? */
export const isOfficialShortPath = (domain: string | undefined, path: string): boolean =>
  (domain === undefined || domain === DOCKER_HUB || domain === LEGACY_DOCKER_HUB) && !path.includes("/")

/**
 * `ParseNormalizedNamed` of distribution/reference, keeping the reference as written: which strings
 * are valid, and where the domain ends, are as `docker` decides; nothing is added or rewritten.
 */
export const scan = (s: string): Either.Either<Parts, Failure> => {
  if (s.length === 0) return fail("Empty", undefined, "an image reference cannot be empty")
  if (isImageId(s)) {
    return fail(
      "ImageIdAsName",
      undefined,
      "a 64-character hexadecimal string is an image ID, not a repository name; pass it where an image ID is expected, or write a registry before it (docker.io/<hex>)"
    )
  }
  const result = scanReference(s)
  if (Either.isRight(result) || result.left.reason !== "UpperCaseInPath") return result
  // As distribution's Parse: blame upper case only if it is the sole problem, else the first other one.
  const lowered = scanReference(s.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()))
  return Either.isLeft(lowered) && lowered.left.reason === "InvalidFormat" ? lowered : result
}

interface Scanned {
  readonly pathEnd: number
  readonly suffix: Suffix
}

/** Scans `path [':' tag] ['@' digest]` from `pathStart` to the end of `s`. */
const scanRest = (s: string, pathStart: number): Either.Either<Scanned, Failure> =>
  Either.flatMap(scanPath(s, pathStart), (pathEnd) =>
    Either.map(scanSuffix(s, pathEnd), (suffix) => ({ pathEnd, suffix }))
  )

const scanReference = (s: string): Either.Either<Parts, Failure> => {
  const slash = s.indexOf("/")
  let domain: string | undefined
  let pathStart = 0
  let scanned: Either.Either<Scanned, Failure>
  const first = s.slice(0, Math.max(slash, 0))
  // A bracketed first segment can only be an IPv6 host (never a path), with or without ':' in it.
  if (slash >= 0 && (looksLikeDomain(first) || first.charCodeAt(0) === OPEN_BRACKET)) {
    const asDomain = scanDomain(s, slash)
    if (Either.isRight(asDomain)) {
      domain = first
      pathStart = slash + 1
      scanned = scanRest(s, pathStart)
    } else {
      // Not a valid host (say `my_registry.com`): the grammar then reads the whole name as a path.
      scanned = scanRest(s, 0)
      // If that fails too, blame what the user most likely meant: a host unless it has a '_' (and no port).
      if (Either.isLeft(scanned) && (first.includes(":") || first.includes("[") || !first.includes("_"))) {
        return Either.left(asDomain.left)
      }
    }
  } else {
    scanned = scanRest(s, 0)
  }
  if (Either.isLeft(scanned)) return Either.left(scanned.left)
  const { pathEnd, suffix } = scanned.right
  const path = s.slice(pathStart, pathEnd)
  // ParseNormalizedNamed checks the length after adding `library/`, so that prefix counts.
  const prefix = isOfficialShortPath(domain, path) ? OFFICIAL_PREFIX.length : 0
  if (prefix + path.length > MAX_PATH_LENGTH) {
    return fail(
      "NameTooLong",
      pathStart + MAX_PATH_LENGTH - prefix,
      `the repository path has ${path.length} characters${prefix === 0 ? "" : ` (plus the implied "${OFFICIAL_PREFIX}")`}; at most ${MAX_PATH_LENGTH} are allowed (the domain does not count)`
    )
  }
  const { tag, digest, digestStart } = suffix
  if (digest !== undefined) {
    const checked = checkDigest(digest, digestStart)
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  return Either.right({ domain, path, tag, digest })
}

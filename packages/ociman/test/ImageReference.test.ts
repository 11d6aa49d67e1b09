import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import {
  ConfigProvider,
  Effect,
  Either,
  Equal,
  FastCheck,
  Inspectable,
  Logger,
  ParseResult,
  Schema,
  pipe
} from "effect"
// Imported by path: the index re-export is added separately.
import { ImageReference } from "ociman"

const F64 = "f".repeat(64)
const SHA256 = `sha256:${F64}`
const BE = "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"
const DBCC = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
const IMAGE_ID = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
const HEX32 = "0123456789abcdef0123456789abcdef"

const parseOk = (input: string): ImageReference.ImageReference => {
  const result = ImageReference.parse(input)
  if (Either.isLeft(result)) return expect.unreachable(result.left.message)
  return result.right
}

const parseErr = (input: string): ImageReference.InvalidImageReference => {
  const result = ImageReference.parse(input)
  if (Either.isRight(result)) return expect.unreachable(`${JSON.stringify(input)} should be invalid`)
  return result.left
}

/** [input, domain, path, tag?, digest?] for inputs that must parse, split as written. */
type Valid = readonly [string, string | undefined, string, (string | undefined)?, (string | undefined)?]
/** [input, reason, position?] for inputs that must fail. */
type Invalid = readonly [string, ImageReference.InvalidImageReferenceReason, number?]

/** A readable test name for inputs that may be huge or hold control characters. */
const label = (input: string): string => JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}…` : input)

const checkValid = ([input, domain, path, tag, digest]: Valid) => {
  const ref = parseOk(input)
  expect({ ...ref }).toStrictEqual({ domain, path, tag, digest })
  expect(ImageReference.format(ref)).toBe(input)
}

const checkInvalid = ([input, reason, position]: Invalid) => {
  const error = parseErr(input)
  expect(error._tag).toBe("InvalidImageReference")
  expect(error.input).toBe(input)
  expect(error.reason).toBe(reason)
  if (position !== undefined) expect(error.position).toBe(position)
}

// ---------------------------------------------------------------------------------------------
// distribution/reference: facts from its reference_test.go, normalize_test.go and regexp_test.go,
// as the docker CLI (ParseNormalizedNamed) applies them. Where Parse (without normalization)
// reports a different domain, the comment says so: Docker's rule decides the split here.
// ---------------------------------------------------------------------------------------------

describe("distribution/reference: valid references", () => {
  const cases: ReadonlyArray<Valid> = [
    // TestReferenceParse
    ["test_com", undefined, "test_com"],
    ["test.com:tag", undefined, "test.com", "tag"],
    ["test.com:5000", undefined, "test.com", "5000"],
    ["test.com/repo:tag", "test.com", "repo", "tag"],
    ["test:5000/repo", "test:5000", "repo"],
    ["test:5000/repo:tag", "test:5000", "repo", "tag"],
    [`test:5000/repo@${SHA256}`, "test:5000", "repo", undefined, SHA256],
    [`test:5000/repo:tag@${SHA256}`, "test:5000", "repo", "tag", SHA256],
    // Parse's FIXME: "Uppercase" is taken for a domain; Docker's rule does the same.
    ["Uppercase/lowercase:tag", "Uppercase", "lowercase", "tag"],
    ["lowercase:Uppercase", undefined, "lowercase", "Uppercase"],
    // Parse: domain "a". Docker: "a" is no domain, so the path is the whole 255-character name.
    [`${"a/".repeat(127)}a:tag-puts-this-over-max`, undefined, `${"a/".repeat(127)}a`, "tag-puts-this-over-max"],
    ["sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux"],
    ["sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag"],
    ["b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com"],
    ["xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com"],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA256}`, "xn--7o8h.com", "myimage", "xn--7o8h.com", SHA256],
    ["foo_bar.com:8080", undefined, "foo_bar.com", "8080"],
    // Parse: domain "foo". Docker: no domain.
    ["foo/foo_bar.com:8080", undefined, "foo/foo_bar.com", "8080"],
    ["192.168.1.1", undefined, "192.168.1.1"],
    ["192.168.1.1:tag", undefined, "192.168.1.1", "tag"],
    ["192.168.1.1:5000", undefined, "192.168.1.1", "5000"],
    ["192.168.1.1/repo", "192.168.1.1", "repo"],
    ["192.168.1.1:5000/repo", "192.168.1.1:5000", "repo"],
    ["192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050"],
    ["[2001:db8::1]/repo", "[2001:db8::1]", "repo"],
    ["[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag"],
    ["[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo"],
    ["[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag"],
    [`[2001:db8::1]:5000/repo@${SHA256}`, "[2001:db8::1]:5000", "repo", undefined, SHA256],
    [`[2001:db8::1]:5000/repo:tag@${SHA256}`, "[2001:db8::1]:5000", "repo", "tag", SHA256],
    ["[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo"],
    ["[::1]:5000/repo", "[::1]:5000", "repo"],
    [`example.com/${"a".repeat(255)}:tag`, "example.com", "a".repeat(255), "tag"],
    // registration dependent upstream (sha512 needs crypto/sha512 linked); the docker CLI has it.
    [`validname@sha512:${"f".repeat(128)}`, undefined, "validname", undefined, `sha512:${"f".repeat(128)}`],
    [`validname@sha384:${"f".repeat(96)}`, undefined, "validname", undefined, `sha384:${"f".repeat(96)}`],
    // TestDomainAndPath (Parse's split, which Docker's rule agrees with here)
    ["test.com/foo", "test.com", "foo"],
    ["test_com/foo", undefined, "test_com/foo"],
    ["test:8080/foo", "test:8080", "foo"],
    ["test.com:8080/foo", "test.com:8080", "foo"],
    ["test-com:8080/foo", "test-com:8080", "foo"],
    ["xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"],
    // TestSerialization
    ["example.com:8000/named", "example.com:8000", "named"],
    ["example.com:8000/named:tagged", "example.com:8000", "named", "tagged"],
    [
      "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112",
      "other.com",
      "named",
      undefined,
      "sha256:1234567890098765432112345667890098765432112345667890098765432112"
    ],
    // TestValidateReferenceName (valid names)
    ["docker/docker", undefined, "docker/docker"],
    ["library/debian", undefined, "library/debian"],
    ["debian", undefined, "debian"],
    ["localhost/library/debian", "localhost", "library/debian"],
    ["localhost/debian", "localhost", "debian"],
    ["LOCALDOMAIN/library/debian", "LOCALDOMAIN", "library/debian"],
    ["LOCALDOMAIN/debian", "LOCALDOMAIN", "debian"],
    ["docker.io/docker/docker", "docker.io", "docker/docker"],
    ["docker.io/library/debian", "docker.io", "library/debian"],
    ["docker.io/debian", "docker.io", "debian"],
    ["index.docker.io/docker/docker", "index.docker.io", "docker/docker"],
    ["index.docker.io/library/debian", "index.docker.io", "library/debian"],
    ["index.docker.io/debian", "index.docker.io", "debian"],
    ["127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker"],
    ["127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian"],
    ["127.0.0.1:5000/debian", "127.0.0.1:5000", "debian"],
    ["192.168.0.1", undefined, "192.168.0.1"],
    ["192.168.0.1:80", undefined, "192.168.0.1", "80"],
    ["192.168.0.1:8/debian", "192.168.0.1:8", "debian"],
    ["192.168.0.2:25000/debian", "192.168.0.2:25000", "debian"],
    [
      "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
      undefined,
      "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"
    ],
    ["[fc00::1]:5000/docker", "[fc00::1]:5000", "docker"],
    ["[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker"],
    ["[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian"],
    // An image ID is fine as a path once a domain is written.
    [`docker.io/${IMAGE_ID}`, "docker.io", IMAGE_ID],
    ["Docker/docker", "Docker", "docker"],
    ["DOCKER/docker", "DOCKER", "docker"],
    // TestValidateRemoteName (valid)
    ["docker-rules/docker", undefined, "docker-rules/docker"],
    ["docker---rules/docker", undefined, "docker---rules/docker"],
    ["doc/docker", undefined, "doc/docker"],
    ["d/docker", undefined, "d/docker"],
    ["jess/t", undefined, "jess/t"],
    ["dock__er/docker", undefined, "dock__er/docker"],
    // TestFullNameRegexp: Parse would give "simple", "library", "docker", "aa", "a" as domains.
    ["short", undefined, "short"],
    ["simple/name", undefined, "simple/name"],
    ["library/ubuntu", undefined, "library/ubuntu"],
    ["docker/stevvooe/app", undefined, "docker/stevvooe/app"],
    ["aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", undefined, "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"],
    ["aa/aa/bb/bb/bb", undefined, "aa/aa/bb/bb/bb"],
    ["a/a/a/a", undefined, "a/a/a/a"],
    ["a", undefined, "a"],
    ["a/aa", undefined, "a/aa"],
    ["a/aa/a", undefined, "a/aa/a"],
    ["foo.com", undefined, "foo.com"],
    ["foo.com:8080/bar", "foo.com:8080", "bar"],
    ["foo.com/bar", "foo.com", "bar"],
    ["foo.com/bar/baz", "foo.com", "bar/baz"],
    ["localhost:8080/bar", "localhost:8080", "bar"],
    ["blog.foo.com/bar/baz", "blog.foo.com", "bar/baz"],
    ["aa-a/a", undefined, "aa-a/a"],
    ["foo_bar", undefined, "foo_bar"],
    ["foo.com/foo_bar", "foo.com", "foo_bar"],
    ["xn--7o8h.com/myimage", "xn--7o8h.com", "myimage"],
    ["example.com/xn--7o8h.com/myimage", "example.com", "xn--7o8h.com/myimage"],
    ["example.com/some_separator__underscore/myimage", "example.com", "some_separator__underscore/myimage"],
    ["do__cker/docker", undefined, "do__cker/docker"],
    [
      "registry.io/foo/project--id.module--name.ver---sion--name",
      "registry.io",
      "foo/project--id.module--name.ver---sion--name"
    ],
    ["Asdf.com/foo/bar", "Asdf.com", "foo/bar"],
    // TestReferenceRegexp
    ["registry.com:8080/myapp:tag", "registry.com:8080", "myapp", "tag"],
    [`registry.com:8080/myapp@${BE}`, "registry.com:8080", "myapp", undefined, BE],
    [`registry.com:8080/myapp:tag2@${BE}`, "registry.com:8080", "myapp", "tag2", BE],
    // "localhost" without "/" is a name and 8080 a tag
    [`localhost:8080@${BE}`, undefined, "localhost", "8080", BE],
    [`localhost:8080/name@${BE}`, "localhost:8080", "name", undefined, BE],
    [`localhost@${BE}`, undefined, "localhost", undefined, BE],
    // TestDomainRegexp, as "<domain>/repo" (ports are not range-checked)
    ["a.b/repo", "a.b", "repo"],
    ["ab.cd.com/repo", "ab.cd.com", "repo"],
    ["ab.c-om/repo", "ab.c-om", "repo"],
    ["0101.com/repo", "0101.com", "repo"],
    ["001a.com/repo", "001a.com", "repo"],
    ["b.gbc.io:443/repo", "b.gbc.io:443", "repo"],
    ["192.168.1.1:75050/repo", "192.168.1.1:75050", "repo"],
    ["192.168.1.1:750050/repo", "192.168.1.1:750050", "repo"],
    ["[fd00:1:2::3]:75050/repo", "[fd00:1:2::3]:75050", "repo"],
    ["[fd00123123123]:75050/repo", "[fd00123123123]:75050", "repo"],
    ["[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/repo", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", "repo"],
    // "a" alone is no domain for Docker (Parse: domain "a")
    ["a/repo", undefined, "a/repo"],
    // TestIdentifierRegexp: only exactly 64 lowercase hex is an ID
    [DBCC.slice(0, 60), undefined, DBCC.slice(0, 60)],
    [`${DBCC}8482`, undefined, `${DBCC}8482`],
    [`sha256:${DBCC}`, undefined, "sha256", DBCC],
    [`${IMAGE_ID}:tag`, undefined, IMAGE_ID, "tag"],
    // TestWithTag / TestParseReferenceWithTagAndDigest
    ["test.com:8000/foo:TAG5", "test.com:8000", "foo", "TAG5"],
    [
      "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
      undefined,
      "busybox",
      "latest",
      "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
    ]
  ]
  for (const c of cases) it(label(c[0]), () => checkValid(c))
})

describe("distribution/reference: invalid references", () => {
  const cases: ReadonlyArray<Invalid> = [
    // TestReferenceParse
    ["", "Empty"],
    [":justtag", "InvalidFormat", 0],
    [`@${SHA256}`, "InvalidFormat", 0],
    [`repo@sha256:${"f".repeat(34)}`, "InvalidDigest", 12],
    [`validname@invaliddigest:${F64}`, "InvalidDigest", 10],
    ["Uppercase:tag", "UpperCaseInPath", 0],
    ["test:5000/Uppercase/lowercase:tag", "UpperCaseInPath", 10],
    [`domain/${"a".repeat(256)}:tag`, "NameTooLong"],
    ["aa/asdf$$^/aa", "InvalidFormat", 7],
    ["[2001:db8::1]", "InvalidFormat", 0],
    ["[2001:db8::1]:5000", "InvalidFormat", 0],
    ["[2001:db8::1]:tag", "InvalidFormat", 0],
    ["[fe80::1%eth0]:5000/repo", "InvalidFormat", 8],
    ["[fe80::1%@invalidzone]:5000/repo", "InvalidFormat"],
    // TestWithNameFailure
    ["example.com/repo:tag:x", "InvalidFormat"],
    [`example.com/${"a".repeat(256)}`, "NameTooLong", 267],
    // TestValidateReferenceName (invalid names)
    ["https://github.com/docker/docker", "InvalidFormat", 6],
    ["docker/Docker", "UpperCaseInPath", 7],
    ["-docker", "InvalidFormat", 0],
    ["-docker/docker", "InvalidFormat", 0],
    ["-docker.io/docker/docker", "InvalidFormat", 0],
    ["docker///docker", "InvalidFormat", 7],
    ["docker.io/docker/Docker", "UpperCaseInPath", 17],
    ["docker.io/docker///docker", "InvalidFormat"],
    ["[fc00::1]", "InvalidFormat"],
    ["[fc00::1]:5000", "InvalidFormat"],
    ["fc00::1:5000/debian", "InvalidFormat"],
    ["[fe80::1%eth0]:5000/debian", "InvalidFormat"],
    ["[2001:db8:3:4::192.0.2.33]:5000/debian", "InvalidFormat"],
    [IMAGE_ID, "ImageIdAsName"],
    // TestValidateRemoteName (invalid)
    ["docker-/docker", "InvalidFormat"],
    ["-docker-/docker", "InvalidFormat"],
    ["____/____", "InvalidFormat", 0],
    ["_docker/_docker", "InvalidFormat", 0],
    ["dock..er/docker", "InvalidFormat", 5],
    ["dock_.er/docker", "InvalidFormat", 5],
    ["dock-.er/docker", "InvalidFormat", 4],
    ["docker/", "InvalidFormat", 7],
    [
      "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
      "NameTooLong",
      255
    ],
    // TestInvalidReferenceComponents
    ["-foo", "InvalidFormat", 0],
    // TestFullNameRegexp (no match)
    ["a/a/a/a/", "InvalidFormat", 8],
    ["a//a/a", "InvalidFormat", 2],
    ["foo.com/", "InvalidFormat", 8],
    ["foo.com:http/bar", "InvalidFormat", 8],
    ["a^a", "InvalidFormat", 1],
    ["asdf$$^/aa", "InvalidFormat", 4],
    ["a-/a/a/a", "InvalidFormat", 2],
    ["foo.com/a-/a/a", "InvalidFormat", 10],
    ["-foo/bar", "InvalidFormat", 0],
    ["foo/bar-", "InvalidFormat", 8],
    ["foo-/bar", "InvalidFormat", 4],
    ["foo/-bar", "InvalidFormat", 4],
    ["_foo/bar", "InvalidFormat", 0],
    ["foo_bar.com:8080/app", "InvalidFormat", 3],
    ["docker_/docker_", "InvalidFormat", 7],
    ["example.com/__underscore/myimage", "InvalidFormat", 12],
    ["example.com/..dots/myimage", "InvalidFormat", 12],
    ["example.com/.dots/myimage", "InvalidFormat", 12],
    ["example.com/nodouble..dots/myimage", "InvalidFormat", 21],
    ["docker./docker", "InvalidFormat", 7],
    [".docker/docker", "InvalidFormat", 0],
    ["do..cker/docker", "InvalidFormat", 3],
    ["do__cker:8080/docker", "InvalidFormat", 2],
    // Parse says ErrNameContainsUppercase: lower-cased it would be valid.
    ["Foo/FarB", "UpperCaseInPath", 4],
    // TestReferenceRegexp (no match)
    ["registry.com:8080/myapp@sha256:badbadbadbad", "InvalidDigest"],
    ["registry.com:8080/myapp:invalid~tag", "InvalidFormat", 31],
    ["bad_hostname.com:8080/myapp:tag", "InvalidFormat", 3],
    [`localhost:http/name@${BE}`, "InvalidFormat", 10],
    ["registry.com:8080/myapp@bad", "InvalidDigest", 27],
    ["registry.com:8080/myapp@2bad", "InvalidDigest", 24],
    // TestDomainRegexp, as "<domain>/repo"
    ["test.com:http/repo", "InvalidFormat", 9],
    ["-ab.com/repo", "InvalidFormat", 0],
    ["ab-.com/repo", "InvalidFormat", 2],
    ["ab.-com/repo", "InvalidFormat", 3],
    ["ab.com-/repo", "InvalidFormat", 6],
    ["[fd00:1:2::3]75050/repo", "InvalidFormat", 13],
    ["[fd00:1:2::3]::75050/repo", "InvalidFormat", 14],
    ["[fd00:1:2::3%eth0]:75050/repo", "InvalidFormat", 12],
    ["fd00:1:2::3:75050/repo", "InvalidFormat", 6],
    // TestIdentifierRegexp: upper-case hex is no ID, but an upper-case path
    ["7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C", "UpperCaseInPath", 1],
    [DBCC, "ImageIdAsName"],
    // TestParseAnyReference: ParseAnyReference would read a bare ID as sha256:<id>; a name cannot be one.
    [IMAGE_ID, "ImageIdAsName"],
    // TestWithDigest / TestWithTag vectors: WithDigest only checks the grammar (>= 32 hex), Parse and
    // the docker CLI require exactly 64 for sha256.
    ["test.com/foo@sha256:1234567890098765432112345667890098765", "InvalidDigest", 20]
  ]
  for (const c of cases) it(label(c[0]), () => checkInvalid(c))
})

describe("grammar edge cases (image-reference-grammar.md)", () => {
  const valid: ReadonlyArray<Valid> = [
    // dotted quads are domain names: no IPv4 range check
    ["999.999.999.999/foo", "999.999.999.999", "foo"],
    ["192.168.001.001/foo", "192.168.001.001", "foo"],
    // IPv6 is only "[hex and colons]"
    ["[:::::]:5000/foo", "[:::::]:5000", "foo"],
    ["[2001:DB8::1]/foo", "[2001:DB8::1]", "foo"],
    ["[0:0:0:0:0:0:0:1]/foo", "[0:0:0:0:0:0:0:1]", "foo"],
    ["[::ffff:102:304]/foo", "[::ffff:102:304]", "foo"],
    // a bracketed segment is a host even without ':' (it can never be a path; Docker's
    // ParseNormalizedNamed, which looks for '.' or ':', rejects these)
    ["[1]/foo", "[1]", "foo"],
    ["[abcdef]/foo:1", "[abcdef]", "foo", "1"],
    ["[1]:5000/foo", "[1]:5000", "foo"],
    ["[AbC:1]/x/y", "[AbC:1]", "x/y"],
    [`[::1]/foo@${SHA256}`, "[::1]", "foo", undefined, SHA256],
    [`[::1]/${"a".repeat(255)}`, "[::1]", "a".repeat(255)],
    // no length limit on domains, no range or digit limit on ports, leading zeros kept
    [`${"a".repeat(300)}.com/foo`, `${"a".repeat(300)}.com`, "foo"],
    ["localhost:65536/foo", "localhost:65536", "foo"],
    ["localhost:99999999999999999999/foo", "localhost:99999999999999999999", "foo"],
    ["localhost:0/foo", "localhost:0", "foo"],
    ["localhost:005000/foo", "localhost:005000", "foo"],
    // tags: 1-128 of [\w.-], not starting with '.' or '-'
    ["foo:tag.", undefined, "foo", "tag."],
    ["foo:tag-", undefined, "foo", "tag-"],
    ["foo:_", undefined, "foo", "_"],
    [`foo:${"t".repeat(128)}`, undefined, "foo", "t".repeat(128)],
    // separators
    ["foo__bar", undefined, "foo__bar"],
    ["foo---bar", undefined, "foo---bar"],
    ["a.b-c_d__e---f", undefined, "a.b-c_d__e---f"],
    // limits on the path: 255, plus the implied "library/" for a single Docker Hub segment
    ["a".repeat(247), undefined, "a".repeat(247)],
    [`docker.io/${"a".repeat(247)}`, "docker.io", "a".repeat(247)],
    [`docker.io/a/${"a".repeat(253)}`, "docker.io", `a/${"a".repeat(253)}`],
    [`localhost/${"a".repeat(255)}`, "localhost", "a".repeat(255)],
    // a segment with '.' that is no valid host: the whole name is the path (Docker: Domain() == "")
    ["ex_ample.com/foo", undefined, "ex_ample.com/foo"],
    ["my_registry.com/foo:1", undefined, "my_registry.com/foo", "1"],
    // upper-case domains are kept; only exact "docker.io" is Docker Hub
    ["Docker.IO/library/alpine", "Docker.IO", "library/alpine"],
    ["LOCALHOST/foo", "LOCALHOST", "foo"],
    ["Foo.com/bar", "Foo.com", "bar"],
    ["1.2.3.4.example.com:5000/foo", "1.2.3.4.example.com:5000", "foo"],
    ["10.0.0.1.nip.io/foo", "10.0.0.1.nip.io", "foo"],
    ["192.168.1.1foo/bar", "192.168.1.1foo", "bar"],
    ["1.2.3/foo", "1.2.3", "foo"],
    ["registry-1.docker.io/library/alpine", "registry-1.docker.io", "library/alpine"],
    [`gcr.io/library/busybox:latest@${SHA256}`, "gcr.io", "library/busybox", "latest", SHA256]
  ]
  for (const c of valid) it(`valid: ${label(c[0])}`, () => checkValid(c))

  const invalid: ReadonlyArray<Invalid> = [
    ["[]/foo", "InvalidFormat", 1],
    ["[::1]", "InvalidFormat", 0],
    ["[::1]:5000", "InvalidFormat", 0],
    ["[::ffff:192.0.2.1]/foo", "InvalidFormat", 11],
    // IPv6 hosts: only hex digits and ':' between the brackets, then an optional port and a path
    ["[::1]/", "InvalidFormat", 6],
    ["[::1]x/foo", "InvalidFormat", 5],
    ["[::1]:/foo", "InvalidFormat", 6],
    ["[::1]:50a0/foo", "InvalidFormat", 8],
    ["[::1/foo", "InvalidFormat", 4],
    ["[[::1]]/foo", "InvalidFormat", 1],
    ["[::1]]/foo", "InvalidFormat", 5],
    ["[fe80::1%eth0]/foo", "InvalidFormat", 8],
    ["[::g]/foo", "InvalidFormat", 3],
    ["[ ::1]/foo", "InvalidFormat", 1],
    ["x[::1]/foo", "InvalidFormat", 1],
    ["[::1]/Foo:1", "UpperCaseInPath", 6],
    ["[1]", "InvalidFormat", 0],
    ["localhost:/foo", "InvalidFormat", 10],
    ["localhost:+80/foo", "InvalidFormat", 10],
    ["localhost:-1/foo", "InvalidFormat", 10],
    ["foo:.tag", "InvalidFormat", 4],
    ["foo:-tag", "InvalidFormat", 4],
    ["foo:1.0.0+build", "InvalidFormat", 9],
    ["foo:v1~rc", "InvalidFormat", 6],
    [`foo:${"t".repeat(129)}`, "InvalidFormat", 132],
    ["foo..bar", "InvalidFormat", 4],
    ["foo._bar", "InvalidFormat", 4],
    ["foo___bar", "InvalidFormat", 5],
    ["foo-_bar", "InvalidFormat", 4],
    ["_foo", "InvalidFormat", 0],
    ["foo-", "InvalidFormat", 4],
    ["foo.", "InvalidFormat", 4],
    ["a//b", "InvalidFormat", 2],
    ["foo\n", "InvalidFormat", 3],
    ["foo:tag\n", "InvalidFormat", 7],
    [" foo", "InvalidFormat", 0],
    ["foo bar", "InvalidFormat", 3],
    ["fooé", "InvalidFormat", 3],
    ["föo/bar", "InvalidFormat"],
    ["foo\u0000", "InvalidFormat", 3],
    // the path limit (Parse alone would accept the first three: it counts neither "library/" nor a
    // first segment it takes for a domain)
    ["a".repeat(248), "NameTooLong", 247],
    [`docker.io/${"a".repeat(248)}`, "NameTooLong"],
    [`${"a/".repeat(128)}a:tag`, "NameTooLong"],
    ["a".repeat(256), "NameTooLong"],
    [`example.com:5000/${"a/".repeat(127)}ab`, "NameTooLong"],
    // digests: only sha256/384/512, exact length, lowercase hex
    [`foo@sha256:${HEX32}`, "InvalidDigest", 11],
    [`foo@sha256:${"a".repeat(63)}`, "InvalidDigest"],
    [`foo@sha256:${"a".repeat(65)}`, "InvalidDigest"],
    [`foo@sha256:${"F".repeat(64)}`, "InvalidDigest", 11],
    [`foo@SHA256:${F64}`, "InvalidDigest", 4],
    [`foo@md5:${HEX32}`, "InvalidDigest", 4],
    [`foo@sha256+b64u:${F64}`, "InvalidDigest", 4],
    [`foo@sha512:${F64}`, "InvalidDigest"],
    [`foo@sha256:${"f".repeat(31)}`, "InvalidDigest"],
    [`foo@sha256:${F64}g`, "InvalidDigest", 75],
    ["foo@", "InvalidDigest", 4],
    ["foo@sha256", "InvalidDigest", 10],
    [`foo@1sha:${F64}`, "InvalidDigest", 4],
    [`foo@sha256-:${F64}`, "InvalidDigest", 11],
    [`foo:tag@sha256:${F64}:x`, "InvalidDigest"],
    // error precedence: upper case is blamed only when it is the sole problem
    ["-Docker/docker", "InvalidFormat", 0],
    ["[::1]/Foo", "UpperCaseInPath", 6],
    ["docker.io/library/Alpine:latest", "UpperCaseInPath", 18],
    ["UPPER", "UpperCaseInPath", 0],
    ["fooBar", "UpperCaseInPath", 3],
    ["Bad Image", "InvalidFormat", 3],
    ["FOO_BAR/x", "UpperCaseInPath", 0],
    ["ex_ample.Com/foo", "UpperCaseInPath", 9]
  ]
  for (const c of invalid) it(`invalid: ${label(c[0])}`, () => checkInvalid(c))
})

// ---------------------------------------------------------------------------------------------
// ociman 0.8 (reference.rs): its tests (inventory §3.2) and extra edge cases (§3.3), as whole
// references. "ociman:" comments mark where the expected outcome differs on purpose.
// ---------------------------------------------------------------------------------------------

describe("ociman reference.rs cases (§3.2)", () => {
  const valid: ReadonlyArray<Valid> = [
    // DomainComponent / DomainName / Host / Domain
    ["example.com/x", "example.com", "x"],
    ["my-registry.com/x", "my-registry.com", "x"],
    ["my--registry.com/x", "my--registry.com", "x"],
    ["docker.io/x", "docker.io", "x"],
    ["ghcr.io/x", "ghcr.io", "x"],
    ["192.168.1.1/x", "192.168.1.1", "x"],
    ["[::1]/x", "[::1]", "x"],
    ["999.999.999.999/x", "999.999.999.999", "x"],
    ["localhost:5000/x", "localhost:5000", "x"],
    ["myhost:5000/x", "myhost:5000", "x"],
    ["localhost/x", "localhost", "x"],
    // is_registry("myproject") is false: no domain
    ["myproject/x", undefined, "myproject/x"],
    // PathComponent
    ["alpine", undefined, "alpine"],
    ["my_image-name.test", undefined, "my_image-name.test"],
    ["foo-bar", undefined, "foo-bar"],
    ["foo--bar", undefined, "foo--bar"],
    ["foo---bar", undefined, "foo---bar"],
    ["foo__bar", undefined, "foo__bar"],
    ["foo.bar", undefined, "foo.bar"],
    ["a-b_c.d__e---f", undefined, "a-b_c.d__e---f"],
    ["pg-ephemeral", undefined, "pg-ephemeral"],
    ["foo_bar", undefined, "foo_bar"],
    // Path / Name
    ["library/alpine", undefined, "library/alpine"],
    ["owner/repo/subpath", undefined, "owner/repo/subpath"],
    ["docker.io/library/alpine", "docker.io", "library/alpine"],
    ["pg-ephemeral/main", undefined, "pg-ephemeral/main"],
    ["localhost/pg-ephemeral/main", "localhost", "pg-ephemeral/main"],
    ["myhost:5000/myimage", "myhost:5000", "myimage"],
    ["myorg/myproject/myimage", undefined, "myorg/myproject/myimage"],
    ["ghcr.io/myorg", "ghcr.io", "myorg"],
    // Tag
    ["alpine:latest", undefined, "alpine", "latest"],
    ["alpine:v1.2.3-alpine", undefined, "alpine", "v1.2.3-alpine"],
    ["alpine:_latest", undefined, "alpine", "_latest"],
    // Reference
    ["docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest"],
    // ociman: its vectors use a 32-hex sha256 digest; the grammar needs 64, so a 64-hex one here.
    [`alpine@${SHA256}`, undefined, "alpine", undefined, SHA256],
    [`docker.io/library/alpine:3.18@${SHA256}`, "docker.io", "library/alpine", "3.18", SHA256],
    // pg-ephemeral and ociman's testing.rs spellings
    ["registry.hub.docker.com/library/postgres:17", "registry.hub.docker.com", "library/postgres", "17"],
    ["docker.io/ruby:3.4-alpine", "docker.io", "ruby", "3.4-alpine"]
  ]
  for (const c of valid) it(`valid: ${label(c[0])}`, () => checkValid(c))

  const invalid: ReadonlyArray<Invalid> = [
    ["", "Empty"],
    ["-example.com/x", "InvalidFormat", 0],
    ["example-.com/x", "InvalidFormat", 7],
    ["_invalid", "InvalidFormat", 0],
    ["@invalid", "InvalidFormat", 0],
    [".example.com/x", "InvalidFormat", 0],
    ["localhost:abc/x", "InvalidFormat", 10],
    ["[::1/x", "InvalidFormat"],
    ["ALPINE", "UpperCaseInPath", 0],
    ["_alpine", "InvalidFormat", 0],
    [".alpine", "InvalidFormat", 0],
    ["-alpine", "InvalidFormat", 0],
    ["foo-", "InvalidFormat", 4],
    ["/alpine", "InvalidFormat", 0],
    ["library//alpine", "InvalidFormat", 8],
    ["bad name with spaces", "InvalidFormat", 3],
    ["alpine:", "InvalidFormat", 7],
    ["alpine:.latest", "InvalidFormat", 7],
    ["alpine:-latest", "InvalidFormat", 7],
    ["alpine@", "InvalidDigest", 7],
    ["alpine@sha256:tooshort", "InvalidDigest", 14],
    ["alpine!latest", "InvalidFormat", 6],
    ["alpine@sha2560123456789abcdef0123456789abcdef", "InvalidDigest"],
    ["alpine@sha256:0123456789abcdef", "InvalidDigest"],
    [`alpine@sha256:${F64}gh`, "InvalidDigest", 78],
    // ociman accepts these 32-hex sha256 digests (its own doc example); go-digest requires 64.
    [`alpine@sha256:${HEX32}`, "InvalidDigest", 14],
    [`docker.io/library/alpine:3.18@sha256:${HEX32}`, "InvalidDigest"]
  ]
  for (const c of invalid) it(`invalid: ${label(c[0])}`, () => checkInvalid(c))
})

describe("ociman extra edge cases (§3.3)", () => {
  const valid: ReadonlyArray<Valid> = [
    ["localhost:5000", undefined, "localhost", "5000"],
    ["localhost:5000abc", undefined, "localhost", "5000abc"],
    // ociman: re-rendered as localhost:5000/foo; the grammar keeps the spelling.
    ["localhost:05000/foo", "localhost:05000", "foo"],
    // ociman: rejected (port > u16); the grammar has no range check.
    ["localhost:65536/foo", "localhost:65536", "foo"],
    ["localhost:65535/foo", "localhost:65535", "foo"],
    ["localhost:0/foo", "localhost:0", "foo"],
    ["[::1]:5000/foo:bar", "[::1]:5000", "foo", "bar"],
    // ociman: displayed as [::1]/foo and [::ffff:1.2.3.4]/foo; the grammar keeps the spelling.
    ["[0:0:0:0:0:0:0:1]/foo", "[0:0:0:0:0:0:0:1]", "foo"],
    ["[::ffff:102:304]/foo", "[::ffff:102:304]", "foo"],
    ["192.168.1.1:5000/x/y:z", "192.168.1.1:5000", "x/y", "z"],
    ["Docker.IO/library/alpine", "Docker.IO", "library/alpine"],
    // ociman: rejected (a single label is no registry, and the path rejects upper case); Docker
    // takes an upper-case first segment for a domain.
    ["Foo/bar", "Foo", "bar"],
    ["LOCALHOST/foo", "LOCALHOST", "foo"],
    ["my_registry.com/foo", undefined, "my_registry.com/foo"],
    // ociman: no domain (its IPv4 parser does not backtrack); the grammar reads a domain name.
    ["192.168.1.1foo/bar", "192.168.1.1foo", "bar"],
    ["1.2.3/foo", "1.2.3", "foo"],
    ["my.project/image", "my.project", "image"],
    // ociman has 32 hex here; a 64-hex digest keeps the case valid under go-digest.
    [`alpine:tag@${SHA256}`, undefined, "alpine", "tag", SHA256],
    [`alpine:${"t".repeat(128)}`, undefined, "alpine", "t".repeat(128)],
    ["alpine:UPPER", undefined, "alpine", "UPPER"]
  ]
  for (const c of valid) it(`valid: ${label(c[0])}`, () => checkValid(c))

  const invalid: ReadonlyArray<Invalid> = [
    ["docker.io/", "InvalidFormat", 10],
    ["docker.io/Foo", "UpperCaseInPath", 10],
    ["foo.bar:baz/qux", "InvalidFormat", 8],
    ["a:b:c", "InvalidFormat", 3],
    ["alpine:latest:x", "InvalidFormat", 13],
    ["foo-.com/x", "InvalidFormat", 3],
    ["a___b", "InvalidFormat", 3],
    ["foo_", "InvalidFormat", 4],
    ["a_.b", "InvalidFormat", 2],
    ["a._b", "InvalidFormat", 2],
    [`alpine:${"t".repeat(129)}`, "InvalidFormat", 135],
    ["localhost:+5000/foo", "InvalidFormat", 10],
    // ociman: accepted (syntax-only digests); go-digest does not know these algorithms.
    [`alpine@sha256+b64u:${F64}`, "InvalidDigest", 7],
    [`alpine@a.b-c_d:${F64}`, "InvalidDigest", 7],
    ["alpine@1sha:0123456789abcdef0123456789abcdef", "InvalidDigest", 7],
    ["alpine@sha256-:0123456789abcdef0123456789abcdef", "InvalidDigest", 14],
    // ociman: accepted with case preserved; go-digest wants lowercase hex.
    [`alpine@sha256:${"ABCDEF0123456789".repeat(4)}`, "InvalidDigest", 14],
    // ociman: accepted (no length limit)
    [`domain/${"a".repeat(256)}:tag`, "NameTooLong"],
    [`example.com/${"a".repeat(256)}`, "NameTooLong"]
  ]
  for (const c of invalid) it(`invalid: ${label(c[0])}`, () => checkInvalid(c))
})

// ---------------------------------------------------------------------------------------------
// normalize / familiar (ParseNormalizedNamed(s).String() and FamiliarString)
// ---------------------------------------------------------------------------------------------

describe("normalize and familiar", () => {
  // [input, normalize, familiar]: TestParseRepositoryInfo, TestNormalizedSplitHostname,
  // TestParseAnyReference, TestParseReferenceWithTagAndDigest.
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["localhost/fooo", "localhost/fooo", "localhost/fooo"],
    ["localhost/fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar"],
    ["LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo"],
    ["LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar"],
    ["fooo/bar", "docker.io/fooo/bar", "fooo/bar"],
    ["docker.io/fooo/bar", "docker.io/fooo/bar", "fooo/bar"],
    ["index.docker.io/fooo/bar", "docker.io/fooo/bar", "fooo/bar"],
    ["ubuntu", "docker.io/library/ubuntu", "ubuntu"],
    ["docker.io/library/ubuntu", "docker.io/library/ubuntu", "ubuntu"],
    ["library/ubuntu", "docker.io/library/ubuntu", "ubuntu"],
    ["nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "nonlibrary/ubuntu"],
    ["other/library", "docker.io/other/library", "other/library"],
    ["127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase"],
    ["127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase"],
    ["example.com/private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase"],
    ["example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee"],
    ["ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base"],
    ["index.docker.io/library/ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base"],
    ["foo", "docker.io/library/foo", "foo"],
    ["docker.io/foo", "docker.io/library/foo", "foo"],
    ["index.docker.io/foo", "docker.io/library/foo", "foo"],
    ["library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar"],
    ["docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar"],
    ["store/foo/bar", "docker.io/store/foo/bar", "store/foo/bar"],
    ["Foo/bar", "Foo/bar", "Foo/bar"],
    ["FOO/bar", "FOO/bar", "FOO/bar"],
    ["test.com/foo", "test.com/foo", "test.com/foo"],
    ["test_com/foo", "docker.io/test_com/foo", "test_com/foo"],
    ["docker/migrator", "docker.io/docker/migrator", "docker/migrator"],
    ["test.com:8080/foo", "test.com:8080/foo", "test.com:8080/foo"],
    ["test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo"],
    ["xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo"],
    ["redis:latest", "docker.io/library/redis:latest", "redis:latest"],
    ["docker.io/library/redis:latest", "docker.io/library/redis:latest", "redis:latest"],
    [`redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`, `redis@sha256:${DBCC}`],
    ["dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp:latest"],
    ["docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest", "mcgowan/myapp:latest"],
    [`dmcgowan/myapp@sha256:${DBCC}`, `docker.io/dmcgowan/myapp@sha256:${DBCC}`, `dmcgowan/myapp@sha256:${DBCC}`],
    [DBCC.slice(0, 63), `docker.io/library/${DBCC.slice(0, 63)}`, DBCC.slice(0, 63)],
    ["dbcc1", "docker.io/library/dbcc1", "dbcc1"],
    // ParseAnyReference would read this as a bare digest; as a name it is "sha256" with a tag.
    [`sha256:${DBCC}`, `docker.io/library/sha256:${DBCC}`, `sha256:${DBCC}`],
    [
      "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
      "docker.io/library/busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
      "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
    ],
    // no ":latest" is added (that is ParseDockerRef, not ParseNormalizedNamed)
    ["busybox", "docker.io/library/busybox", "busybox"],
    ["gcr.io/library/busybox", "gcr.io/library/busybox", "gcr.io/library/busybox"],
    // bare single names are always Docker Hub images (upstream FIXME)
    ["localhost", "docker.io/library/localhost", "localhost"],
    ["localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"],
    ["example.com", "docker.io/library/example.com", "example.com"],
    ["docker.io", "docker.io/library/docker.io", "docker.io"],
    // only exact lowercase docker.io / index.docker.io are Docker Hub
    ["Docker.io/foo", "Docker.io/foo", "Docker.io/foo"],
    ["registry-1.docker.io/library/foo", "registry-1.docker.io/library/foo", "registry-1.docker.io/library/foo"],
    // not a valid host: Docker keeps the name without any domain
    ["ex_ample.com/foo", "ex_ample.com/foo", "ex_ample.com/foo"],
    ["[::1]:5000/foo:bar", "[::1]:5000/foo:bar", "[::1]:5000/foo:bar"]
  ]
  it.each(cases)("%s", (input, normalized, familiar) => {
    const ref = parseOk(input)
    expect(ImageReference.normalize(ref)).toBe(normalized)
    expect(ImageReference.familiar(ref)).toBe(familiar)
    // the normalized form means the same image
    expect(ImageReference.normalize(parseOk(normalized))).toBe(normalized)
    expect(ImageReference.familiar(parseOk(normalized))).toBe(familiar)
  })

  // TestParseNamed: canonical means normalize(s) === s
  it.each([
    ["test.com/foo", true],
    ["test:8080/foo", true],
    ["docker.io/library/foo", true],
    ["test_com/foo", false],
    ["test.com", false],
    ["foo", false],
    ["library/foo", false],
    ["docker.io/foo", false]
  ] as const)("canonical %s: %s", (input, canonical) => {
    expect(ImageReference.normalize(parseOk(input)) === input).toBe(canonical)
  })
})

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

describe("API", () => {
  it("values are Data: structural equality", () => {
    expect(Equal.equals(parseOk("ghcr.io/a/b:1"), parseOk("ghcr.io/a/b:1"))).toBe(true)
    expect(Equal.equals(parseOk("ghcr.io/a/b:1"), parseOk("ghcr.io/a/b:2"))).toBe(false)
    expect(Equal.equals(parseOk("alpine"), parseOk("docker.io/library/alpine"))).toBe(false)
    expect(Equal.equals(ImageReference.make({ path: "alpine", tag: "3" }), ImageReference.parse("alpine:3"))).toBe(true)
  })

  it("prints as written: template strings, JSON, Effect's logs and util.inspect", () =>
    Effect.gen(function* () {
      const written = `[::1]:05000/Team/app:v1@${SHA256}`.replace("Team", "team")
      const ref = parseOk(written)
      expect(`${ref}`).toBe(written)
      expect(String(ref)).toBe(written)
      expect(JSON.stringify({ image: ref })).toBe(JSON.stringify({ image: written }))
      expect(inspect(ref)).toBe(written)
      expect(Inspectable.format(ref)).toBe(JSON.stringify(written))
      const logged: Array<unknown> = []
      // what the structured loggers (Logger.json, Logger.structured) write
      const logger = Logger.make(({ message }) => void logged.push(Inspectable.toJSON(message)))
      yield* Effect.log(ref).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(logged).toEqual([[written]])
      // a reference built from parts, or given as a plain object, prints the same way
      expect(`${Either.getOrThrow(ImageReference.make({ domain: "ghcr.io", path: "org/app", tag: "1" }))}`).toBe(
        "ghcr.io/org/app:1"
      )
      const plain = { domain: undefined, path: "alpine", tag: "3", digest: undefined }
      expect(`${Either.getOrThrow(ImageReference.fromInput(plain))}`).toBe("alpine:3")
      expect(Equal.equals(Either.getOrThrow(ImageReference.fromInput(plain)), parseOk("alpine:3"))).toBe(true)
      // the fields stay plain data
      expect({ ...ref }).toEqual({ domain: "[::1]:05000", path: "team/app", tag: "v1", digest: SHA256 })
    }).pipe(Effect.runSync))

  it("name drops tag and digest", () => {
    expect(ImageReference.name(parseOk(`ghcr.io/org/app:1.2@${SHA256}`))).toBe("ghcr.io/org/app")
    expect(ImageReference.name(parseOk("alpine:3"))).toBe("alpine")
  })

  it("the error message names the input, the problem and the position", () => {
    const error = parseErr("alpine:.latest")
    expect(error.position).toBe(7)
    expect(error.message).toBe(
      `invalid image reference "alpine:.latest": found "." where a tag starting with a letter, digit or '_' was expected (at index 7)`
    )
    expect(parseErr("ALPINE").message).toContain("must be lowercase")
    expect(parseErr(IMAGE_ID).message).toContain("image ID")
    expect(parseErr("").message).toBe(`invalid image reference "": an image reference cannot be empty`)
    expect(parseErr(`foo@md5:${HEX32}`).message).toContain("unsupported digest algorithm")
    expect(parseErr(`foo@SHA256:${F64}`).message).toContain(`use "sha256"`)
    // control characters are escaped, huge inputs are cut in the message (not in the field)
    expect(parseErr("foo\u0007").message).toContain(`"foo\\u0007"`)
    const huge = parseErr(`${"a".repeat(100_000)}!`)
    expect(huge.input.length).toBe(100_001)
    expect(huge.message.length).toBeLessThan(600)
    expect(huge.message).toContain("(100001 characters)")
  })

  it.effect("parseEffect succeeds and fails in the error channel", () =>
    Effect.gen(function* () {
      const ref = yield* ImageReference.parseEffect("ghcr.io/org/app:1.2")
      expect(ref.domain).toBe("ghcr.io")
      const error = yield* Effect.flip(ImageReference.parseEffect("Bad Image"))
      expect(error._tag).toBe("InvalidImageReference")
      expect(error.reason).toBe("InvalidFormat")
      const caught = yield* ImageReference.parseEffect("").pipe(
        Effect.catchTag("InvalidImageReference", (e) => Effect.succeed(e.reason))
      )
      expect(caught).toBe("Empty")
    })
  )

  it("make validates the parts as a whole", () => {
    expect(ImageReference.make({ domain: "ghcr.io", path: "org/app", tag: "1.2" })).toStrictEqual(
      ImageReference.parse("ghcr.io/org/app:1.2")
    )
    expect(Either.isRight(ImageReference.make({ path: "alpine" }))).toBe(true)
    const reason = (parts: Parameters<typeof ImageReference.make>[0]) =>
      pipe(ImageReference.make(parts), Either.match({ onLeft: (e) => e.reason, onRight: () => "ok" }))
    // "team/app" has no domain for Docker, "localhost/app" has one: the split would change.
    expect(reason({ domain: "team", path: "app" })).toBe("InvalidFormat")
    expect(reason({ path: "localhost/app" })).toBe("InvalidFormat")
    expect(reason({ domain: "ex_ample.com", path: "app" })).toBe("InvalidFormat")
    expect(reason({ path: "Alpine" })).toBe("UpperCaseInPath")
    expect(reason({ path: "alpine", tag: "" })).toBe("InvalidFormat")
    expect(reason({ path: "alpine", digest: "sha256:abc" })).toBe("InvalidDigest")
    expect(reason({ path: "" })).toBe("Empty")
    expect(reason({ path: "alpine:3" })).toBe("InvalidFormat")
    expect(reason({ domain: "Foo", path: "bar" })).toBe("ok")
  })

  it("withTag and withDigest validate, data-first and data-last", () => {
    const ref = parseOk(`alpine@${SHA256}`)
    expect(Either.map(ImageReference.withTag(ref, "3.20"), ImageReference.format)).toStrictEqual(
      Either.right(`alpine:3.20@${SHA256}`)
    )
    expect(pipe(parseOk("a:1"), ImageReference.withTag("2"), Either.map(ImageReference.format))).toStrictEqual(
      Either.right("a:2")
    )
    expect(Either.isLeft(ImageReference.withTag(ref, "-bad"))).toBe(true)
    expect(Either.isLeft(ImageReference.withTag(ref, "t".repeat(129)))).toBe(true)
    expect(Either.isRight(ImageReference.withTag(ref, "t".repeat(128)))).toBe(true)
    const digest = `sha512:${"0".repeat(128)}`
    expect(pipe(parseOk("a:1"), ImageReference.withDigest(digest), Either.map(ImageReference.format))).toStrictEqual(
      Either.right(`a:1@${digest}`)
    )
    // distribution's WithDigest accepts 37 hex (grammar only); Parse and this module do not.
    expect(
      Either.isLeft(ImageReference.withDigest(parseOk("test.com/foo"), "sha256:1234567890098765432112345667890098765"))
    ).toBe(true)
  })

  it("isImageReference checks shape and validity", () => {
    expect(ImageReference.isImageReference(parseOk("a/b:c"))).toBe(true)
    expect(ImageReference.isImageReference({ domain: undefined, path: "a", tag: undefined, digest: undefined })).toBe(
      true
    )
    expect(ImageReference.isImageReference({ domain: undefined, path: "A", tag: undefined, digest: undefined })).toBe(
      false
    )
    expect(ImageReference.isImageReference({ path: "a" })).toBe(false)
    expect(ImageReference.isImageReference("a")).toBe(false)
    expect(ImageReference.isImageReference(null)).toBe(false)
  })
})

describe("FromString schema", () => {
  it("decodes and encodes", () => {
    const ref = Schema.decodeUnknownSync(ImageReference.FromString)("postgres:17")
    expect(ref).toStrictEqual(parseOk("postgres:17"))
    expect(Schema.encodeSync(ImageReference.FromString)(parseOk("ghcr.io/a/b:1"))).toBe("ghcr.io/a/b:1")
  })

  it("fails with the InvalidImageReference message", () => {
    const result = Schema.decodeUnknownEither(ImageReference.FromString)("Bad Image")
    if (Either.isRight(result)) return expect.unreachable()
    expect(ParseResult.TreeFormatter.formatErrorSync(result.left)).toBe(parseErr("Bad Image").message)
    expect(result.left.message).toBe(parseErr("Bad Image").message)
    const notString = Schema.decodeUnknownEither(ImageReference.FromString)(42)
    if (Either.isRight(notString)) return expect.unreachable()
    expect(notString.left.message).toContain("Expected string")
  })

  it("refuses to encode an invalid value", () => {
    const bogus = { domain: undefined, path: "Not Valid", tag: undefined, digest: undefined }
    expect(Either.isLeft(Schema.encodeEither(ImageReference.FromString)(bogus))).toBe(true)
  })

  it.effect("works as a Config", () =>
    Effect.gen(function* () {
      const config = Schema.Config("IMAGE", ImageReference.FromString)
      const provide = (value: string) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["IMAGE", value]])))
      const ref = yield* provide("ghcr.io/org/app:1")(config)
      expect(ref.domain).toBe("ghcr.io")
      const error = yield* Effect.flip(provide("ghcr.io/org/App")(config))
      expect(String(error)).toContain(parseErr("ghcr.io/org/App").message)
    })
  )
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/**
 * An independent model of `ParseNormalizedNamed`: the Go regexes of distribution/reference (JS
 * regexes agree with RE2 on these ASCII patterns; `$` without /m only matches at the very end),
 * splitDockerDomain and go-digest with sha256/384/512 registered. Returns what a reference must be.
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
const DOMAIN_AND_PORT = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`
const REFERENCE_RE = new RegExp(
  `^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}))?$`
)
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`)
const DIGEST_SIZES = new Map([
  ["sha256", 64],
  ["sha384", 96],
  ["sha512", 128]
])

interface Model {
  readonly domain: string | undefined
  readonly path: string
  readonly normalized: string
  readonly familiar: string
}

const model = (s: string): Model | undefined => {
  if (/^[a-f0-9]{64}$/.test(s)) return undefined
  const slash = s.indexOf("/")
  let hubDomain: string | undefined // the domain splitDockerDomain picks, as written
  let domain: string
  let remainder: string
  if (slash < 0) {
    domain = "docker.io"
    remainder = `library/${s}`
  } else {
    const maybe = s.slice(0, slash)
    // splitDockerDomain's rule, plus this library's one addition: a bracketed segment is an IPv6 host
    if (maybe === "localhost" || /[.:]/.test(maybe) || maybe.toLowerCase() !== maybe || maybe.startsWith("[")) {
      hubDomain = maybe
      domain = maybe === "index.docker.io" ? "docker.io" : maybe
      remainder = s.slice(slash + 1)
    } else {
      domain = "docker.io"
      remainder = s
    }
    if (domain === "docker.io" && !remainder.includes("/")) remainder = `library/${remainder}`
  }
  const colon = remainder.indexOf(":")
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder
  if (remote.toLowerCase() !== remote) return undefined
  const match = REFERENCE_RE.exec(`${domain}/${remainder}`)
  if (match === null) return undefined
  const [, fullName = "", tag, digest] = match
  const nameMatch = ANCHORED_NAME_RE.exec(fullName)
  if (nameMatch === null) return undefined
  const [, parsedDomain, parsedPath = ""] = nameMatch
  if (parsedPath.length > 255) return undefined
  if (digest !== undefined) {
    const [algorithm = "", hex = ""] = digest.split(":")
    if (DIGEST_SIZES.get(algorithm) !== hex.length || !/^[a-f0-9]+$/.test(hex)) return undefined
  }
  const suffix = `${tag === undefined ? "" : `:${tag}`}${digest === undefined ? "" : `@${digest}`}`
  const writtenName = s.slice(0, s.length - suffix.length)
  const writtenDomain = hubDomain !== undefined && parsedDomain !== undefined ? hubDomain : undefined
  let familiarName = fullName
  if (parsedDomain === "docker.io") {
    const rest = parsedPath.startsWith("library/") ? parsedPath.slice("library/".length) : parsedPath
    familiarName = rest.includes("/") ? parsedPath : rest
  }
  return {
    domain: writtenDomain,
    path: writtenDomain === undefined ? writtenName : writtenName.slice(writtenDomain.length + 1),
    normalized: `${fullName}${suffix}`,
    familiar: `${familiarName}${suffix}`
  }
}

const agreesWithModel = (s: string): void => {
  const expected = model(s)
  const actual = ImageReference.parse(s)
  if (expected === undefined) {
    expect(Either.isLeft(actual), JSON.stringify(s)).toBe(true)
    return
  }
  if (Either.isLeft(actual)) return expect.unreachable(`${JSON.stringify(s)}: ${actual.left.message}`)
  const ref = actual.right
  expect({ domain: ref.domain, path: ref.path }, JSON.stringify(s)).toStrictEqual({
    domain: expected.domain,
    path: expected.path
  })
  expect(ImageReference.format(ref)).toBe(s)
  expect(ImageReference.normalize(ref)).toBe(expected.normalized)
  expect(ImageReference.familiar(ref)).toBe(expected.familiar)
}

const { constantFrom, stringMatching, oneof, option, array, tuple, integer, string, constant } = FastCheck

const pathComponent = stringMatching(/^[a-z0-9]{1,5}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,5}){0,2}$/)
const domainComponent = stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?$/)
const port = stringMatching(/^[0-9]{1,6}$/)
const host = oneof(
  array(domainComponent, { minLength: 2, maxLength: 4 }).map((parts) => parts.join(".")),
  constant("localhost"),
  stringMatching(/^\[[a-fA-F0-9]{0,4}:[a-fA-F0-9:]{0,12}\]$/),
  stringMatching(/^[A-Z][a-zA-Z0-9]{0,5}$/)
)
const domainArb = oneof(
  host,
  tuple(oneof(host, domainComponent), port).map(([h, p]) => `${h}:${p}`)
)
const digestArb = constantFrom(["sha256", 32] as const, ["sha384", 48] as const, ["sha512", 64] as const).chain(
  ([algorithm, bytes]) =>
    FastCheck.uint8Array({ minLength: bytes, maxLength: bytes }).map(
      (data) => `${algorithm}:${Buffer.from(data).toString("hex")}`
    )
)
const partsArb = tuple(
  option(domainArb, { nil: undefined }),
  array(pathComponent, { minLength: 1, maxLength: 4 }).map((cs) => cs.join("/")),
  option(stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined }),
  option(digestArb, { nil: undefined })
)
  // With no domain written, a first segment that looks like a host would be read as one.
  .filter(([domain, path]) => {
    const slash = path.indexOf("/")
    return domain !== undefined || slash < 0 || !/\.|^localhost$/.test(path.slice(0, slash))
  })
  .filter(([, path]) => !/^[a-f0-9]{64}$/.test(path))
const validArb = partsArb.map(([domain, path, tag, digest]) => ({ domain, path, tag, digest }))

const TOKENS = [
  "a", "b", "z", "0", "9", "A", "F", "Z", ".", "..", "_", "__", "-", "--", "/", "//", ":", "@", "[", "]",
  "::1", "localhost", "docker.io", "index.docker.io", "library", "sha256:", "sha512:", "md5:", "5000",
  "é", " ", "\n", "~", "+", F64, "F".repeat(64), HEX32
] // prettier-ignore
const tokenSoup = array(constantFrom(...TOKENS), { maxLength: 12 }).map((ts) => ts.join(""))
/** A valid reference with one character edited: near misses on every rule. */
const mutated = tuple(
  validArb.map((parts) => ImageReference.format(parts)),
  integer({ min: 0, max: 400 }),
  constantFrom("delete", "insert", "replace"),
  constantFrom(...TOKENS.filter((t) => t.length <= 2))
).map(([s, at, edit, token]) => {
  const i = at % (s.length + 1)
  if (edit === "delete") return s.slice(0, i) + s.slice(i + 1)
  if (edit === "insert") return s.slice(0, i) + token + s.slice(i)
  return s.slice(0, i) + token + s.slice(i + 1)
})

describe("properties", () => {
  it.prop(
    "generated valid references parse to their parts and format back exactly",
    [validArb],
    ([parts]) => {
      const ref = parseOk(ImageReference.format(parts))
      expect({ ...ref }).toStrictEqual(parts)
      expect(ImageReference.format(ref)).toBe(ImageReference.format(parts))
      expect(ImageReference.make(parts)).toStrictEqual(Either.right(ref))
    },
    { fastCheck: { numRuns: 1000 } }
  )

  it.prop(
    "normalize is a valid reference, idempotent, and keeps the familiar form",
    [validArb],
    ([parts]) => {
      const ref = parseOk(ImageReference.format(parts))
      const normalized = parseOk(ImageReference.normalize(ref))
      expect(ImageReference.normalize(normalized)).toBe(ImageReference.normalize(ref))
      expect(ImageReference.familiar(normalized)).toBe(ImageReference.familiar(ref))
      expect(ImageReference.normalize(parseOk(ImageReference.familiar(ref)))).toBe(ImageReference.normalize(ref))
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop("agrees with the regex model on valid references", [validArb], ([parts]) =>
    agreesWithModel(ImageReference.format(parts))
  )
  it.prop("agrees with the regex model on near misses", [mutated], ([s]) => agreesWithModel(s), {
    fastCheck: { numRuns: 3000 }
  })
  it.prop("agrees with the regex model on token soup", [tokenSoup], ([s]) => agreesWithModel(s), {
    fastCheck: { numRuns: 3000 }
  })

  it.prop(
    "agrees with the regex model around the 255-character path limit",
    [option(domainArb, { nil: undefined }), integer({ min: 0, max: 4 }), integer({ min: 230, max: 270 })],
    ([domain, slashes, length]) => {
      const path = `${"ab/".repeat(slashes)}${"c".repeat(Math.max(1, length - 3 * slashes))}`
      agreesWithModel(domain === undefined ? path : `${domain}/${path}`)
      agreesWithModel(`docker.io/${path}:tag`)
      agreesWithModel(`index.docker.io/${path}`)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "never throws on very long strings (repeated random chunks up to 100k characters)",
    [string({ unit: "binary", minLength: 1, maxLength: 12 }), integer({ min: 1_000, max: 100_000 })],
    ([chunk, length]) => {
      const s = chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length)
      const result = ImageReference.parse(s)
      expect(Either.isRight(result) ? ImageReference.format(result.right) : result.left.input).toBe(s)
    },
    { fastCheck: { numRuns: 100 } }
  )

  it.prop(
    "never throws, on any string, and reports a position inside the input",
    [oneof(string({ unit: "binary", maxLength: 300 }), string({ unit: "grapheme", maxLength: 50 }), string())],
    ([s]) => {
      const result = ImageReference.parse(s)
      if (Either.isRight(result)) {
        expect(ImageReference.format(result.right)).toBe(s)
      } else {
        const { position } = result.left
        expect(position === undefined || (position >= 0 && position <= s.length)).toBe(true)
        expect(typeof result.left.message).toBe("string")
      }
    },
    { fastCheck: { numRuns: 2000 } }
  )
})

describe("performance: linear time on hostile inputs", () => {
  const time = (input: string): number => {
    const start = performance.now()
    const result = ImageReference.parse(input)
    const elapsed = performance.now() - start
    expect(Either.isLeft(result) || Either.isRight(result)).toBe(true)
    return elapsed
  }
  const hostile: ReadonlyArray<readonly [string, string]> = [
    ["50k 'a-'", "a-".repeat(50_000)],
    ["50k 'a-' then '!'", `${"a-".repeat(50_000)}!`],
    ["50k 'a.' then '/x'", `${"a.".repeat(50_000)}/x`],
    ["100k '-'", `a${"-".repeat(100_000)}`],
    ["100k ':' in brackets", `[${":".repeat(100_000)}/x`],
    ["100k '/a'", `${"a/".repeat(50_000)}a:t`],
    ["long domain", `${"a-".repeat(50_000)}a.com/x`],
    ["long port", `localhost:${"9".repeat(100_000)}/x`],
    ["long tag", `a:${"t".repeat(100_000)}`],
    ["long digest", `a@sha256:${"f".repeat(100_000)}`],
    ["long digest algorithm", `a@${"a+".repeat(50_000)}:x`],
    ["100k upper case", "A".repeat(100_000)],
    ["100k unicode", "é".repeat(100_000)],
    ["100k emoji", "🐳".repeat(50_000)],
    ["100k NUL", "\u0000".repeat(100_000)]
  ]
  it.each(hostile)("%s", (_name, input) => {
    expect(time(input)).toBeLessThan(1_000)
  })

  it("answers a 1M-character input quickly", () => {
    expect(time(`${"ab-cd.".repeat(200_000)}x`)).toBeLessThan(2_000)
  })
})

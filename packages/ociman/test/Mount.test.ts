import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, FastCheck } from "effect"
import { Mount } from "ociman"

const spec = (mount: Either.Either<Mount.Mount, Mount.InvalidMount>): string => Mount.format(Either.getOrThrow(mount))
const reason = (mount: Either.Either<Mount.Mount, Mount.InvalidMount>) =>
  Either.match(mount, { onLeft: (e) => e.reason, onRight: () => undefined })

/**
 * A reader for one record with the rules of Go's `encoding/csv` (default options), which both
 * docker and podman use for `--mount`: a field starting with `"` is quoted, `""` inside it is a
 * quote; a bare `"` in an unquoted field is an error.
 */
const readGoCsvRecord = (line: string): ReadonlyArray<string> | "error" => {
  const fields: Array<string> = []
  let i = 0
  for (;;) {
    let field = ""
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return "error"
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
          } else {
            i++
            break
          }
        } else field += line[i++]
      }
      if (i < line.length && line[i] !== ",") return "error"
    } else {
      while (i < line.length && line[i] !== ",") {
        if (line[i] === '"' || line[i] === "\n") return "error"
        field += line[i++]
      }
    }
    fields.push(field)
    if (i >= line.length) return fields
    i++ // the comma
  }
}

describe("Mount", () => {
  describe("bind", () => {
    it("renders type=bind,source=…,target=…", () => {
      expect(spec(Mount.bind({ source: "/srv/data", target: "/data" }))).toBe("type=bind,source=/srv/data,target=/data")
    })

    it("read-only is `readonly`", () => {
      expect(spec(Mount.bind({ source: "/srv/data", target: "/data", readOnly: true }))).toBe(
        "type=bind,source=/srv/data,target=/data,readonly"
      )
    })

    it("quotes a field with a comma (observed: docker 20.10 and podman 4.3 both mount /tmp/a,b this way)", () => {
      expect(spec(Mount.bind({ source: "/tmp/a,b", target: "/m" }))).toBe('type=bind,"source=/tmp/a,b",target=/m')
      expect(spec(Mount.bind({ source: "/srv", target: "/m,n" }))).toBe('type=bind,source=/srv,"target=/m,n"')
    })

    it('quotes a field with a quote and doubles it (observed: an unquoted " fails on both runtimes)', () => {
      expect(spec(Mount.bind({ source: '/tmp/q"uote', target: "/m" }))).toBe(
        'type=bind,"source=/tmp/q""uote",target=/m'
      )
    })

    it("quotes a field with a newline (observed to work on both)", () => {
      expect(spec(Mount.bind({ source: "/tmp/new\nline", target: "/m" }))).toBe(
        'type=bind,"source=/tmp/new\nline",target=/m'
      )
    })

    it("leaves '=' and spaces alone (observed to work unquoted on both)", () => {
      expect(spec(Mount.bind({ source: "/tmp/eq=sign", target: "/sp ace" }))).toBe(
        "type=bind,source=/tmp/eq=sign,target=/sp ace"
      )
    })

    it("rejects a carriage return (Go's CSV reader turns \\r\\n into \\n: observed on both) and NUL", () => {
      expect(reason(Mount.bind({ source: "/tmp/cr\r\nlf", target: "/m" }))).toBe("InvalidCharacter")
      expect(reason(Mount.bind({ source: "/tmp", target: "/m\r" }))).toBe("InvalidCharacter")
      expect(reason(Mount.bind({ source: "/tmp/\u0000", target: "/m" }))).toBe("InvalidCharacter")
    })

    it("requires an absolute source", () => {
      for (const source of ["relative/x", "./x", "~/x", ""]) {
        expect(reason(Mount.bind({ source, target: "/m" }))).toBe("SourceNotAbsolute")
      }
    })

    it("accepts Windows drive paths as sources (Docker Desktop)", () => {
      expect(spec(Mount.bind({ source: "C:\\Users\\me", target: "/m" }))).toBe(
        "type=bind,source=C:\\Users\\me,target=/m"
      )
      expect(reason(Mount.bind({ source: "c:/x", target: "/m" }))).toBeUndefined()
    })

    it("requires an absolute target other than /", () => {
      expect(reason(Mount.bind({ source: "/srv", target: "data" }))).toBe("TargetNotAbsolute")
      expect(reason(Mount.bind({ source: "/srv", target: "" }))).toBe("TargetNotAbsolute")
      expect(reason(Mount.bind({ source: "/srv", target: "/" }))).toBe("TargetIsRoot")
      expect(reason(Mount.bind({ source: "/srv", target: "//" }))).toBe("TargetIsRoot")
    })

    it("messages say what to do", () => {
      const error = Either.getOrThrow(Either.flip(Mount.bind({ source: "./data", target: "/data" })))
      expect(error._tag).toBe("InvalidMount")
      expect(error.input).toBe("./data")
      expect(error.message).toContain("absolute host path")
    })
  })

  describe("volume", () => {
    it("named", () => {
      expect(spec(Mount.volume({ source: "pgdata", target: "/var/lib/postgresql/data" }))).toBe(
        "type=volume,source=pgdata,target=/var/lib/postgresql/data"
      )
    })

    it("anonymous", () => {
      expect(spec(Mount.volume({ target: "/cache" }))).toBe("type=volume,target=/cache")
    })

    it("read-only is `ro` (podman 4.3 refuses `readonly` on volumes; both accept `ro`)", () => {
      expect(spec(Mount.volume({ source: "cache", target: "/cache", readOnly: true }))).toBe(
        "type=volume,source=cache,target=/cache,ro"
      )
    })

    it("refuses a read-only anonymous volume (docker does)", () => {
      expect(reason(Mount.volume({ target: "/cache", readOnly: true }))).toBe("ReadOnlyAnonymousVolume")
    })

    it.each(["v", "-vol", "vol,x", "vol/x", "vol x", ""])("refuses volume name %j", (source) => {
      expect(reason(Mount.volume({ source, target: "/v" }))).toBe("InvalidVolumeName")
    })

    it.each(["ab", "my_vol.1-x", "0a"])("accepts volume name %j", (source) => {
      expect(reason(Mount.volume({ source, target: "/v" }))).toBeUndefined()
    })

    it("requires an absolute target", () => {
      expect(reason(Mount.volume({ source: "data", target: "v" }))).toBe("TargetNotAbsolute")
    })
  })

  describe("tmpfs", () => {
    it("renders size in bytes and mode in octal", () => {
      expect(spec(Mount.tmpfs({ target: "/t", sizeBytes: 1_048_576, mode: 0o1770 }))).toBe(
        "type=tmpfs,target=/t,tmpfs-size=1048576,tmpfs-mode=1770"
      )
      expect(spec(Mount.tmpfs({ target: "/t", mode: 0o700 }))).toBe("type=tmpfs,target=/t,tmpfs-mode=700")
      expect(spec(Mount.tmpfs({ target: "/t", mode: 0 }))).toBe("type=tmpfs,target=/t,tmpfs-mode=0")
      expect(spec(Mount.tmpfs({ target: "/run" }))).toBe("type=tmpfs,target=/run")
    })

    it.each([0, -1, 1.5, Number.NaN, 2 ** 60])("refuses size %d", (sizeBytes) => {
      expect(reason(Mount.tmpfs({ target: "/t", sizeBytes }))).toBe("InvalidTmpfsSize")
    })

    it.each([-1, 0o10000, 1.5])("refuses mode %d", (mode) => {
      expect(reason(Mount.tmpfs({ target: "/t", mode }))).toBe("InvalidTmpfsMode")
    })

    it("requires an absolute target", () => {
      expect(reason(Mount.tmpfs({ target: "tmp" }))).toBe("TargetNotAbsolute")
    })
  })

  describe("raw", () => {
    it("is passed as written", () => {
      expect(spec(Mount.raw("type=bind,source=/srv,target=/srv,bind-propagation=rshared"))).toBe(
        "type=bind,source=/srv,target=/srv,bind-propagation=rshared"
      )
    })

    it("refuses empty and NUL", () => {
      expect(reason(Mount.raw(""))).toBe("Empty")
      expect(reason(Mount.raw("type=bind\u0000"))).toBe("InvalidCharacter")
    })
  })

  it("mounts are Data values: structural equality", () => {
    const a = Either.getOrThrow(Mount.bind({ source: "/a", target: "/b" }))
    const b = Either.getOrThrow(Mount.bind({ source: "/a", target: "/b", readOnly: false }))
    expect(Equal.equals(a, b)).toBe(true)
  })

  it("property: a Go CSV reader gets every field back, for any path without NUL or CR", () => {
    const pathArb = FastCheck.string({
      unit: FastCheck.constantFrom("a", ",", '"', "\n", " ", "=", "é", "/"),
      maxLength: 12
    })
    FastCheck.assert(
      FastCheck.property(pathArb, pathArb, FastCheck.boolean(), (source, target, readOnly) => {
        const mount = Mount.bind({ source: `/${source}`, target: `/x${target}`, readOnly })
        const fields = readGoCsvRecord(spec(mount))
        expect(fields).toStrictEqual([
          "type=bind",
          `source=/${source}`,
          `target=/x${target}`,
          ...(readOnly ? ["readonly"] : [])
        ])
      })
    )
  })
})

import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { BuildArg, Label, Mount, Port } from "ociman"
import { buildArgArgs, labelArgs, labelFilterArg, mountArgs, portArgs } from "../../../src/internal/dialect/values.js"

const labels = (input: Parameters<typeof Label.make>[0]) => Either.getOrThrow(Label.make(input))
const key = (input: string) => Either.getOrThrow(Label.key(input))
const value = (input: string) => Either.getOrThrow(Label.value(input))
const ok = <A, E>(e: Either.Either<A, E>): A => Either.getOrThrow(e)
const args = (input: Parameters<typeof BuildArg.make>[0]) => Either.getOrThrow(BuildArg.make(input))

describe("dialect/values", () => {
  describe("labelFilterArg (ociman cases, label.rs)", () => {
    it("Filter.keyOnly displays label=<key>", () => {
      expect(labelFilterArg(Label.keyOnly(key("pg-ephemeral.session")))).toBe("label=pg-ephemeral.session")
    })

    it("Filter.exact displays label=<key>=<value>", () => {
      expect(labelFilterArg(Label.exact(key("pg-ephemeral.session"), value("main")))).toBe(
        "label=pg-ephemeral.session=main"
      )
    })
  })

  describe("labelArgs", () => {
    it("renders --label k=v per label, sorted", () => {
      expect(labelArgs(labels({ "pg-ephemeral.session": "main", "a.key": "x=y,z" }))).toStrictEqual([
        "--label",
        "a.key=x=y,z",
        "--label",
        "pg-ephemeral.session=main"
      ])
    })

    it("is empty for no labels", () => {
      expect(labelArgs(Label.empty)).toStrictEqual([])
    })
  })

  describe("portArgs", () => {
    it("renders --publish per entry, in order", () => {
      const local = ok(Port.publish(Port.tcp(5432), { hostIp: "127.0.0.1" }))
      expect(portArgs([local, Port.udp(53)])).toStrictEqual(["--publish", "127.0.0.1::5432/tcp", "--publish", "53/udp"])
      expect(portArgs([])).toStrictEqual([])
    })
  })

  describe("mountArgs", () => {
    it("renders --mount per mount, in order", () => {
      const mounts = [
        Either.getOrThrow(Mount.bind({ source: "/a,b", target: "/x", readOnly: true })),
        Either.getOrThrow(Mount.tmpfs({ target: "/run" }))
      ]
      expect(mountArgs(mounts)).toStrictEqual([
        "--mount",
        'type=bind,"source=/a,b",target=/x,readonly',
        "--mount",
        "type=tmpfs,target=/run"
      ])
      expect(mountArgs([])).toStrictEqual([])
    })
  })

  describe("buildArgArgs", () => {
    it("renders --build-arg KEY=value, sorted", () => {
      expect(buildArgArgs(args({ VERSION: "17", BASE: "alpine=3" }))).toStrictEqual([
        "--build-arg",
        "BASE=alpine=3",
        "--build-arg",
        "VERSION=17"
      ])
    })

    it("is empty for no arguments", () => {
      expect(buildArgArgs(BuildArg.empty)).toStrictEqual([])
    })
  })
})

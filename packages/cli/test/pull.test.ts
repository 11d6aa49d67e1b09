import { describe, expect, it } from "@effect/vitest"
import { eventLine, layerBoard } from "../src/actions/pull.js"

describe("ociman pull's progress", () => {
  it("a plain line per event off a terminal", () => {
    expect(eventLine({ _tag: "Layer", layer: "77907b92efe2", status: "Pull complete" })).toBe(
      "77907b92efe2: Pull complete"
    )
    expect(eventLine({ _tag: "Status", message: "Digest: sha256:089d" })).toBe("Digest: sha256:089d")
  })

  it("on a terminal, one line per layer, rewritten in place as its status changes", () => {
    const board = layerBoard()
    expect(board({ _tag: "Status", message: "Trying to pull x..." })).toBe("")
    expect(board({ _tag: "Layer", layer: "aaaaaaaaaaaa", status: "Pulling fs layer" })).toBe(
      "\u001b[2Kaaaaaaaaaaaa: Pulling fs layer\n"
    )
    expect(board({ _tag: "Layer", layer: "bbbbbbbbbbbb", status: "Waiting" })).toBe(
      "\u001b[1A\u001b[2Kaaaaaaaaaaaa: Pulling fs layer\n\u001b[2Kbbbbbbbbbbbb: Waiting\n"
    )
    expect(board({ _tag: "Layer", layer: "aaaaaaaaaaaa", status: "Pull complete" })).toBe(
      "\u001b[2A\u001b[2Kaaaaaaaaaaaa: Pull complete\n\u001b[2Kbbbbbbbbbbbb: Waiting\n"
    )
  })
})

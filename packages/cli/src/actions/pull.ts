/**
 * What `ociman pull` does (see `commands/pull.ts`). On a terminal (stderr), one line per layer is
 * kept and rewritten as its status changes; elsewhere each event is one plain line on stderr, so
 * logs stay readable. Standard output gets the pulled reference (or, with `--json`, the events).
 */
import { Console, Effect, Stream } from "effect"
import type * as ContainerRuntime from "ociman/ContainerRuntime"
import * as Image from "ociman/Image"
import type { PullInput } from "../commands/pull.js"
import { runtimeLayer } from "../runtimeLayer.js"

/** One event as a plain line. */
export const eventLine = (event: ContainerRuntime.PullEvent): string =>
  event._tag === "Layer" ? `${event.layer}: ${event.status}` : event.message

/**
 * The terminal display: the layers in the order they appeared, each with its latest status.
 * Returns the text that redraws it (cursor up over the previous drawing, then the lines).
 */
export const layerBoard = () => {
  const layers = new Map<string, string>()
  let drawn = 0
  return (event: ContainerRuntime.PullEvent): string => {
    if (event._tag !== "Layer") return ""
    layers.set(event.layer, event.status)
    const up = drawn > 0 ? `\u001b[${drawn}A` : ""
    drawn = layers.size
    return up + Array.from(layers, ([layer, status]) => `\u001b[2K${layer}: ${status}\n`).join("")
  }
}

/**
 * Pulls `image`, showing its progress: `json`, each event as a JSON line on stdout; otherwise on
 * stderr, the layer board on a terminal or one plain line per event (shared with `ociman run`).
 */
export const pullShown = (image: string, show: "json" | "stderr") => {
  const onTerminal = show === "stderr" && process.stderr.isTTY === true
  const board = layerBoard()
  return Image.pullStream(image).pipe(
    Stream.runForEach((event) =>
      show === "json"
        ? Console.log(JSON.stringify(event))
        : onTerminal
          ? Effect.sync(() => process.stderr.write(board(event)))
          : Console.error(eventLine(event))
    )
  )
}

export const action = ({ backend, image, json }: PullInput) =>
  Effect.gen(function* () {
    yield* pullShown(image, json ? "json" : "stderr")
    yield* Console.log(json ? JSON.stringify({ pulled: image }) : image)
  }).pipe(Effect.provide(runtimeLayer(backend)))

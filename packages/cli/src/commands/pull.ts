/**
 * `ociman pull IMAGE`: pulls an image, showing each layer's progress on a terminal (one line per
 * layer, rewritten in place) and the runtime's other lines otherwise; `--json` prints the progress
 * events (`ContainerRuntime.PullEvent`) as JSON lines, then `{"pulled": REF}`.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { lazyAction } from "../lazy.js"
import { backendOption, jsonOption } from "../options.js"

export const pullConfig = {
  image: Args.text({ name: "IMAGE" }).pipe(Args.withDescription("The image to pull, e.g. postgres:17")),
  backend: backendOption,
  json: jsonOption
}

/** What `ociman pull`'s command line parses to. */
export type PullInput = Command.Command.ParseConfig<typeof pullConfig>

export const pull = Command.make(
  "pull",
  pullConfig,
  lazyAction(() => import("../actions/pull.js"))
).pipe(
  Command.withDescription(
    "Pull an image, with each layer's progress on a terminal; a missing image, refused credentials and an unreachable registry are told apart"
  )
)

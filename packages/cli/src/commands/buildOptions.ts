/**
 * The options `ociman hash` and `ociman build` share, the ones that describe a build: context or
 * instructions, Dockerfile, build arguments, labels, stage, platform. Declarations only; what
 * they mean is in `actions/definition.ts`.
 */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import type * as Option from "effect/Option"

export const directoryArg = Args.text({ name: "DIR" }).pipe(
  Args.withDescription(
    "The build context directory, with a Dockerfile (or Containerfile) unless --file names another (default: the current directory, unless --instructions is given)"
  ),
  Args.optional
)

export const definitionOptions = {
  instructions: Options.text("instructions").pipe(
    Options.withDescription(
      "Build from this Dockerfile text instead of a directory (a file, or - for stdin); no context"
    ),
    Options.optional
  ),
  file: Options.text("file").pipe(
    Options.withAlias("f"),
    Options.withDescription("The Dockerfile, relative to DIR (or absolute); default DIR/Dockerfile"),
    Options.optional
  ),
  buildArg: Options.text("build-arg").pipe(
    Options.withDescription(
      "A build argument KEY=VALUE (repeatable); a bare KEY takes its value from the environment and keeps it out of argv"
    ),
    Options.repeated
  ),
  label: Options.text("label").pipe(Options.withDescription("An image label KEY=VALUE (repeatable)"), Options.repeated),
  target: Options.text("target").pipe(
    Options.withDescription("The stage of a multi-stage Dockerfile to build"),
    Options.optional
  ),
  platform: Options.text("platform").pipe(
    Options.withDescription("The platform to build for, e.g. linux/arm64"),
    Options.optional
  )
}

/** What the build options and DIR parse to. */
export interface DefinitionInput {
  readonly directory: Option.Option<string>
  readonly instructions: Option.Option<string>
  readonly file: Option.Option<string>
  readonly buildArg: ReadonlyArray<string>
  readonly label: ReadonlyArray<string>
  readonly target: Option.Option<string>
  readonly platform: Option.Option<string>
}

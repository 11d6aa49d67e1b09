/**
 * The CLI's own typed errors (the library's carry their own messages).
 */
import { Data } from "effect"

/** A command line that cannot mean anything (both a directory and instructions, a bad K=V, …). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly detail: string }> {
  override get message(): string {
    return this.detail
  }
}

/**
 * Signal names for `Container.kill`, checked before anything is sent: `SIGKILL`, `KILL` and `9`
 * name the same signal (names in any case). Linux's standard signals by name, and any number from
 * 1 to 64 (what both engines accept; 32 and up are the real-time signals, which have no name here).
 * The canonical form sent to the engine is `SIG<NAME>`, or the number for a signal without a name.
 */
import { Either } from "effect"
import { InvalidSignal } from "../ContainerError.js"

/** Linux's standard signals (x86 and arm numbering), by name without `SIG`. */
const NUMBERS: ReadonlyMap<string, number> = new Map([
  ["HUP", 1],
  ["INT", 2],
  ["QUIT", 3],
  ["ILL", 4],
  ["TRAP", 5],
  ["ABRT", 6],
  ["IOT", 6],
  ["BUS", 7],
  ["FPE", 8],
  ["KILL", 9],
  ["USR1", 10],
  ["SEGV", 11],
  ["USR2", 12],
  ["PIPE", 13],
  ["ALRM", 14],
  ["TERM", 15],
  ["STKFLT", 16],
  ["CHLD", 17],
  ["CONT", 18],
  ["STOP", 19],
  ["TSTP", 20],
  ["TTIN", 21],
  ["TTOU", 22],
  ["URG", 23],
  ["XCPU", 24],
  ["XFSZ", 25],
  ["VTALRM", 26],
  ["PROF", 27],
  ["WINCH", 28],
  ["IO", 29],
  ["POLL", 29],
  ["PWR", 30],
  ["SYS", 31]
])

/** The first name of each number (`IOT` and `POLL` are aliases). */
const NAMES: ReadonlyMap<number, string> = new Map(
  Array.from(NUMBERS)
    .reverse()
    .map(([name, number]) => [number, name])
)

/** A checked signal: its canonical form (`SIGUSR1`, or `34`) and its number. */
export interface Signal {
  readonly canonical: string
  readonly number: number
}

const MAX_SIGNAL = 64

const ofNumber = (number: number): Signal => {
  const name = NAMES.get(number)
  return { canonical: name === undefined ? String(number) : `SIG${name}`, number }
}

/** `SIGKILL`, `KILL`, `sigkill` or `9`; anything else is `InvalidSignal`. */
export const parseSignal = (input: string): Either.Either<Signal, InvalidSignal> => {
  const text = input.trim()
  if (/^[0-9]+$/.test(text)) {
    const number = Number(text)
    return number >= 1 && number <= MAX_SIGNAL
      ? Either.right(ofNumber(number))
      : Either.left(new InvalidSignal({ input }))
  }
  const name = text.toUpperCase().replace(/^SIG/, "")
  const number = NUMBERS.get(name)
  return number === undefined ? Either.left(new InvalidSignal({ input })) : Either.right(ofNumber(number))
}

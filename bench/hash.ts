/**
 * Content-hash benchmark: `ContentHash.directory` against coreutils on the same data.
 *
 * - 1 GiB in one file: library throughput against `sha256sum FILE` (goal: at least 2x faster).
 * - 20,000 files of 4 KiB in 100 directories: library time against
 *   `find DIR -type f | sort | xargs cat | sha256sum` (goal: within 1.5x, i.e. ratio ≥ 0.67).
 * - Peak RSS of the library's process for each, against the same process that loads the same
 *   modules and hashes nothing (goal: at most about 100 MB more).
 *
 * The library runs in a child `node --import tsx bench/hashChild.ts` process, so its peak RSS is
 * its own, and times itself (module loading excluded); baselines are timed around the process.
 * Every measurement runs {@link ROUNDS} times, interleaved with its baseline; medians are
 * reported. The data is written to a temporary directory, flushed with `sync`, and deleted.
 */
import { Command, FileSystem, Path } from "@effect/platform"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { Console, Effect, Schema } from "effect"
import { type Result, BenchError, median, runCommand, timed } from "./measurement.js"

const ROUNDS = 3
const MiB = 1024 * 1024
const LARGE_FILE_MIB = 1024
const SMALL_FILES = 20_000
const SMALL_FILE_BYTES = 4096
const FILES_PER_DIRECTORY = 200

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url))

const ChildResult = Schema.parseJson(
  Schema.Struct({
    seconds: Schema.Number,
    files: Schema.Number,
    bytes: Schema.Number,
    tag: Schema.String,
    maxRssKiB: Schema.Number
  })
)

/** Runs the library in its own process (`--idle`: load everything, hash nothing). */
const library = (target: string) =>
  runCommand(
    Command.make(process.execPath, "--import", "tsx", "bench/hashChild.ts", target).pipe(
      Command.workingDirectory(repositoryRoot)
    )
  ).pipe(
    Effect.flatMap((stdout) => Schema.decodeUnknown(ChildResult)(stdout.trim())),
    Effect.mapError((error) => (error._tag === "ParseError" ? new BenchError({ reason: error.message }) : error))
  )

const writeLargeFile = (fs: FileSystem.FileSystem, file: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const handle = yield* fs.open(file, { flag: "w" })
      const block = randomBytes(MiB)
      for (let index = 0; index < LARGE_FILE_MIB; index += 1) {
        block.writeUInt32LE(index, 0)
        yield* handle.writeAll(block)
      }
    })
  )

const writeSmallFiles = (fs: FileSystem.FileSystem, path: Path.Path, directory: string) =>
  Effect.gen(function* () {
    const directories = Math.ceil(SMALL_FILES / FILES_PER_DIRECTORY)
    for (let index = 0; index < directories; index += 1) {
      yield* fs.makeDirectory(path.join(directory, `d${String(index).padStart(3, "0")}`), { recursive: true })
    }
    yield* Effect.forEach(
      Array.from({ length: SMALL_FILES }, (_, index) => index),
      (index) =>
        fs.writeFile(
          path.join(
            directory,
            `d${String(Math.floor(index / FILES_PER_DIRECTORY)).padStart(3, "0")}`,
            `f${String(index % FILES_PER_DIRECTORY).padStart(3, "0")}.bin`
          ),
          randomBytes(SMALL_FILE_BYTES)
        ),
      { concurrency: 16, discard: true }
    )
  })

const megabytes = (kibibytes: number) => (kibibytes * 1024) / 1e6

/** Measures and returns one row per goal. */
export const run = Effect.scoped(
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* fs.makeTempDirectoryScoped({ prefix: "ociman-bench-hash-" })
    const large = path.join(root, "large")
    const small = path.join(root, "small")
    const largeFile = path.join(large, "big.bin")

    yield* Console.error(`hash: writing ${LARGE_FILE_MIB} MiB and ${SMALL_FILES} files of 4 KiB under ${root}`)
    yield* fs.makeDirectory(large)
    yield* writeLargeFile(fs, largeFile)
    yield* writeSmallFiles(fs, path, small)
    // Flush the writes now, so that write-back does not run during the measurements.
    yield* runCommand(Command.make("sync"))

    const idle = yield* library("--idle")
    const rounds = []
    for (let round = 1; round <= ROUNDS; round += 1) {
      yield* Console.error(`hash: round ${round}/${ROUNDS}`)
      const sha256sum = yield* timed(runCommand(Command.make("sha256sum", largeFile)))
      const largeLibrary = yield* library(large)
      const pipeline = yield* timed(
        runCommand(Command.make("sh", "-c", 'find "$1" -type f | sort | xargs cat | sha256sum', "sh", small))
      )
      const smallLibrary = yield* library(small)
      if (largeLibrary.bytes !== LARGE_FILE_MIB * MiB || smallLibrary.files !== SMALL_FILES) {
        return yield* new BenchError({ reason: "the library hashed a different amount of data than was written" })
      }
      rounds.push({ sha256sum: sha256sum.seconds, largeLibrary, pipeline: pipeline.seconds, smallLibrary })
    }

    const largeBytes = LARGE_FILE_MIB * MiB
    const libraryMBps = median(rounds.map((r) => largeBytes / 1e6 / r.largeLibrary.seconds))
    const sha256sumMBps = median(rounds.map((r) => largeBytes / 1e6 / r.sha256sum))
    const librarySeconds = median(rounds.map((r) => r.smallLibrary.seconds))
    const pipelineSeconds = median(rounds.map((r) => r.pipeline))
    const idleMB = megabytes(idle.maxRssKiB)
    const largeRssMB = median(rounds.map((r) => megabytes(r.largeLibrary.maxRssKiB)))
    const smallRssMB = median(rounds.map((r) => megabytes(r.smallLibrary.maxRssKiB)))
    const memory = (name: string, peak: number): Result => ({
      measurement: { name, value: peak, unit: "MB", baseline: idleMB, ratio: idleMB / peak },
      goal: "≤ baseline + 100 MB",
      met: peak - idleMB <= 100,
      note: `${peak >= idleMB ? "+" : ""}${(peak - idleMB).toFixed(0)} MB over the same process hashing nothing`
    })
    const results: ReadonlyArray<Result> = [
      {
        measurement: {
          name: "hash 1 GiB file (vs sha256sum)",
          value: libraryMBps,
          unit: "MB/s",
          baseline: sha256sumMBps,
          ratio: libraryMBps / sha256sumMBps
        },
        goal: "ratio ≥ 2",
        met: libraryMBps / sha256sumMBps >= 2
      },
      {
        measurement: {
          name: `hash ${SMALL_FILES} x 4 KiB files (vs find|sort|xargs cat|sha256sum)`,
          value: librarySeconds,
          unit: "s",
          baseline: pipelineSeconds,
          ratio: pipelineSeconds / librarySeconds
        },
        goal: "ratio ≥ 0.67",
        met: pipelineSeconds / librarySeconds >= 1 / 1.5
      },
      memory("peak RSS, 1 GiB file", largeRssMB),
      memory(`peak RSS, ${SMALL_FILES} x 4 KiB files`, smallRssMB)
    ]
    return results
  })
)

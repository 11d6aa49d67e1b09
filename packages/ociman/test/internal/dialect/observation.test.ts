/**
 * `top` and `stats` (issue #17): the argv per engine and the decoders, against what Docker 20.10
 * (client 28.2) and Podman 4.3 printed and answered on this project's machine (golden output).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  decodeApiTop,
  decodeDockerApiStats,
  decodePodmanApiStats,
  observationDialects,
  parseDockerStats,
  parsePercent,
  parsePodmanStats,
  parseSize,
  parseSizePair,
  parseTop,
  TOP_NOT_RUNNING
} from "../../../src/internal/dialect/observation.js"

const MIB = 1024 * 1024

describe("observation: argv", () => {
  it("top asks each engine for pid, user and command as the host sees them", () => {
    expect(observationDialects.docker.topArgs("c1")).toEqual(["container", "top", "c1", "-eo", "pid,user,args"])
    expect(observationDialects.podman.topArgs("c1")).toEqual(["container", "top", "c1", "hpid", "huser", "args"])
    expect(observationDialects.docker.apiTopArgs).toBe("-eo pid,user,args")
    expect(observationDialects.podman.apiTopArgs).toBe("hpid,huser,args")
  })

  it("stats asks for one sample as JSON: Docker's printed figures, Podman's numbers", () => {
    expect(observationDialects.docker.statsArgs("c1")).toEqual([
      "container",
      "stats",
      "--no-stream",
      "--no-trunc",
      "--format",
      "{{json .}}",
      "c1"
    ])
    expect(observationDialects.podman.statsArgs("c1")).toEqual([
      "container",
      "stats",
      "--no-stream",
      "--format",
      "{{json .ContainerStats}}",
      "c1"
    ])
    expect(observationDialects.docker.apiStats.template).toBe("/containers/{id}/stats")
    expect(observationDialects.docker.apiStats.query("c1")).toEqual({ stream: "false" })
    expect(observationDialects.podman.apiStats.template).toBe("/libpod/containers/stats")
    expect(observationDialects.podman.apiStats.query("c1")).toEqual({ containers: "c1", stream: "false" })
  })

  it("a stopped container's top refusal, on both engines", () => {
    expect(
      TOP_NOT_RUNNING.test(
        "Error response from daemon: Container a73767337872d4cb80f12eb84ef2091dd04c2225889037a68da80ad97f906a9a is not running"
      )
    ).toBe(true)
    expect(TOP_NOT_RUNNING.test("Error: top can only be used on running containers")).toBe(true)
    expect(TOP_NOT_RUNNING.test('Error: no container with name or ID "nope" found: no such container')).toBe(false)
  })
})

describe("observation: sizes and percentages as the CLIs print them", () => {
  it.each([
    ["0B", 0],
    ["806B", 806],
    ["448KiB", 448 * 1024],
    ["64MiB", 64 * MIB],
    ["1.953GiB", Math.round(1.953 * 1024 ** 3)],
    ["1.032kB", 1032],
    ["3.78kB", 3780],
    ["67.11MB", 67_110_000],
    ["25.28GB", 25_280_000_000]
  ])("%s is %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it("what is not a size or a percentage is undefined", () => {
    expect(parseSize("--")).toBeUndefined()
    expect(parseSize("12 apples")).toBeUndefined()
    expect(parsePercent("--")).toBeUndefined()
    expect(parseSizePair("-- / --")).toBeUndefined()
  })

  it("percentages are fractions", () => {
    expect(parsePercent("0.00%")).toBe(0)
    expect(parsePercent("0.52%")).toBeCloseTo(0.0052, 10)
    expect(parsePercent("150.5%")).toBeCloseTo(1.505, 10)
  })

  it("a pair is both sizes", () => {
    expect(parseSizePair("448KiB / 64MiB")).toEqual([448 * 1024, 64 * MIB])
  })
})

describe("observation: top", () => {
  it("Docker's table (host pids, `ps -eo pid,user,args`)", () => {
    const stdout = [
      "PID                 USER                COMMAND",
      "6379                root                sleep 120",
      "6424                root                sleep 30",
      ""
    ].join("\n")
    expect(Either.getOrThrow(parseTop(stdout))).toEqual([
      { pid: 6379, user: "root", command: "sleep 120" },
      { pid: 6424, user: "root", command: "sleep 30" }
    ])
  })

  it("Podman's table (`hpid huser args`, a trailing space after the command)", () => {
    const stdout = "HPID        HUSER       COMMAND\n7739        root        sh -c sleep 100 \n"
    expect(Either.getOrThrow(parseTop(stdout))).toEqual([{ pid: 7739, user: "root", command: "sh -c sleep 100" }])
  })

  it("another table is Left with the line that was not understood", () => {
    expect(parseTop("UID PID PPID C STIME TTY TIME CMD\n")).toEqual(Either.left("UID PID PPID C STIME TTY TIME CMD"))
    expect(parseTop("PID USER COMMAND\nabc root sleep\n")).toEqual(Either.left("abc root sleep"))
    expect(Either.isLeft(parseTop(""))).toBe(true)
  })

  it("the API's answer (Docker's titles, Podman's)", () => {
    expect(decodeApiTop({ Processes: [["6379", "root", "sleep 120"]], Titles: ["PID", "USER", "COMMAND"] })).toEqual(
      Either.right([{ pid: 6379, user: "root", command: "sleep 120" }])
    )
    expect(decodeApiTop({ Processes: [["26297", "root", "sleep 100"]], Titles: ["HPID", "HUSER", "COMMAND"] })).toEqual(
      Either.right([{ pid: 26297, user: "root", command: "sleep 100" }])
    )
    // Podman's compatible endpoint given `ps` options runs ps in the container: one merged column
    expect(
      Either.isLeft(decodeApiTop({ Processes: [["1 0        sleep 120"]], Titles: ["PID   USER     COMMAND"] }))
    ).toBe(true)
  })
})

describe("observation: Docker's CLI stats", () => {
  it("a running container's printed figures, in numbers", () => {
    const stdout =
      '{"BlockIO":"0B / 0B","CPUPerc":"0.52%","Container":"a73767337872","ID":"a73767337872d4cb80f12eb84ef2091dd04c2225889037a68da80ad97f906a9a","MemPerc":"0.68%","MemUsage":"448KiB / 64MiB","Name":"bold_matsumoto","NetIO":"806B / 0B","PIDs":"2"}\n'
    const reading = Either.getOrThrow(parseDockerStats(stdout))
    expect(reading._tag).toBe("Sample")
    if (reading._tag !== "Sample") return
    expect(reading.stats).toEqual({
      memoryUsage: 448 * 1024,
      memoryLimit: 64 * MIB,
      cpu: 0.0052,
      pids: 2,
      network: { received: 806, sent: 0 },
      blockIo: { read: 0, written: 0 }
    })
  })

  it("a stopped container's is the empty sample", () => {
    const stdout =
      '{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"a73767337872","ID":"a73767337872","MemPerc":"0.00%","MemUsage":"0B / 0B","Name":"bold_matsumoto","NetIO":"0B / 0B","PIDs":"0"}'
    expect(parseDockerStats(stdout)).toEqual(Either.right({ _tag: "Empty" }))
  })

  it("figures Docker could not read (`--`) are undefined, or Left when memory or CPU", () => {
    const unreadable = (fields: Record<string, string>) =>
      JSON.stringify({
        BlockIO: "--",
        CPUPerc: "1.00%",
        MemUsage: "1MiB / 2MiB",
        NetIO: "--",
        PIDs: "--",
        ...fields
      })
    const reading = Either.getOrThrow(parseDockerStats(unreadable({})))
    expect(reading).toEqual({
      _tag: "Sample",
      stats: {
        memoryUsage: MIB,
        memoryLimit: 2 * MIB,
        cpu: 0.01,
        pids: undefined,
        network: undefined,
        blockIo: undefined
      }
    })
    expect(Either.isLeft(parseDockerStats(unreadable({ MemUsage: "-- / --" })))).toBe(true)
    expect(Either.isLeft(parseDockerStats(unreadable({ CPUPerc: "--" })))).toBe(true)
    expect(Either.isLeft(parseDockerStats("not json"))).toBe(true)
    expect(Either.isLeft(parseDockerStats(""))).toBe(true)
  })
})

describe("observation: Podman's CLI stats (`{{json .ContainerStats}}`)", () => {
  it("a running container's numbers", () => {
    const stdout =
      '{"AvgCPU":0.5160239948526179,"ContainerID":"139440d1cffc00ba20e55d6a45a3d9317542d64a39d2b49341d3971af7e538bd","Name":"magical_vaughan","PerCPU":[83834492,5125441],"CPU":0.5160239948526179,"CPUNano":88959933,"CPUSystemNano":12000000,"SystemNano":1796296773086659889,"MemUsage":737280,"MemLimit":67108864,"MemPerc":1.0986328125,"NetInput":612,"NetOutput":1016,"BlockInput":0,"BlockOutput":0,"PIDs":2,"UpTime":88959933,"Duration":88959933}\n'
    expect(parsePodmanStats(stdout)).toEqual(
      Either.right({
        _tag: "Sample",
        stats: {
          memoryUsage: 737280,
          memoryLimit: 64 * MIB,
          cpu: 0.5160239948526179 / 100,
          pids: 2,
          network: { received: 612, sent: 1016 },
          blockIo: { read: 0, written: 0 }
        }
      })
    )
  })

  it("a stopped container's is the empty sample", () => {
    const stdout =
      '{"AvgCPU":0,"ContainerID":"139440d1cffc00ba20e55d6a45a3d9317542d64a39d2b49341d3971af7e538bd","Name":"magical_vaughan","PerCPU":null,"CPU":0,"CPUNano":0,"CPUSystemNano":0,"SystemNano":0,"MemUsage":0,"MemLimit":0,"MemPerc":0,"NetInput":0,"NetOutput":0,"BlockInput":0,"BlockOutput":0,"PIDs":0,"UpTime":0,"Duration":0}'
    expect(parsePodmanStats(stdout)).toEqual(Either.right({ _tag: "Empty" }))
  })

  it("`--format json`'s rounded strings are not what it reads", () => {
    expect(Either.isLeft(parsePodmanStats('[{"id":"139440d1cffc","mem_usage":"737.3kB / 67.11MB"}]'))).toBe(true)
  })
})

describe("observation: the API's stats", () => {
  const dockerRunning = {
    read: "2026-12-03T11:19:57.100233356Z",
    preread: "2026-12-03T11:19:56.09235786Z",
    pids_stats: { current: 1 },
    blkio_stats: { io_service_bytes_recursive: [] },
    cpu_stats: {
      cpu_usage: { total_usage: 39506140, percpu_usage: [23127225, 16378915] },
      system_cpu_usage: 103213300000000,
      online_cpus: 2
    },
    precpu_stats: {
      cpu_usage: { total_usage: 29506140, percpu_usage: [13127225, 16378915] },
      system_cpu_usage: 103211300000000,
      online_cpus: 2
    },
    memory_stats: {
      usage: 327680,
      max_usage: 4083712,
      stats: { total_inactive_file: 4096, inactive_file: 0, hierarchical_memory_limit: 67108864 },
      limit: 67108864
    },
    name: "/bold_matsumoto",
    networks: { eth0: { rx_bytes: 988, rx_packets: 12, tx_bytes: 0 } }
  }

  it("Docker's counters, computed as its CLI computes them (cgroup v1: without total_inactive_file)", () => {
    expect(decodeDockerApiStats(dockerRunning)).toEqual(
      Either.right({
        _tag: "Sample",
        stats: {
          memoryUsage: 327680 - 4096,
          memoryLimit: 67108864,
          // 10 ms of the container's CPU in 2 s of the system's two CPUs' time
          cpu: (10_000_000 / 2_000_000_000) * 2,
          pids: 1,
          network: { received: 988, sent: 0 },
          blockIo: { read: 0, written: 0 }
        }
      })
    )
  })

  it("Docker's cgroup v2 counters: without inactive_file; I/O summed by operation; no networks key", () => {
    const { networks: _none, ...withoutNetworks } = dockerRunning
    const answer = {
      ...withoutNetworks,
      pids_stats: {},
      memory_stats: { usage: 1_000_000, stats: { inactive_file: 200_000 }, limit: 2_000_000 },
      blkio_stats: {
        io_service_bytes_recursive: [
          { major: 8, minor: 0, op: "read", value: 4096 },
          { major: 8, minor: 0, op: "write", value: 8192 },
          { major: 8, minor: 16, op: "Read", value: 1 },
          { major: 8, minor: 16, op: "Total", value: 12289 }
        ]
      }
    }
    const reading = Either.getOrThrow(decodeDockerApiStats(answer))
    expect(reading._tag === "Sample" ? reading.stats : undefined).toMatchObject({
      memoryUsage: 800_000,
      memoryLimit: 2_000_000,
      pids: undefined,
      network: undefined,
      blockIo: { read: 4097, written: 8192 }
    })
  })

  it("Docker's stopped container: the empty sample", () => {
    const stopped = {
      read: "0001-01-01T00:00:00Z",
      pids_stats: {},
      blkio_stats: { io_service_bytes_recursive: null },
      cpu_stats: { cpu_usage: { total_usage: 0 } },
      precpu_stats: { cpu_usage: { total_usage: 0 } },
      memory_stats: {}
    }
    expect(decodeDockerApiStats(stopped)).toEqual(Either.right({ _tag: "Empty" }))
  })

  it("Podman's libpod answer: a sample, the empty one, or none for a container it does not know", () => {
    const sample = {
      Error: null,
      Stats: [
        {
          AvgCPU: 0.24439020411957008,
          ContainerID: "139440d1cffc",
          Name: "magical_vaughan",
          PerCPU: [106209873, 29456839],
          CPU: 0.24439020411957008,
          CPUNano: 135666712,
          MemUsage: 278528,
          MemLimit: 67108864,
          MemPerc: 0.4150390625,
          NetInput: 682,
          NetOutput: 2016,
          BlockInput: 0,
          BlockOutput: 0,
          PIDs: 1
        }
      ]
    }
    const reading = Either.getOrThrow(decodePodmanApiStats(sample))
    expect(reading._tag === "Sample" ? reading.stats : undefined).toEqual({
      memoryUsage: 278528,
      memoryLimit: 67108864,
      cpu: 0.24439020411957008 / 100,
      pids: 1,
      network: { received: 682, sent: 2016 },
      blockIo: { read: 0, written: 0 }
    })
    const stopped = { Error: null, Stats: [{ ...sample.Stats[0], CPU: 0, MemUsage: 0, MemLimit: 0, PIDs: 0 }] }
    expect(decodePodmanApiStats(stopped)).toEqual(Either.right({ _tag: "Empty" }))
    expect(decodePodmanApiStats({ Error: {}, Stats: null })).toEqual(Either.right({ _tag: "NoAnswer" }))
    expect(Either.isLeft(decodePodmanApiStats({ message: "no" }))).toBe(true)
  })
})

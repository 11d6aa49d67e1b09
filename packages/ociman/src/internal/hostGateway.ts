/**
 * The throwaway container that reads `/etc/hosts` as a container sees it: behind
 * `Network.resolveInContainer` and `Network.hostGateway`, and the host's address that
 * `ContainerDefinition.exposeHostPorts` listens on.
 */
import { pipe } from "effect"
import * as Def from "../ContainerDefinition.js"
import type { ImageReference } from "../ImageReference.js"
import { entriesOf } from "./bytes.js"

/** What `Network.resolveInContainer` takes, with the network as a name. */
export interface HostsProbeOptions {
  readonly addHosts?: Readonly<Record<string, string>> | Iterable<readonly [string, string]> | undefined
  readonly network?: string | undefined
  readonly flags?: ReadonlyArray<string> | undefined
}

/** A container of `image` that prints its `/etc/hosts` and is removed (`--entrypoint cat`, whatever the image's). */
export const hostsProbe = (image: string | ImageReference, options: HostsProbeOptions): Def.ContainerDefinition => {
  const base = pipe(Def.make(image), Def.withRemove, Def.entrypoint("cat"), Def.command(["/etc/hosts"]))
  const onNetwork = options.network === undefined ? base : Def.network(options.network)(base)
  return pipe(
    entriesOf(options.addHosts ?? []).reduce(
      (acc: Def.ContainerDefinition, [host, address]) => Def.addHost(acc, host, address),
      onNetwork
    ),
    Def.rawFlags(...(options.flags ?? []))
  )
}

/**
 * The `--add-host` entry that makes the runtime's host-gateway name resolve: Docker adds the name
 * only when asked; Podman always adds it (and 4.x rejects `host-gateway`).
 */
export const gatewayAddHosts = (gateway: {
  readonly name: string
  readonly addHostAddress: string | undefined
}): Readonly<Record<string, string>> =>
  gateway.addHostAddress === undefined ? {} : { [gateway.name]: gateway.addHostAddress }

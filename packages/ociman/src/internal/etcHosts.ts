/**
 * Reads `/etc/hosts` text, so host names can be resolved inside any image: busybox and distroless
 * images have no `getent`, but every container has this file.
 */
import { ipFamily } from "./ip.js"

export interface HostsEntry {
  readonly address: string
  readonly names: ReadonlyArray<string>
}

/**
 * One entry per line that has an address and at least one name. `#` starts a comment anywhere on
 * a line; fields are separated by spaces or tabs; a line whose first field is not an IP address
 * is skipped (as the C library does).
 */
export const parseHosts = (text: string): ReadonlyArray<HostsEntry> =>
  text.split(/\r?\n/).flatMap((line): ReadonlyArray<HostsEntry> => {
    const hash = line.indexOf("#")
    const fields = (hash === -1 ? line : line.slice(0, hash)).split(/[ \t]+/).filter((field) => field.length > 0)
    const [address, ...names] = fields
    return address === undefined || names.length === 0 || ipFamily(address) === 0 ? [] : [{ address, names }]
  })

/** The address of the first entry naming `hostname` (names compare case-insensitively, as in DNS). */
export const lookupHost = (entries: ReadonlyArray<HostsEntry>, hostname: string): string | undefined => {
  const wanted = hostname.toLowerCase()
  return entries.find((entry) => entry.names.some((name) => name.toLowerCase() === wanted))?.address
}

/**
 * Just enough ELF to tell a statically linked executable (one that runs in an image `FROM
 * scratch`) from a dynamically linked one: a dynamic executable names its loader in a `PT_INTERP`
 * program header. 32- and 64-bit, either byte order.
 */

const PT_INTERP = 3
const ET_EXEC = 2
const ET_DYN = 3

/** `true` for an ELF executable without a program interpreter (static, or static-pie). */
export const isStaticExecutable = (file: Uint8Array): boolean => {
  if (file.length < 52 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) return false
  const wide = file[4] === 2
  if (!wide && file[4] !== 1) return false
  const little = file[5] === 1
  if (!little && file[5] !== 2) return false
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const type = view.getUint16(16, little)
  if (type !== ET_EXEC && type !== ET_DYN) return false
  if (wide && file.length < 64) return false
  const phoff = wide ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little)
  const phentsize = view.getUint16(wide ? 0x36 : 0x2a, little)
  const phnum = view.getUint16(wide ? 0x38 : 0x2c, little)
  if (phnum === 0 || phentsize < 4 || phoff + phnum * phentsize > file.length) return false
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, little) === PT_INTERP) return false
  }
  return true
}

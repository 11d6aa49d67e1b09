/**
 * The images the library builds under a fixed reference (`Image.buildScoped`): each carries that
 * reference in its `ociman.reference` label. Shared by the scoped image's release and the sweeper.
 */
import type { ListedImage } from "../ContainerRuntime.js"
import * as ImageReference from "../ImageReference.js"
import { REFERENCE_LABEL } from "./session.js"

const referenceKey = (input: string): string | undefined => {
  const parsed = ImageReference.parse(input)
  return parsed._tag === "Right" ? ImageReference.normalize(parsed.right) : undefined
}

/**
 * The stored name of an image under which the library built it (its `ociman.reference` label), if
 * it still has it. Podman stores a name without a registry under `localhost/`.
 */
export const builtReference = (image: Pick<ListedImage, "references" | "labels">): string | undefined => {
  const label = image.labels.get(REFERENCE_LABEL)
  if (label === undefined) return undefined
  const wanted = [referenceKey(label), referenceKey(`localhost/${label}`)].filter((key) => key !== undefined)
  return image.references.find((reference) => {
    const key = referenceKey(reference)
    return key !== undefined && wanted.includes(key)
  })
}

/**
 * The two runtime dialects. Defined here, below every module, so that errors and values can name
 * it without importing the seam; its public name is `ContainerRuntime.Kind`.
 */
/**
 * The runtime dialect: Docker or Podman (the in-memory runtime simulates one of them).
 * @since 0.1.0
 * @category models
 */
export type Kind = "docker" | "podman"

/** Every kind, in autodetection order. */
export const kinds: ReadonlyArray<Kind> = ["docker", "podman"]

export const isKind = (value: string): value is Kind => kinds.some((kind) => kind === value)

/** The leak matrix on Podman (`support/leakMatrix.ts`): however a program ends, it leaves nothing behind. */
import { leakMatrix } from "./support/leakMatrix.js"

leakMatrix("podman")

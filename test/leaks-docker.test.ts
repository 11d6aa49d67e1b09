/** The leak matrix on Docker (`support/leakMatrix.ts`): however a program ends, it leaves nothing behind. */
import { leakMatrix } from "./support/leakMatrix.js"

leakMatrix("docker")

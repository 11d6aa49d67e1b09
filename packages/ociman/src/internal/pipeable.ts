import { pipeArguments } from "effect/Pipeable"

/**
 * Gives a `Data.Class` its `pipe` method on the prototype, not on each instance, so structural
 * equality compares only the fields (the class declares `readonly pipe: Pipeable["pipe"]`).
 */
export const pipeOnPrototype = (prototype: object): void => {
  Object.defineProperty(prototype, "pipe", {
    value(this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      return pipeArguments(this, arguments)
    }
  })
}

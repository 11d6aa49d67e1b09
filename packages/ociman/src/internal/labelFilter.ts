/**
 * Filters on the library's own labels (`session.ts`), whose keys are constants and whose values it
 * makes itself (hex keys, UUIDs): valid by construction, so they skip `Label`'s validation.
 */
import { Brand } from "effect"
import * as Label from "../Label.js"

const brandKey = Brand.nominal<Label.Key>()
const brandValue = Brand.nominal<Label.Value>()

/** An exact-match filter on one of the library's own labels. */
export const labelFilter = (key: string, value: string): Label.Filter => Label.exact(brandKey(key), brandValue(value))

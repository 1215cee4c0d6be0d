/**
 * A feeder's transformer limit cut into its members' shares (`grid.crossFeederShareWh`: the Wh a node may
 * sell to, and buy from, other feeders per slot), in proportion to their weights: share_i =
 * floor(limitWh × w_i ÷ Σw). Rounded down, so the shares add up to at most the limit, and the feeder can
 * never carry more across its transformer whoever trades (docs/feeders.md, "Fees and transformer limits").
 * The simulator weighs a building by its largest exchange with the grid (sim/src/grid-scenario.ts);
 * `kvartal shares` by its connection's rating in W. Pure logic: the same numbers wherever it runs.
 */
export function transformerShares(limitWh: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(limitWh) || limitWh < 0)
    throw new RangeError(`limitWh must be a whole number of Wh, at least 0, got ${limitWh}`)
  for (const w of weights) if (!Number.isFinite(w) || w < 0) throw new RangeError(`a weight must be a finite number, at least 0, got ${w}`)
  if (weights.length === 0) return []
  const total = weights.reduce((a, w) => a + w, 0)
  if (!(total > 0)) throw new RangeError('the weights add up to 0: no share can be proportional')
  return weights.map(w => {
    // limitWh × w exactly, where it is a safe integer: the division is then rounded correctly and floor() is exact
    if (Number.isSafeInteger(limitWh * w) || !Number.isInteger(w) || !Number.isSafeInteger(total)) return Math.floor((limitWh * w) / total)
    // a product past 2^53 (a large limit times a weight in W): in integers, so that the sum stays within the limit
    return Number((BigInt(limitWh) * BigInt(w)) / BigInt(total))
  })
}

/**
 * Preloaded into a soak node's process (`node --import`, through NODE_OPTIONS) to set its clock
 * `KVARTAL_SOAK_SKEW_MS` ms off the machine's, as a badly synchronised device's would be: `Date.now()`,
 * which the node's clock (`systemClock`), its journal's timestamps and its logs read, returns the real
 * time plus the skew. Timers are relative and run at the real rate. The soak's harness, not the node,
 * reads the variable: a node has no notion of being skewed.
 */
const skew = Number(process.env.KVARTAL_SOAK_SKEW_MS ?? 0)
if (Number.isFinite(skew) && skew !== 0) {
  const real = Date.now.bind(Date)
  Date.now = () => real() + skew
}

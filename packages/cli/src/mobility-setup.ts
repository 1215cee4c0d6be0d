import { ConfigError, KvartalError } from '@kvartal/protocol'
import { buildTimetable, generateDistrictNetwork, loadGtfs, type Feed, type Timetable } from '@kvartal/mobility'
import type { MobilityOptions, ProviderService } from '@kvartal/node'
import type { NodeConfig } from './node-config.ts'
import type { TimetableConfig } from './mobility-config.ts'

async function feedOf(t: TimetableConfig): Promise<Feed> {
  if ('gtfs' in t) {
    try {
      return await loadGtfs(t.gtfs)
    } catch (err) {
      if (err instanceof KvartalError) throw new ConfigError('mobility.timetable.gtfs', err.message)
      throw err
    }
  }
  return generateDistrictNetwork(t.generate)
}

async function timetableOf(t: TimetableConfig): Promise<Timetable> {
  const feed = await feedOf(t)
  try {
    return buildTimetable(feed)
  } catch (err) {
    if (err instanceof KvartalError)
      throw new ConfigError('gtfs' in t ? 'mobility.timetable.gtfs' : 'mobility.timetable.generate', err.message)
    throw err
  }
}

/**
 * The node's mobility options from its validated config: the timetable loaded (GTFS) or generated, the
 * provider's service built. Checks what needs the timetable: a transit operator's agency must run
 * trips in it, or no traveller could ever book a seat from it.
 */
export async function mobilityOptionsFor(c: NodeConfig): Promise<Partial<MobilityOptions> | undefined> {
  const m = c.mobility
  if (m == null) return undefined
  const timetable = m.timetable != null ? await timetableOf(m.timetable) : undefined
  let provider: ProviderService | undefined
  const p = m.provider
  if (p?.kind === 'vehicle') {
    // the battery budget counts in the node's energy slots
    provider = { ...p, ...(p.battery != null ? { battery: { ...p.battery, slotMs: c.slots.seconds * 1000 } } : {}) }
  } else if (p?.kind === 'transit') {
    const agencies = [...new Set(timetable!.patterns.map(x => x.route.agency_id ?? ''))]
    if (!agencies.includes(p.agencyId)) {
      const named = agencies.filter(a => a !== '')
      throw new ConfigError(
        'mobility.provider.agencyId',
        `no route of the timetable belongs to agency ${JSON.stringify(p.agencyId)} ` +
          `(${named.length > 0 ? `agencies: ${named.join(', ')}` : 'its routes name no agency_id: add that column to routes.txt'})`
      )
    }
    provider = { ...p, timetable: timetable! }
  }
  return {
    ...(timetable != null ? { timetable } : {}),
    ...(provider != null ? { provider } : {}),
    holdMs: m.holdMs,
    offerEveryMs: m.offerEveryMs,
    ...(m.zones != null ? { zones: m.zones } : {}),
    ...(m.operators != null ? { operators: m.operators } : {})
  }
}

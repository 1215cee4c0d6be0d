import { Gauge, type Registry } from 'prom-client'
import type { KvartalNode } from '@kvartal/node'
import type { BatteryStatus } from '@kvartal/meters'

/**
 * A battery behind a SunSpec meter (storage model 124, the nameplate's 120), as its device last reported it:
 * labelled with the meter, and no series at all (not a 0) while the device does not report the value.
 */
export function batteryGauges(registers: Registry[], node: () => KvartalNode | undefined): void {
  const gauge = (name: string, help: string, value: (b: BatteryStatus) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['meter'] as const,
      registers,
      collect() {
        this.reset()
        const s = node()?.meterStatus()
        const v = s?.battery == null ? null : value(s.battery)
        if (v != null) this.set({ meter: s?.meter ?? '' }, v)
      }
    })
  }
  gauge(
    'kvartal_battery_state_of_charge_percent',
    "The battery's state of charge as its device reports it (SunSpec 124 ChaState)",
    b => b.stateOfChargePct
  )
  gauge('kvartal_battery_stored_wh', 'Energy in the battery: its rating (SunSpec 120 WHRtg) times its state of charge', b => b.storedWh)
  gauge('kvartal_battery_reserve_percent', 'The reserve the battery keeps (SunSpec 124 MinRsvPct)', b => b.minReservePct)
}
